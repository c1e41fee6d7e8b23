/* float32 RELU and RELU6, as TensorFlow Lite's float kernels: x below 0 becomes 0 and,
 * for RELU6, x above 6 becomes 6 (a NaN stays NaN). */
#include "tg_kernels_f32.h"

void tg_relu_f32(const tg_relu_f32_params *p, const float *input, float *output)
{
    int32_t i;
    if (p->bounded) {
        for (i = 0; i < p->size; ++i) {
            const float v = input[i];
            output[i] = v > p->upper ? p->upper : (v < 0.0f ? 0.0f : v);
        }
    } else {
        for (i = 0; i < p->size; ++i) {
            const float v = input[i];
            output[i] = v < 0.0f ? 0.0f : v;
        }
    }
}
