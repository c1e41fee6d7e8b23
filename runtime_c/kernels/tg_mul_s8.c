/* int8 multiplication of two tensors with numpy-style broadcasting (up to 6 dimensions). */
#include "tg_elementwise.h"
#include "tg_kernels.h"

void tg_mul_s8(const tg_mul_params *p, const int8_t *input1, const int8_t *input2,
               int8_t *output)
{
    int32_t index[TG_MAX_DIMS] = {0};
    int32_t i1 = 0, i2 = 0, n;
    for (n = 0; n < p->size; ++n) {
        const int32_t product = ((int32_t)input1[i1] + p->input1_offset) *
                                ((int32_t)input2[i2] + p->input2_offset);
        const int32_t v =
            tg_requantize(product, p->output_multiplier, p->output_shift) + p->output_offset;
        output[n] = (int8_t)tg_clamp(v, p->act_min, p->act_max);
        tg_broadcast_next(p->dims, p->out_shape, p->in1_strides, p->in2_strides, index, &i1,
                          &i2);
    }
}
