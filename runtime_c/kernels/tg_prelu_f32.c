/* float32 PRELU, as TensorFlow Lite's and TFLite Micro's float kernels: x where x >= 0,
 * else x * alpha, alpha broadcast into the input's shape (numpy-style, stride 0 along the
 * dimensions it broadcasts). */
#include "tg_elementwise.h"
#include "tg_kernels_f32.h"

void tg_prelu_f32(const tg_prelu_f32_params *p, const float *input, const float *alpha,
                  float *output)
{
    int32_t index[TG_MAX_DIMS] = {0, 0, 0, 0, 0, 0};
    int32_t i, i1 = 0, i2 = 0;
    for (i = 0; i < p->size; ++i) {
        const float v = input[i1];
        output[i] = v >= 0.0f ? v : v * alpha[i2];
        tg_broadcast_next(p->dims, p->out_shape, p->in1_strides, p->in2_strides, index, &i1,
                          &i2);
    }
}
