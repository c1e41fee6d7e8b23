/* int16 to int8 with new quantization parameters, clamped (QUANTIZE of an int16 input, as
 * TensorFlow Lite's Requantize: the input minus its zero point, rescaled, plus the
 * output's zero point). */
#include "tg_fixedpoint.h"
#include "tg_kernels.h"

void tg_requantize_s16_s8(const tg_requantize_params *p, const int16_t *input, int8_t *output)
{
    int32_t i;
    for (i = 0; i < p->size; ++i) {
        const int32_t v =
            tg_requantize(input[i] + p->input_offset, p->multiplier, p->shift) + p->output_offset;
        output[i] = (int8_t)tg_clamp(v, p->act_min, p->act_max);
    }
}
