/* int16 to int32 with new quantization parameters (QUANTIZE of an int16 input to int32, as
 * TensorFlow Lite's Requantize: the input minus its zero point, rescaled, plus the
 * output's zero point; the sum wraps as int32). */
#include "tg_fixedpoint.h"
#include "tg_kernels.h"

void tg_requantize_s16_s32(const tg_requantize_params *p, const int16_t *input, int32_t *output)
{
    int32_t i;
    for (i = 0; i < p->size; ++i) {
        const int32_t v = tg_requantize(input[i] + p->input_offset, p->multiplier, p->shift);
        output[i] = (int32_t)((uint32_t)v + (uint32_t)p->output_offset);
    }
}
