/* int8 to int8 with new quantization parameters, clamped (QUANTIZE, RELU, RELU6). */
#include "tg_fixedpoint.h"
#include "tg_kernels.h"

void tg_requantize_s8(const tg_requantize_params *p, const int8_t *input, int8_t *output)
{
    int32_t i;
    for (i = 0; i < p->size; ++i) {
        const int32_t v =
            tg_requantize(input[i] + p->input_offset, p->multiplier, p->shift) + p->output_offset;
        output[i] = (int8_t)tg_clamp(v, p->act_min, p->act_max);
    }
}
