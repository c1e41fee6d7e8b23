/* float32 softmax over the last dimension, as TensorFlow Lite's reference kernel:
 * exp((x - max) * beta) per value, their sum from 0, then each divided by the sum. */
#include <math.h>

#include "tg_kernels_f32.h"

void tg_softmax_f32(const tg_softmax_f32_params *p, const float *input, float *output)
{
    int32_t r, c;
    for (r = 0; r < p->rows; ++r) {
        const float *x = input + r * p->depth;
        float *y = output + r * p->depth;
        float top = x[0], sum = 0.0f;
        for (c = 1; c < p->depth; ++c) {
            top = x[c] > top ? x[c] : top;
        }
        for (c = 0; c < p->depth; ++c) {
            y[c] = expf((x[c] - top) * p->beta);
            sum += y[c];
        }
        for (c = 0; c < p->depth; ++c) {
            y[c] = y[c] / sum;
        }
    }
}
