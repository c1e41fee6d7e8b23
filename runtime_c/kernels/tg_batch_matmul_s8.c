/* int8 BATCH_MATMUL: for each (broadcast) batch, output[i][j] = requantized sum over k of
 * (lhs(i, k) + lhs_offset) * (rhs(k, j) + rhs_offset); the operands are read through
 * strides, so adj_x and adj_y need no transposed copies. */
#include "tg_fixedpoint.h"
#include "tg_kernels.h"

void tg_batch_matmul_s8(const tg_batch_matmul_params *p, const int8_t *lhs,
                        const int8_t *rhs, int8_t *output)
{
    int32_t b0, b1, b2, i, j, k;
    int8_t *out = output;
    for (b0 = 0; b0 < p->batch_shape[0]; ++b0) {
        for (b1 = 0; b1 < p->batch_shape[1]; ++b1) {
            for (b2 = 0; b2 < p->batch_shape[2]; ++b2) {
                const int8_t *a = lhs + b0 * p->lhs_batch_strides[0] +
                                  b1 * p->lhs_batch_strides[1] + b2 * p->lhs_batch_strides[2];
                const int8_t *b = rhs + b0 * p->rhs_batch_strides[0] +
                                  b1 * p->rhs_batch_strides[1] + b2 * p->rhs_batch_strides[2];
                for (i = 0; i < p->rows; ++i) {
                    for (j = 0; j < p->cols; ++j) {
                        const int8_t *x = a + i * p->lhs_row_stride;
                        const int8_t *w = b + j * p->rhs_col_stride;
                        int32_t total = 0, v;
                        for (k = 0; k < p->depth; ++k) {
                            total += ((int32_t)x[k * p->lhs_depth_stride] + p->lhs_offset) *
                                     ((int32_t)w[k * p->rhs_depth_stride] + p->rhs_offset);
                        }
                        v = tg_requantize(total, p->multiplier, p->shift) + p->output_offset;
                        *out++ = (int8_t)tg_clamp(v, -128, 127);
                    }
                }
            }
        }
    }
}
