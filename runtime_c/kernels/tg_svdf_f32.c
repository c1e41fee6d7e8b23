/* float32 SVDF, as TensorFlow Lite Micro's float reference SVDF computes it, in its order
 * of additions.
 *
 * Per step: every filter's history moves one step older; the newest entry of filter f is
 * its feature dot product with the input (summed from 0). Unit u's output is its bias
 * (0 without one) plus, filter by filter over its rank filters, the dot product of the
 * filter's time weights with its history (each summed from 0), clamped to the fused
 * activation's range.
 */
#include "tg_kernels_f32.h"
#include "tg_recurrent_svdf.h"

void tg_svdf_f32(const tg_svdf_f32_params *p, const float *input, const float *weights_feature,
                 const float *weights_time, const float *bias, float *state, float *output)
{
    const int32_t span = p->num_filters * p->memory_size; /* one batch's history */
    const int32_t total = p->batches * span;
    int32_t b, f, u, r, i;
    /* Age the history by one step; the newest slots are overwritten below. */
    for (i = 0; i + 1 < total; ++i) {
        state[i] = state[i + 1];
    }
    for (b = 0; b < p->batches; ++b) {
        const float *x = input + b * p->input_size;
        float *history = state + b * span;
        float *out = output + b * p->num_units;
        for (f = 0; f < p->num_filters; ++f) {
            const float *w = weights_feature + f * p->input_size;
            float dot = 0.0f;
            for (i = 0; i < p->input_size; ++i) {
                dot += w[i] * x[i];
            }
            history[f * p->memory_size + p->memory_size - 1] = dot;
        }
        for (u = 0; u < p->num_units; ++u) {
            float sum = bias != NULL ? bias[u] : 0.0f;
            for (r = 0; r < p->rank; ++r) {
                const int32_t filter = u * p->rank + r;
                const float *t = weights_time + filter * p->memory_size;
                const float *h = history + filter * p->memory_size;
                float dot = 0.0f;
                for (i = 0; i < p->memory_size; ++i) {
                    dot += t[i] * h[i];
                }
                sum += dot;
            }
            out[u] = tg_clamp_f32(sum, p->act_min, p->act_max);
        }
    }
}
