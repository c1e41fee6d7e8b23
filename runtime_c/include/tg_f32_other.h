/* float32 kernels: resizes, batched matrix products and transposed convolutions (see
 * tg_kernels_f32.h). */
#ifndef TG_F32_OTHER_H
#define TG_F32_OTHER_H

#include <stdint.h>

#include "tg_kernels.h"

/* RESIZE_NEAREST_NEIGHBOR takes tg_resize_nearest_params (tg_kernels.h). RESIZE_BILINEAR:
 * rows[2 y], rows[2 y + 1] are the lower and upper input rows of output row y, weighted
 * row_weights[2 y] and row_weights[2 y + 1]; cols and col_weights likewise per column.
 * The output must not overlap the input. */
typedef struct {
    int32_t batches, in_h, in_w, channels, out_h, out_w;
    const int32_t *rows; /* out_h pairs */
    const int32_t *cols; /* out_w pairs */
    const float *row_weights; /* out_h pairs */
    const float *col_weights; /* out_w pairs */
} tg_resize_bilinear_f32_params;

void tg_resize_nearest_f32(const tg_resize_nearest_params *p, const float *input,
                           float *output);
void tg_resize_bilinear_f32(const tg_resize_bilinear_f32_params *p, const float *input,
                            float *output);

/* BATCH_MATMUL: output [batch_shape..., rows, cols] (row-major); lhs element (i, k) of a
 * batch lies at i * lhs_row_stride + k * lhs_depth_stride from its batch's start, rhs
 * element (k, j) at k * rhs_depth_stride + j * rhs_col_stride; batch strides are 0 where
 * an operand broadcasts (as tg_batch_matmul_params, without the quantization). */
typedef struct {
    int32_t batch_shape[3], lhs_batch_strides[3], rhs_batch_strides[3];
    int32_t rows, cols, depth;
    int32_t lhs_row_stride, lhs_depth_stride, rhs_depth_stride, rhs_col_stride;
} tg_batch_matmul_f32_params;

void tg_batch_matmul_f32(const tg_batch_matmul_f32_params *p, const float *lhs,
                         const float *rhs, float *output);

/* TRANSPOSE_CONV of input [batches, in_h, in_w, in_c] with weights [out_c, filter_h,
 * filter_w, in_c]: input pixel (iy, ix) reaches output pixel (iy * stride_h - pad_h + ky,
 * ix * stride_w - pad_w + kx) through tap (ky, kx); bias may be NULL. The output must not
 * overlap the input. */
typedef struct {
    int32_t batches, in_h, in_w, in_c, out_h, out_w, out_c;
    int32_t filter_h, filter_w, stride_h, stride_w, pad_h, pad_w;
    float act_min, act_max;
} tg_transpose_conv_f32_params;

void tg_transpose_conv_f32(const tg_transpose_conv_f32_params *p, const float *input,
                           const float *filter, const float *bias, float *output);

#endif /* TG_F32_OTHER_H */
