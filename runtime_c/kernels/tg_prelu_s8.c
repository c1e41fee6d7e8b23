/* int8 PRELU with alphas that broadcast into the input (numpy-style, up to 6 dimensions):
 * the offset input requantized by multiplier 1 where it is at least 0, else its product
 * with the offset alpha requantized by multiplier 2; plus the output's zero point. */
#include "tg_elementwise.h"
#include "tg_kernels.h"

void tg_prelu_s8(const tg_prelu_params *p, const int8_t *input, const int8_t *alpha,
                 int8_t *output)
{
    int32_t index[TG_MAX_DIMS] = {0};
    int32_t i1 = 0, i2 = 0, n;
    for (n = 0; n < p->size; ++n) {
        const int32_t x = (int32_t)input[i1] + p->input_offset;
        int32_t v;
        if (x >= 0) {
            v = tg_requantize(x, p->output_multiplier_1, p->output_shift_1);
        } else {
            const int32_t a = (int32_t)alpha[i2] + p->alpha_offset;
            v = tg_requantize(x * a, p->output_multiplier_2, p->output_shift_2);
        }
        output[n] = (int8_t)tg_clamp(v + p->output_offset, -128, 127);
        tg_broadcast_next(p->dims, p->out_shape, p->in1_strides, p->in2_strides, index, &i1,
                          &i2);
    }
}
