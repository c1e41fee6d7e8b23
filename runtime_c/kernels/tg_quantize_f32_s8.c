/* float32 to int8: round(x / scale) + zero_point, halves away from zero, saturated. */
#include "tg_fixedpoint.h"
#include "tg_kernels.h"

void tg_quantize_f32_s8(const tg_quantize_params *p, const float *input, int8_t *output)
{
    int32_t i;
    for (i = 0; i < p->size; ++i) {
        float ratio = input[i] / p->scale;
        float whole;
        int32_t q;
        /* Far outside int8 either way; keeps the integer conversion defined. */
        ratio = ratio > 1.0e6f ? 1.0e6f : (ratio < -1.0e6f ? -1.0e6f : ratio);
        q = (int32_t)ratio; /* truncates toward zero */
        whole = (float)q;
        if (ratio - whole >= 0.5f) {
            ++q;
        } else if (ratio - whole <= -0.5f) {
            --q;
        }
        output[i] = (int8_t)tg_clamp(q + p->zero_point, -128, 127);
    }
}
