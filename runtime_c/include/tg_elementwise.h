/* What the element-wise kernels with numpy-style broadcasting (ADD, SUB, MUL) share: the
 * walk over the output, each input's element index following it (stride 0 along the
 * dimensions an input broadcasts), and ADD's and SUB's rescaling of an input. */
#ifndef TG_ELEMENTWISE_H
#define TG_ELEMENTWISE_H

#include <stdint.h>

#include "tg_fixedpoint.h"

/* An input of ADD or SUB on the common scale: (x + offset) << left_shift, requantized. */
static inline int32_t tg_elementwise_scale(int32_t x, int32_t offset, int32_t left_shift,
                                           int32_t multiplier, int32_t shift)
{
    const int32_t shifted = (int32_t)((uint32_t)(x + offset) << left_shift);
    return tg_requantize(shifted, multiplier, shift);
}

/* The next output element: index[] (dims entries) advances innermost first, *i1 and *i2
 * by the inputs' strides, going back where a dimension wraps. */
static inline void tg_broadcast_next(int32_t dims, const int32_t *out_shape,
                                     const int32_t *strides1, const int32_t *strides2,
                                     int32_t *index, int32_t *i1, int32_t *i2)
{
    int32_t d;
    for (d = dims - 1; d >= 0; --d) {
        ++index[d];
        *i1 += strides1[d];
        *i2 += strides2[d];
        if (index[d] < out_shape[d]) {
            return;
        }
        *i1 -= strides1[d] * index[d];
        *i2 -= strides2[d] * index[d];
        index[d] = 0;
    }
}

#endif /* TG_ELEMENTWISE_H */
