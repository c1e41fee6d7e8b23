/* int8 SVDF with int16 time weights and state, as TensorFlow Lite Micro's integer reference
 * SVDF computes it (TensorFlow Lite's reference gives the same bytes for a symmetric state).
 *
 * Per step: every filter's history moves one step older; the newest entry of filter f is
 * its feature dot product with the input (the input offset added to each input byte),
 * rescaled to the state's scale and saturated to int16. Unit u's output is its bias plus,
 * over its rank filters, the dot product of the filter's time weights with its history,
 * rescaled (double rounding, tg_requantize) to the output's scale, offset and saturated to
 * int8. Sums wrap in 32 bits. Like both references, it applies no fused activation to an
 * int8 output.
 */
#include "tg_fixedpoint.h"
#include "tg_recurrent_svdf.h"

void tg_svdf_s8(const tg_svdf_s8_params *p, const int8_t *input, const int8_t *weights_feature,
                const int16_t *weights_time, const int32_t *bias, int16_t *state,
                int8_t *output)
{
    const int32_t span = p->num_filters * p->memory_size; /* one batch's history */
    const int32_t total = p->batches * span;
    int32_t b, f, u, r, i;
    /* Age the history by one step. The element that moves out of a filter's window into its
     * neighbour's newest slot is overwritten below. */
    for (i = 0; i + 1 < total; ++i) {
        state[i] = state[i + 1];
    }
    for (b = 0; b < p->batches; ++b) {
        const int8_t *x = input + b * p->input_size;
        int16_t *history = state + b * span;
        int8_t *out = output + b * p->num_units;
        for (f = 0; f < p->num_filters; ++f) {
            const int8_t *w = weights_feature + f * p->input_size;
            int32_t acc = 0;
            for (i = 0; i < p->input_size; ++i) {
                acc += (int32_t)w[i] * ((int32_t)x[i] + p->input_offset);
            }
            acc = tg_requantize(acc, p->feature_multiplier, p->feature_shift);
            history[f * p->memory_size + p->memory_size - 1] =
                (int16_t)tg_clamp(acc, INT16_MIN, INT16_MAX);
        }
        for (u = 0; u < p->num_units; ++u) {
            uint32_t sum = bias != NULL ? (uint32_t)bias[u] : 0u;
            int32_t v;
            for (r = 0; r < p->rank; ++r) {
                const int32_t filter = u * p->rank + r;
                const int16_t *t = weights_time + filter * p->memory_size;
                const int16_t *h = history + filter * p->memory_size;
                for (i = 0; i < p->memory_size; ++i) {
                    sum += (uint32_t)((int32_t)t[i] * (int32_t)h[i]);
                }
            }
            v = tg_requantize((int32_t)sum, p->output_multiplier, p->output_shift);
            out[u] = (int8_t)tg_clamp(v + p->output_offset, INT8_MIN, INT8_MAX);
        }
    }
}
