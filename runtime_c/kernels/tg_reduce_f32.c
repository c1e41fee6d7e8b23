/* float32 MEAN, SUM, REDUCE_MAX and REDUCE_MIN over a set of axes, as TensorFlow Lite's
 * reference reductions: each output's values are combined in input order, SUM in float32
 * from 0, MEAN that sum divided by the count, REDUCE_MAX (REDUCE_MIN) from the lowest
 * (highest) float32, a value taken only when strictly larger (smaller). */
#include <float.h>

#include "tg_kernels_f32.h"

/* Advances a 6-D index over `shape`; returns the change of the flat offset. */
static int32_t tg_reduce_f32_next(int32_t *index, const int32_t *shape, const int32_t *strides)
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

void tg_reduce_f32(const tg_reduce_f32_params *p, const float *input, float *output)
{
    int32_t outer[TG_MAX_DIMS] = {0};
    int32_t base = 0, o, n;
    for (o = 0; o < p->outputs; ++o) {
        int32_t inner[TG_MAX_DIMS] = {0};
        int32_t at = base;
        float acc = p->op == TG_REDUCE_MAX ? -FLT_MAX : p->op == TG_REDUCE_MIN ? FLT_MAX : 0.0f;
        for (n = 0; n < p->count; ++n) {
            const float v = input[at];
            if (p->op == TG_REDUCE_MAX) {
                acc = v > acc ? v : acc;
            } else if (p->op == TG_REDUCE_MIN) {
                acc = v < acc ? v : acc;
            } else {
                acc += v;
            }
            at += tg_reduce_f32_next(inner, p->reduced_shape, p->reduced_strides);
        }
        output[o] = p->op == TG_REDUCE_MEAN ? acc / (float)p->count : acc;
        base += tg_reduce_f32_next(outer, p->kept_shape, p->kept_strides);
    }
}
