/* float32 element-wise operators of two inputs with numpy-style broadcasting (ADD, SUB,
 * MUL, MAXIMUM, MINIMUM, SQUARED_DIFFERENCE, DIV), as TensorFlow Lite's reference kernels:
 * the operation on the pair of elements, then for the operators with a fused activation
 * (ADD, SUB, MUL, DIV) the clamp to its range (an infinity becomes the largest float, as
 * TensorFlow Lite's range without activation does); MAXIMUM, MINIMUM and
 * SQUARED_DIFFERENCE have none and keep infinities. */
#include "tg_elementwise.h"
#include "tg_kernels_f32.h"

static float tg_binary_apply(int32_t op, float a, float b)
{
    switch (op) {
    case TG_BINARY_ADD:
        return a + b;
    case TG_BINARY_SUB:
        return a - b;
    case TG_BINARY_MUL:
        return a * b;
    case TG_BINARY_MAXIMUM:
        return a > b ? a : b;
    case TG_BINARY_MINIMUM:
        return a < b ? a : b;
    case TG_BINARY_SQUARED_DIFFERENCE:
        return (a - b) * (a - b);
    default:
        return a / b;
    }
}

void tg_binary_f32(const tg_binary_f32_params *p, const float *input1, const float *input2,
                   float *output)
{
    int32_t index[TG_MAX_DIMS] = {0, 0, 0, 0, 0, 0};
    const int32_t activated = p->op <= TG_BINARY_MUL || p->op == TG_BINARY_DIV;
    int32_t i, i1 = 0, i2 = 0;
    for (i = 0; i < p->size; ++i) {
        const float v = tg_binary_apply(p->op, input1[i1], input2[i2]);
        output[i] = activated ? tg_clamp_f32(v, p->act_min, p->act_max) : v;
        tg_broadcast_next(p->dims, p->out_shape, p->in1_strides, p->in2_strides, index, &i1,
                          &i2);
    }
}
