/* float32 LEAKY_RELU, as TensorFlow Lite's float reference kernel: x where x > 0, else
 * x * alpha (alpha may be negative or above 1). */
#include "tg_kernels_f32.h"

void tg_leaky_relu_f32(const tg_leaky_relu_f32_params *p, const float *input,
                       float *output)
{
    int32_t i;
    for (i = 0; i < p->size; ++i) {
        const float v = input[i];
        output[i] = v > 0.0f ? v : v * p->alpha;
    }
}
