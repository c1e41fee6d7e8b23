/* int8 to float32: scale * (q - zero_point), computed in double as TFLM does. */
#include "tg_kernels.h"

void tg_dequantize_s8_f32(const tg_dequantize_params *p, const int8_t *input, float *output)
{
    int32_t i;
    for (i = 0; i < p->size; ++i) {
        output[i] = (float)(p->scale * (double)((int32_t)input[i] - p->zero_point));
    }
}
