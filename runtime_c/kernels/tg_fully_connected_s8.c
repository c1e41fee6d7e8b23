/* int8 fully connected layer: output[b][o] = sum_d input[b][d] * filter[o][d] + bias[o].
 *
 * The input offset is folded into the bias at generation time, so the inner
 * loop is a plain int8 dot product. The accumulator is requantized with one
 * rounding, as TensorFlow Lite's reference kernel does (TFLM rounds twice and is
 * off by one on some values).
 */
#include "tg_fixedpoint.h"
#include "tg_kernels.h"

static int32_t tg_fc_dot(const int8_t *a, const int8_t *b, int32_t n)
{
    int32_t acc = 0;
    int32_t d;
    for (d = 0; d < n; ++d) {
        acc += (int32_t)a[d] * (int32_t)b[d];
    }
    return acc;
}

void tg_fully_connected_s8(const tg_fully_connected_params *p, const int8_t *input,
                           const int8_t *filter, int8_t *output)
{
    int32_t b, o, d;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in = input + b * p->accum_depth;
        for (o = 0; o < p->out_depth; ++o) {
            const int8_t *f = filter + o * p->accum_depth;
            const int32_t q = p->per_channel ? o : 0;
            int32_t acc = p->bias[o];
            if (p->filter_offset == 0) {
                acc += tg_fc_dot(in, f, p->accum_depth);
            } else {
                for (d = 0; d < p->accum_depth; ++d) {
                    acc += (int32_t)in[d] * ((int32_t)f[d] + p->filter_offset);
                }
            }
            acc = tg_requantize_single(acc, p->multiplier[q], p->shift[q]) + p->output_offset;
            output[b * p->out_depth + o] = (int8_t)tg_clamp(acc, p->act_min, p->act_max);
        }
    }
}
