/* float32 UNIDIRECTIONAL_SEQUENCE_LSTM, as TensorFlow Lite Micro's float LSTM computes it
 * (lstm_eval.cc with TensorFlow Lite's float reference kernels).
 *
 * Per batch and time step, each gate is (sum_d x[d] * W[j][d] + bias[j]) + sum_d h[d] *
 * R[j][d], each sum taken from d = 0 in float. The input, forget and output gates go
 * through the logistic (with TensorFlow Lite's cut-offs), the cell gate through tanhf;
 * then c = f * c + i * g, clipped to [-cell_clip, cell_clip] when use_clip, and
 * h = tanhf(c) * o, the step's output row. One state element at a time: the new hidden
 * state goes to the output row first and into the hidden state after the step.
 */
#include <math.h>

#include "tg_recurrent_lstm.h"

static float tg_lstm_logistic_f32(float v)
{
    if (v > 16.619047164916992188f) {
        return 1.0f;
    }
    if (v < -9.0f) {
        return expf(v);
    }
    return 1.0f / (1.0f + expf(-v));
}

static float tg_lstm_dot_f32(const float *w, const float *v, int32_t n)
{
    float total = 0.0f;
    int32_t d;
    for (d = 0; d < n; ++d) {
        total += v[d] * w[d];
    }
    return total;
}

void tg_lstm_f32(const tg_lstm_f32_params *p, const float *input,
                 const float *w_input, const float *w_forget, const float *w_cell,
                 const float *w_output, const float *r_input, const float *r_forget,
                 const float *r_cell, const float *r_output, float *hidden, float *cell,
                 float *output)
{
    const float *const w[4] = {w_input, w_forget, w_cell, w_output};
    const float *const r[4] = {r_input, r_forget, r_cell, r_output};
    const int32_t n_in = p->input_size, n_state = p->state_size;
    int32_t b, t, j, g;
    for (b = 0; b < p->batches; ++b) {
        float *h = hidden + b * n_state;
        float *c = cell + b * n_state;
        for (t = 0; t < p->time_steps; ++t) {
            const float *x = input + (b * p->time_steps + t) * n_in;
            float *out = output + (b * p->time_steps + t) * n_state;
            for (j = 0; j < n_state; ++j) {
                float gate[4];
                float next;
                for (g = 0; g < 4; ++g) {
                    const float from_x =
                        tg_lstm_dot_f32(w[g] + j * n_in, x, n_in) + p->bias[g * n_state + j];
                    const float from_h = tg_lstm_dot_f32(r[g] + j * n_state, h, n_state);
                    gate[g] = from_x + from_h;
                }
                next = tg_lstm_logistic_f32(gate[1]) * c[j];
                next = next + tg_lstm_logistic_f32(gate[0]) * tanhf(gate[2]);
                if (p->use_clip) {
                    next = next > p->cell_clip ? p->cell_clip : next;
                    next = next < -p->cell_clip ? -p->cell_clip : next;
                }
                c[j] = next;
                out[j] = tanhf(next) * tg_lstm_logistic_f32(gate[3]);
            }
            for (j = 0; j < n_state; ++j) {
                h[j] = out[j];
            }
        }
    }
}
