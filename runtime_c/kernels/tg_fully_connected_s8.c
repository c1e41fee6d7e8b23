/* int8 fully connected layer: output[b][o] = sum_d input[b][d] * filter[o][d] + bias[o]. */
#include "tg_fixedpoint.h"
#include "tg_kernels.h"

void tg_fully_connected_s8(const tg_fully_connected_params *p, const int8_t *input,
                           const int8_t *filter, const int32_t *bias, int8_t *output)
{
    int32_t b, o, d;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in = input + b * p->accum_depth;
        for (o = 0; o < p->out_depth; ++o) {
            const int8_t *f = filter + o * p->accum_depth;
            const int32_t q = p->per_channel ? o : 0;
            int32_t acc = 0;
            for (d = 0; d < p->accum_depth; ++d) {
                acc += ((int32_t)in[d] + p->input_offset) * ((int32_t)f[d] + p->filter_offset);
            }
            if (bias != NULL) {
                acc += bias[o];
            }
            acc = tg_requantize(acc, p->multiplier[q], p->shift[q]) + p->output_offset;
            output[b * p->out_depth + o] = (int8_t)tg_clamp(acc, p->act_min, p->act_max);
        }
    }
}
