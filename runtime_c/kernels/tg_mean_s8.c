/* int8 mean over a set of axes: integer sum of each group, then one requantization. */
#include "tg_fixedpoint.h"
#include "tg_kernels.h"

/* Advances a 6-D index over `shape`; returns the change of the flat offset. */
static int32_t tg_mean_next(int32_t *index, const int32_t *shape, const int32_t *strides)
{
    int32_t d, delta = 0;
    for (d = TG_MAX_DIMS - 1; d >= 0; --d) {
        ++index[d];
        delta += strides[d];
        if (index[d] < shape[d]) {
            break;
        }
        delta -= strides[d] * index[d];
        index[d] = 0;
    }
    return delta;
}

void tg_mean_s8(const tg_mean_params *p, const int8_t *input, int8_t *output)
{
    int32_t outer[TG_MAX_DIMS] = {0};
    int32_t base = 0, o, n;
    for (o = 0; o < p->outputs; ++o) {
        int32_t inner[TG_MAX_DIMS] = {0};
        int32_t at = base, sum = 0, v;
        for (n = 0; n < p->count; ++n) {
            sum += input[at];
            at += tg_mean_next(inner, p->reduced_shape, p->reduced_strides);
        }
        sum -= p->input_zero_point * p->count;
        v = tg_requantize(sum, p->multiplier, p->shift) + p->output_zero_point;
        output[o] = (int8_t)tg_clamp(v, -128, 127);
        base += tg_mean_next(outer, p->kept_shape, p->kept_strides);
    }
}
