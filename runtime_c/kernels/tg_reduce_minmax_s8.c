/* int8 REDUCE_MAX and REDUCE_MIN over a set of axes: the largest (or smallest) value of
 * each group; input and output share one quantization, so values are copied as they are. */
#include "tg_kernels.h"

/* Advances a 6-D index over `shape`; returns the change of the flat offset. */
static int32_t tg_reduce_next(int32_t *index, const int32_t *shape, const int32_t *strides)
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

void tg_reduce_minmax_s8(const tg_reduce_minmax_params *p, const int8_t *input,
                         int8_t *output)
{
    int32_t outer[TG_MAX_DIMS] = {0};
    int32_t base = 0, o, n;
    for (o = 0; o < p->outputs; ++o) {
        int32_t inner[TG_MAX_DIMS] = {0};
        int32_t at = base;
        int8_t best = p->minimum ? 127 : -128;
        for (n = 0; n < p->count; ++n) {
            const int8_t v = input[at];
            if (p->minimum ? v < best : v > best) {
                best = v;
            }
            at += tg_reduce_next(inner, p->reduced_shape, p->reduced_strides);
        }
        output[o] = best;
        base += tg_reduce_next(outer, p->kept_shape, p->kept_strides);
    }
}
