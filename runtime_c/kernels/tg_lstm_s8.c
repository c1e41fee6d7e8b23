/* int8 UNIDIRECTIONAL_SEQUENCE_LSTM with int16 gates and cell state, bit-exact with
 * TensorFlow Lite Micro's integer LSTM (lstm_eval.cc, 8-bit activations and weights).
 *
 * Per batch and time step, each gate is the sum of two int8 dot products (the step's
 * input and the previous hidden state against the gate's weights), each requantized to
 * int16 Q3.12 with TFLM's double-rounding multiplier and saturated, then added with int16
 * saturation. The input, forget and output gates go through TFLM's int16 sigmoid, the
 * cell gate through its int16 tanh; both interpolate TensorFlow Lite's 256-entry sigmoid
 * table and produce Q0.15. The cell state becomes sat(sat(f * c) + sat(i * g)), clipped
 * when use_clip; the hidden state is o * tanh(c) requantized to int8. Every output
 * element depends only on its own gates, so the kernel runs one state element at a time:
 * it writes the new hidden state into the step's output row and copies the row into
 * the hidden state once the step has read the old one.
 */
#include "tg_fixedpoint.h"
#include "tg_recurrent_lstm.h"

/* 65536 * sigmoid(i / 24), the values TensorFlow Lite's int16 LOGISTIC and TANH
 * interpolate between (the exact integers are needed for bit-exact results). */
static const uint16_t tg_lstm_sigmoid_table[256] = {
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149,
    40794, 41432, 42064, 42688, 43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369,
    47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409, 51865, 52311, 52745, 53169,
    53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
    57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370,
    60565, 60753, 60935, 61110, 61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302,
    62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186, 63279, 63368, 63454, 63536,
    63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
    64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786,
    64816, 64845, 64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079,
    65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234, 65246, 65258,
    65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
    65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433,
    65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474,
    65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498,
    65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
    65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522,
    65523, 65523, 65524, 65524, 65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528,
    65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530, 65530, 65530, 65531, 65531,
    65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534,
    65534, 65534, 65534, 65535,
};

static int16_t tg_lstm_sat16(int32_t x)
{
    return (int16_t)tg_clamp(x, -32768, 32767);
}

/* Q3.12 -> Q0.15 logistic (TFLM's int16 LOGISTIC with the input multiplier 3). */
static int16_t tg_lstm_sigmoid(int16_t x)
{
    const int32_t v = (int32_t)x * 3;
    const uint32_t a = (uint32_t)(v < 0 ? -v : v);
    const uint32_t k = a >> 9;
    uint32_t r;
    if (k >= 255u) {
        r = 0x7FFFu << 10;
    } else {
        const uint32_t lo = tg_lstm_sigmoid_table[k];
        const uint32_t hi = tg_lstm_sigmoid_table[k + 1u];
        r = (lo << 9) + (a & 0x1FFu) * (hi - lo);
    }
    r = v >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1u;
    return (int16_t)(r >> 10);
}

/* TFLM's int16 TANH of (x * multiplier + round) >> shift, in Q0.15. */
static int16_t tg_lstm_tanh(int16_t x, int32_t multiplier, int32_t shift)
{
    const int32_t rounding = shift > 0 ? (int32_t)1 << (shift - 1) : 0;
    const int32_t v = ((int32_t)x * multiplier + rounding) >> shift;
    const uint32_t a = (uint32_t)(v < 0 ? -v : v);
    const uint32_t k = a >> 8;
    int32_t r;
    if (k >= 255u) {
        r = (int32_t)(0xFFFFu << 8);
    } else {
        const uint32_t lo = tg_lstm_sigmoid_table[k];
        const uint32_t hi = tg_lstm_sigmoid_table[k + 1u];
        r = (int32_t)((lo << 8) + (a & 0xFFu) * (hi - lo));
    }
    r = v >= 0 ? r - ((int32_t)1 << 23) + ((int32_t)1 << 7)
               : -r + ((int32_t)1 << 23) + ((int32_t)1 << 7) - 1;
    return (int16_t)(r >> 8);
}

/* One fully connected output requantized to saturated int16. */
static int32_t tg_lstm_fc(const int8_t *w, const int8_t *v, int32_t n, int32_t bias,
                          int32_t multiplier, int32_t shift)
{
    int32_t acc = bias;
    int32_t d;
    for (d = 0; d < n; ++d) {
        acc += (int32_t)w[d] * (int32_t)v[d];
    }
    return tg_clamp(tg_requantize(acc, multiplier, shift), -32768, 32767);
}

void tg_lstm_s8(const tg_lstm_s8_params *p, const int8_t *input,
                const int8_t *w_input, const int8_t *w_forget, const int8_t *w_cell,
                const int8_t *w_output, const int8_t *r_input, const int8_t *r_forget,
                const int8_t *r_cell, const int8_t *r_output, int8_t *hidden, int16_t *cell,
                int8_t *output)
{
    const int8_t *const w[4] = {w_input, w_forget, w_cell, w_output};
    const int8_t *const r[4] = {r_input, r_forget, r_cell, r_output};
    const int32_t n_in = p->input_size, n_state = p->state_size;
    int32_t b, t, j, g;
    for (b = 0; b < p->batches; ++b) {
        int8_t *h = hidden + b * n_state;
        int16_t *c = cell + b * n_state;
        for (t = 0; t < p->time_steps; ++t) {
            const int8_t *x = input + (b * p->time_steps + t) * n_in;
            int8_t *out = output + (b * p->time_steps + t) * n_state;
            for (j = 0; j < n_state; ++j) {
                int16_t gate[4];
                int32_t next, update, squashed, h_new;
                for (g = 0; g < 4; ++g) {
                    const int32_t k = g * n_state + j;
                    const int32_t from_x = tg_lstm_fc(w[g] + j * n_in, x, n_in, p->in_bias[k],
                                                      p->in_multiplier[g], p->in_shift[g]);
                    const int32_t from_h = tg_lstm_fc(r[g] + j * n_state, h, n_state,
                                                      p->rec_bias[k], p->rec_multiplier[g],
                                                      p->rec_shift[g]);
                    gate[g] = tg_lstm_sat16(from_x + from_h);
                }
                gate[0] = tg_lstm_sigmoid(gate[0]);
                gate[1] = tg_lstm_sigmoid(gate[1]);
                gate[2] = tg_lstm_tanh(gate[2], 3, 0);
                gate[3] = tg_lstm_sigmoid(gate[3]);
                next = tg_clamp(tg_requantize((int32_t)gate[1] * c[j], p->forget_multiplier,
                                              p->forget_shift), -32768, 32767);
                update = tg_clamp(tg_requantize((int32_t)gate[0] * gate[2],
                                                p->input_multiplier, p->input_shift),
                                  -32768, 32767);
                next = tg_clamp(next + update, -32768, 32767);
                if (p->use_clip) {
                    next = tg_clamp(next, -p->cell_clip, p->cell_clip);
                }
                c[j] = (int16_t)next;
                squashed = tg_lstm_tanh(c[j], p->tanh_multiplier, p->tanh_shift);
                h_new = tg_requantize(squashed * gate[3], p->hidden_multiplier, p->hidden_shift);
                out[j] = (int8_t)tg_clamp(h_new + p->hidden_zero_point, -128, 127);
            }
            for (j = 0; j < n_state; ++j) {
                h[j] = out[j];
            }
        }
    }
}
