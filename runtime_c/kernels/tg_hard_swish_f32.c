/* float32 HARD_SWISH, as TensorFlow Lite's float reference kernel:
 * x * min(6, max(0, x + 3)) / 6, multiplied first, then divided by 6. */
#include "tg_kernels_f32.h"

void tg_hard_swish_f32(const tg_unary_f32_params *p, const float *input, float *output)
{
    int32_t i;
    for (i = 0; i < p->size; ++i) {
        const float v = input[i];
        const float shifted = v + 3.0f;
        const float low = 0.0f < shifted ? shifted : 0.0f;
        const float gate = low < 6.0f ? low : 6.0f;
        output[i] = v * gate / 6.0f;
    }
}
