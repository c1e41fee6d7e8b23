/* int8 SQUARED_DIFFERENCE with numpy-style broadcasting (up to 6 dimensions): both inputs
 * on a common scale as ADD puts them (left_shift 7), their difference squared and
 * requantized, plus the output's zero point. */
#include "tg_elementwise.h"
#include "tg_kernels.h"

void tg_squared_difference_s8(const tg_add_params *p, const int8_t *input1,
                              const int8_t *input2, int8_t *output)
{
    int32_t index[TG_MAX_DIMS] = {0};
    int32_t i1 = 0, i2 = 0, n;
    for (n = 0; n < p->size; ++n) {
        const int32_t a = tg_elementwise_scale(input1[i1], p->input1_offset, p->left_shift,
                                               p->input1_multiplier, p->input1_shift);
        const int32_t b = tg_elementwise_scale(input2[i2], p->input2_offset, p->left_shift,
                                               p->input2_multiplier, p->input2_shift);
        const int32_t diff = a - b; /* each at most 255 * 2^7 / 2 in magnitude */
        const int32_t v = tg_requantize(diff * diff, p->output_multiplier, p->output_shift) +
                          p->output_offset;
        output[n] = (int8_t)tg_clamp(v, p->act_min, p->act_max);
        tg_broadcast_next(p->dims, p->out_shape, p->in1_strides, p->in2_strides, index, &i1,
                          &i2);
    }
}
