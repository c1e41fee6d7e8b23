/* float32 L2_NORMALIZATION along the last dimension, as TensorFlow Lite's float reference
 * kernel: per row, the sum of squares from 0 in element order, its square root raised to
 * at least epsilon (1e-6), then each value divided by that norm. */
#include <math.h>

#include "tg_kernels_f32.h"

void tg_l2_normalization_f32(const tg_l2_normalization_f32_params *p, const float *input,
                             float *output)
{
    int32_t r, c;
    for (r = 0; r < p->outer; ++r) {
        const float *x = input + r * p->depth;
        float *y = output + r * p->depth;
        float squares = 0.0f, norm;
        for (c = 0; c < p->depth; ++c) {
            squares += x[c] * x[c];
        }
        norm = sqrtf(squares);
        norm = norm < p->epsilon ? p->epsilon : norm;
        for (c = 0; c < p->depth; ++c) {
            y[c] = x[c] / norm;
        }
    }
}
