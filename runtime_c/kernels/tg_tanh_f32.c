/* float32 TANH, as TensorFlow Lite's float reference kernel: the C library's tanhf. */
#include <math.h>

#include "tg_kernels_f32.h"

void tg_tanh_f32(const tg_unary_f32_params *p, const float *input, float *output)
{
    int32_t i;
    for (i = 0; i < p->size; ++i) {
        output[i] = tanhf(input[i]);
    }
}
