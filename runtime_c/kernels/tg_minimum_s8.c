/* int8 MINIMUM of two tensors with numpy-style broadcasting (up to 6 dimensions): the
 * smaller stored byte, as TensorFlow Lite's int8 kernel compares them. */
#include "tg_elementwise.h"
#include "tg_kernels.h"

void tg_minimum_s8(const tg_minmax_params *p, const int8_t *input1, const int8_t *input2,
                   int8_t *output)
{
    int32_t index[TG_MAX_DIMS] = {0};
    int32_t i1 = 0, i2 = 0, n;
    for (n = 0; n < p->size; ++n) {
        const int8_t a = input1[i1];
        const int8_t b = input2[i2];
        output[n] = a < b ? a : b;
        tg_broadcast_next(p->dims, p->out_shape, p->in1_strides, p->in2_strides, index, &i1,
                          &i2);
    }
}
