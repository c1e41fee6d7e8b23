/* float32 BATCH_MATMUL, as TensorFlow Lite's reference BatchMatMul: for each (broadcast)
 * batch, output[i][j] = the sum over k from 0 of lhs(i, k) * rhs(k, j), added in float32 in
 * order of k; the operands are read through strides, so adj_x and adj_y need no
 * transposed copies. */
#include "tg_kernels_f32.h"

void tg_batch_matmul_f32(const tg_batch_matmul_f32_params *p, const float *lhs,
                         const float *rhs, float *output)
{
    int32_t b0, b1, b2, i, j, k;
    float *out = output;
    for (b0 = 0; b0 < p->batch_shape[0]; ++b0) {
        for (b1 = 0; b1 < p->batch_shape[1]; ++b1) {
            for (b2 = 0; b2 < p->batch_shape[2]; ++b2) {
                const float *a = lhs + b0 * p->lhs_batch_strides[0]
                                 + b1 * p->lhs_batch_strides[1] + b2 * p->lhs_batch_strides[2];
                const float *b = rhs + b0 * p->rhs_batch_strides[0]
                                 + b1 * p->rhs_batch_strides[1] + b2 * p->rhs_batch_strides[2];
                for (i = 0; i < p->rows; ++i) {
                    const float *x = a + i * p->lhs_row_stride;
                    for (j = 0; j < p->cols; ++j) {
                        const float *w = b + j * p->rhs_col_stride;
                        float total = 0.0f;
                        for (k = 0; k < p->depth; ++k) {
                            total += x[k * p->lhs_depth_stride] * w[k * p->rhs_depth_stride];
                        }
                        *out++ = total;
                    }
                }
            }
        }
    }
}
