/* Parameter structs and entry points of tinygen's C kernels.
 *
 * Every parameter is computed by the generator and stored as const data; the
 * kernels only read them. "tg_names.h" is written per generated library and
 * renames each entry point with the library's prefix, so several generated
 * models link into one program.
 *
 * Memory contract the planner relies on (tinygen/memory/overlap.py, sharing.py):
 * the windowed kernels (convolution, depthwise convolution, pooling) visit the
 * output pixels in raster order and, while computing pixel p, read only p's
 * input window and write only p's output bytes; element-wise kernels read
 * element i before writing element i. Their output may therefore overlap a
 * dying input. Keep this true when optimizing a kernel.
 */
#ifndef TG_KERNELS_H
#define TG_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "tg_names.h"

/* Constant int8 arrays the specialized kernels read a word (or two) at a time. */
#if defined(__GNUC__)
#define TG_ALIGN4 __attribute__((aligned(4)))
#else
#define TG_ALIGN4
#endif

typedef struct {
    int32_t batches, in_h, in_w, in_c, out_h, out_w, out_c;
    int32_t filter_h, filter_w, filter_c;
    int32_t stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w;
    int32_t depth_multiplier;
    int32_t input_offset, output_offset, act_min, act_max;
    const int32_t *multiplier; /* one per output channel */
    const int32_t *shift;
} tg_conv_params;

typedef struct {
    int32_t batches, accum_depth, out_depth;
    int32_t input_offset, filter_offset, output_offset, act_min, act_max;
    int32_t per_channel; /* 1: one multiplier per output, 0: one in all */
    const int32_t *multiplier;
    const int32_t *shift;
    const int32_t *bias; /* model bias + input_offset * sum of (filter + filter_offset) */
} tg_fully_connected_params;

typedef struct {
    int32_t batches, in_h, in_w, channels, out_h, out_w;
    int32_t filter_h, filter_w, stride_h, stride_w, pad_h, pad_w;
    int32_t act_min, act_max;
} tg_pool_params;

typedef struct {
    int32_t rows, depth;
    int32_t input_multiplier, input_left_shift, diff_min;
    int32_t output_bits; /* 8: an int8 output, 16: an int16 one */
} tg_softmax_params;

#define TG_MAX_DIMS 6

typedef struct {
    int32_t size, dims;
    int32_t out_shape[TG_MAX_DIMS];
    int32_t in1_strides[TG_MAX_DIMS]; /* 0 along broadcast dimensions */
    int32_t in2_strides[TG_MAX_DIMS];
    int32_t left_shift;
    int32_t input1_offset, input1_multiplier, input1_shift;
    int32_t input2_offset, input2_multiplier, input2_shift;
    int32_t output_offset, output_multiplier, output_shift;
    int32_t act_min, act_max;
} tg_add_params;

typedef struct {
    int32_t size, zero_point;
    float scale;
} tg_quantize_params;

typedef struct {
    int32_t size, input_offset, output_offset, multiplier, shift;
    int32_t act_min, act_max;
} tg_requantize_params;

typedef struct {
    int32_t size, zero_point;
    double scale;
} tg_dequantize_params;

typedef struct {
    int32_t outputs, count;
    int32_t kept_shape[TG_MAX_DIMS], kept_strides[TG_MAX_DIMS];
    int32_t reduced_shape[TG_MAX_DIMS], reduced_strides[TG_MAX_DIMS];
    int32_t input_zero_point, output_zero_point, multiplier, shift;
} tg_mean_params;

typedef struct {
    int32_t bytes;
} tg_copy_params;

/* Specialized convolutions, chosen per layer by the generator (tinygen/lowering/fast.py);
 * their filters are re-laid out and their biases include the input offset. */
typedef struct {
    int32_t batches, in_h, in_w, in_c, out_h, out_w, out_c;
    int32_t filter_h, filter_w, stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w;
    int32_t direct;    /* 1: an unpadded 1x1 window read in place; 0: windows gathered */
    int32_t pad_value; /* the input zero point */
    int32_t act_min, act_max;
    const int8_t *filter; /* quads of channels (tg_conv2d_fast_s8.c), 4-byte aligned */
    const int16_t *filter16; /* or the same widened to int16 (then filter is NULL) */
    /* per channel, out_c padded to a multiple of 4: model bias + input_offset * sum of the
     * filter, multiplier, right shift + 1, rounding constant with the output offset */
    const int32_t *quant;
} tg_conv_fast_params;

#define TG_DEPTHWISE_FAST_TAPS 25

typedef struct {
    int32_t batches, in_h, in_w, channels, out_h, out_w;
    int32_t filter_h, filter_w, stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w;
    int32_t act_min, act_max;
    const int8_t *filter; /* [channels / 4][taps][4], then [taps][channels % 4] */
    /* per channel: model bias + input_offset * sum of the filter, then tg_quad_requantize's
     * multiplier, right shift + 1 and rounding constant with the output offset */
    const int32_t *quant;
    const int8_t *pad; /* channels bytes of the input zero point */
} tg_depthwise_fast_params;

/* Specialized FULLY_CONNECTED (per-tensor weights, tinygen/lowering/fast_fc.py). */
typedef struct {
    int32_t batches, depth, out_depth;
    int32_t multiplier, high_shift;      /* output = (acc * multiplier + K) >> (32 + high_shift) */
    int32_t rounding_low, rounding_high; /* K, the rounding with the output offset */
    int32_t act_min, act_max;
    const int8_t *filter; /* quads of rows (tg_fully_connected_fast_s8.c), 4-byte aligned */
    const int32_t *bias;  /* model bias + input_offset * sum of the row, out_depth padded */
} tg_fully_connected_fast_params;

/* scratch: filter_h * filter_w * in_c bytes unless direct (then unused, may be NULL) */
void tg_conv2d_fast_s8(const tg_conv_fast_params *p, const int8_t *input, int8_t *output,
                       int8_t *scratch);
void tg_fully_connected_fast_s8(const tg_fully_connected_fast_params *p, const int8_t *input,
                                int8_t *output);
/* at most TG_DEPTHWISE_FAST_TAPS taps, one output channel per input channel */
void tg_depthwise_conv2d_fast_s8(const tg_depthwise_fast_params *p, const int8_t *input,
                                 int8_t *output);
/* the in-place form (batch 1): input and output are the same bytes; scratch holds one
 * padded input channel, ((out_h - 1) * stride_h + (filter_h - 1) * dilation_h + 1) times
 * the same along w */
void tg_depthwise_conv2d_fast_s8_inplace(const tg_depthwise_fast_params *p,
                                         const int8_t *input, int8_t *output, int8_t *scratch);
typedef struct {
    int32_t size;
    int32_t output_offset, output_multiplier, output_shift, act_min, act_max;
    const int32_t *table1; /* 256: the first input's scaled value, by its byte as unsigned */
    const int32_t *table2;
} tg_add_fast_params;

/* inputs of the output's shape; the output may overwrite an input */
void tg_add_fast_s8(const tg_add_fast_params *p, const int8_t *input1, const int8_t *input2,
                    int8_t *output);
void tg_conv2d_s8(const tg_conv_params *p, const int8_t *input, const int8_t *filter,
                  const int32_t *bias, int8_t *output);
void tg_depthwise_conv2d_s8(const tg_conv_params *p, const int8_t *input,
                            const int8_t *filter, const int32_t *bias, int8_t *output);
/* input and output are the same bytes; scratch holds out_h * out_w bytes */
void tg_depthwise_conv2d_s8_inplace(const tg_conv_params *p, const int8_t *input,
                                    const int8_t *filter, const int32_t *bias, int8_t *output,
                                    int8_t *scratch);
void tg_fully_connected_s8(const tg_fully_connected_params *p, const int8_t *input,
                           const int8_t *filter, int8_t *output);
void tg_avg_pool_s8(const tg_pool_params *p, const int8_t *input, int8_t *output);
void tg_max_pool_s8(const tg_pool_params *p, const int8_t *input, int8_t *output);
/* output: int8_t or int16_t (output_bits) */
void tg_softmax_s8(const tg_softmax_params *p, const int8_t *input, void *output);
void tg_add_s8(const tg_add_params *p, const int8_t *input1, const int8_t *input2,
               int8_t *output);
/* input1 - input2 with ADD's arithmetic (SUB). */
void tg_sub_s8(const tg_add_params *p, const int8_t *input1, const int8_t *input2,
               int8_t *output);
void tg_quantize_f32_s8(const tg_quantize_params *p, const float *input, int8_t *output);
void tg_requantize_s8(const tg_requantize_params *p, const int8_t *input, int8_t *output);
void tg_requantize_s16_s8(const tg_requantize_params *p, const int16_t *input, int8_t *output);
void tg_requantize_s16_s32(const tg_requantize_params *p, const int16_t *input,
                           int32_t *output);
void tg_dequantize_s8_f32(const tg_dequantize_params *p, const int8_t *input, float *output);
void tg_mean_s8(const tg_mean_params *p, const int8_t *input, int8_t *output);
void tg_copy(const tg_copy_params *p, const void *input, void *output);

/* SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND (TensorFlow Lite's semantics) on [N, H, W, C]
 * tensors; a 3-D [N, H, C] tensor is [N, H, 1, C] with block_w 1. They move pixels
 * between batches: their output must not overlap their input. */
typedef struct {
    int32_t in_batches, in_h, in_w, channels, out_batches, out_h, out_w;
    int32_t block_h, block_w, pad_top, pad_left;
    int32_t pad_value; /* the output's zero point */
} tg_space_to_batch_params;

typedef struct {
    int32_t in_batches, in_h, in_w, channels, out_batches, out_h, out_w;
    int32_t block_h, block_w, crop_top, crop_left;
} tg_batch_to_space_params;

void tg_space_to_batch_nd_s8(const tg_space_to_batch_params *p, const int8_t *input,
                             int8_t *output);
void tg_batch_to_space_nd_s8(const tg_batch_to_space_params *p, const int8_t *input,
                             int8_t *output);

/* Constant padding (PAD, PADV2): out_shape = in_shape + before + after per dimension (dims
 * of them, leading ones 1), every padded element pad_value; input and output share their
 * quantization and must not overlap. */
typedef struct {
    int32_t dims;
    int32_t in_shape[TG_MAX_DIMS];
    int32_t out_shape[TG_MAX_DIMS];
    int32_t before[TG_MAX_DIMS];
    int32_t pad_value;
    int32_t in_size, out_size;
} tg_pad_params;

void tg_pad_s8(const tg_pad_params *p, const int8_t *input, int8_t *output);

/* CONCATENATION along one axis of count inputs that share the output's quantization:
 * outer = elements before the axis, out_inner and inner[k] = the output's and input k's
 * elements from the axis on. inputs holds count pointers; none overlaps the output. */
typedef struct {
    int32_t count, outer, out_inner;
    const int32_t *inner;
    int32_t axis, act_min, act_max;
} tg_concatenation_params;

void tg_concatenation_s8(const tg_concatenation_params *p, const int8_t *const *inputs,
                         int8_t *output);

/* MUL: (input1 + input1_offset) * (input2 + input2_offset) requantized, broadcasting as ADD. */
typedef struct {
    int32_t size, dims;
    int32_t out_shape[TG_MAX_DIMS];
    int32_t in1_strides[TG_MAX_DIMS];
    int32_t in2_strides[TG_MAX_DIMS];
    int32_t input1_offset, input2_offset, output_offset;
    int32_t output_multiplier, output_shift, act_min, act_max;
} tg_mul_params;

void tg_mul_s8(const tg_mul_params *p, const int8_t *input1, const int8_t *input2,
               int8_t *output);

/* TRANSPOSE_CONV: NHWC input [batches, in_h, in_w, in_c], OHWI filter [out_c, filter_h,
 * filter_w, in_c], optional bias (NULL: none); input pixel (iy, ix) reaches output pixel
 * (iy * stride_h - pad_h + ky, ix * stride_w - pad_w + kx). Gathered per output pixel, no
 * scratch; the output must not overlap the input. */
typedef struct {
    int32_t batches, in_h, in_w, in_c, out_h, out_w, out_c;
    int32_t filter_h, filter_w, stride_h, stride_w, pad_h, pad_w;
    int32_t input_offset, output_offset, act_min, act_max;
    const int32_t *multiplier; /* one per output channel */
    const int32_t *shift;
} tg_transpose_conv_params;

void tg_transpose_conv_s8(const tg_transpose_conv_params *p, const int8_t *input,
                          const int8_t *filter, const int32_t *bias, int8_t *output);

/* RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR of [batches, in_h, in_w, channels] to
 * [batches, out_h, out_w, channels], input and output in one quantization. Nearest: rows[y]
 * and cols[x] are the input row and column of output pixel (y, x). Bilinear: rows[3 y ..]
 * and cols[3 x ..] are (lower, upper, fraction in 1/1024ths). The output must not overlap
 * the input. */
typedef struct {
    int32_t batches, in_h, in_w, channels, out_h, out_w;
    const int32_t *rows; /* out_h entries */
    const int32_t *cols; /* out_w entries */
} tg_resize_nearest_params;

typedef struct {
    int32_t batches, in_h, in_w, channels, out_h, out_w;
    const int32_t *rows; /* out_h triples */
    const int32_t *cols; /* out_w triples */
} tg_resize_bilinear_params;

void tg_resize_nearest_s8(const tg_resize_nearest_params *p, const int8_t *input,
                          int8_t *output);
void tg_resize_bilinear_s8(const tg_resize_bilinear_params *p, const int8_t *input,
                           int8_t *output);

/* Data movement on int8 tensors that share one quantization; no output overlaps an input. */

/* One strided view (TRANSPOSE, SLICE, STRIDED_SLICE, SPACE_TO_DEPTH, DEPTH_TO_SPACE): output
 * element (i_0, ..., i_5) of out_shape (leading ones 1) is input element
 * start + sum of i_d * in_strides[d]; strides are in elements and may be negative. */
typedef struct {
    int32_t dims;
    int32_t out_shape[TG_MAX_DIMS];
    int32_t in_strides[TG_MAX_DIMS];
    int32_t start, size;
} tg_strided_copy_params;

void tg_strided_copy_s8(const tg_strided_copy_params *p, const int8_t *input, int8_t *output);

/* An output of a kernel that writes several, in the const array of them it takes. */
typedef int8_t *tg_s8_output;

/* SPLIT, SPLIT_V, UNPACK: the inverse of CONCATENATION. outer = elements before the axis,
 * in_inner and inner[k] = the input's and output k's elements from the axis on; outputs
 * holds count pointers. */
typedef struct {
    int32_t count, outer, in_inner;
    const int32_t *inner;
    int32_t axis;
} tg_split_params;

void tg_split_s8(const tg_split_params *p, const int8_t *input, const tg_s8_output *outputs);

/* GATHER: input [batch, outer, axis_size, inner_size] (flattened), indices [batch,
 * coord_size] (p->indices when the indices argument is NULL), output [batch, outer,
 * coord_size, inner_size]; an index outside [0, axis_size) writes fill. */
typedef struct {
    int32_t batch_size, outer_size, axis_size, inner_size, coord_size, fill;
    const int32_t *indices;
} tg_gather_params;

void tg_gather_s8(const tg_gather_params *p, const int8_t *input, const int32_t *indices,
                  int8_t *output);

/* MIRROR_PAD: out_shape = in_shape + before + after per dimension (dims of them, leading
 * ones 1), the padding mirrored about the edge element (offset 1, REFLECT) or repeating it
 * (offset 0, SYMMETRIC). */
typedef struct {
    int32_t dims;
    int32_t in_shape[TG_MAX_DIMS];
    int32_t out_shape[TG_MAX_DIMS];
    int32_t before[TG_MAX_DIMS];
    int32_t offset, out_size;
} tg_mirror_pad_params;

void tg_mirror_pad_s8(const tg_mirror_pad_params *p, const int8_t *input, int8_t *output);

/* LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU, a PRELU with one alpha: output[i] is
 * table[(uint8_t)input[i]], the 256 results the generator computed. */
typedef struct {
    int32_t size;
    const int8_t *table;
} tg_lut_params;

void tg_lut_s8(const tg_lut_params *p, const int8_t *input, int8_t *output);

/* PRELU with alphas that broadcast into the input (as ADD broadcasts; in2 is alpha):
 * (input + input_offset) >= 0 requantized by multiplier 1, else times
 * (alpha + alpha_offset) requantized by multiplier 2; plus output_offset. */
typedef struct {
    int32_t size, dims;
    int32_t out_shape[TG_MAX_DIMS];
    int32_t in1_strides[TG_MAX_DIMS];
    int32_t in2_strides[TG_MAX_DIMS];
    int32_t input_offset, alpha_offset, output_offset;
    int32_t output_multiplier_1, output_shift_1, output_multiplier_2, output_shift_2;
} tg_prelu_params;

void tg_prelu_s8(const tg_prelu_params *p, const int8_t *input, const int8_t *alpha,
                 int8_t *output);

/* SQUARED_DIFFERENCE with ADD's parameters (left_shift 7): the two inputs on a common
 * scale, their difference squared and requantized. */
void tg_squared_difference_s8(const tg_add_params *p, const int8_t *input1,
                              const int8_t *input2, int8_t *output);

/* MAXIMUM and MINIMUM of the stored bytes, broadcasting as ADD. */
typedef struct {
    int32_t size, dims;
    int32_t out_shape[TG_MAX_DIMS];
    int32_t in1_strides[TG_MAX_DIMS];
    int32_t in2_strides[TG_MAX_DIMS];
} tg_minmax_params;

void tg_maximum_s8(const tg_minmax_params *p, const int8_t *input1, const int8_t *input2,
                   int8_t *output);
void tg_minimum_s8(const tg_minmax_params *p, const int8_t *input1, const int8_t *input2,
                   int8_t *output);

/* Reductions and matrix products (SUM runs on tg_mean_s8 with MEAN's 1/count left out). */

/* REDUCE_MAX (minimum 0) and REDUCE_MIN (minimum 1), walked as tg_mean_s8 walks its groups;
 * input and output share one quantization. */
typedef struct {
    int32_t outputs, count;
    int32_t kept_shape[TG_MAX_DIMS], kept_strides[TG_MAX_DIMS];
    int32_t reduced_shape[TG_MAX_DIMS], reduced_strides[TG_MAX_DIMS];
    int32_t minimum;
} tg_reduce_minmax_params;

void tg_reduce_minmax_s8(const tg_reduce_minmax_params *p, const int8_t *input,
                         int8_t *output);

/* ARG_MAX (minimum 0) and ARG_MIN (minimum 1) of input [outer, axis_size, inner] along the
 * middle dimension: output [outer, inner] of int32_t (index_bytes 4) or int64_t (8) indices,
 * the first of equal values. */
typedef struct {
    int32_t outer, axis_size, inner, minimum, index_bytes;
} tg_arg_minmax_params;

void tg_arg_minmax_s8(const tg_arg_minmax_params *p, const int8_t *input, void *output);

/* L2_NORMALIZATION of input [outer, depth] along depth; the output has scale 1/128 and
 * zero point 0. */
typedef struct {
    int32_t outer, depth, input_zero_point;
} tg_l2_normalization_params;

void tg_l2_normalization_s8(const tg_l2_normalization_params *p, const int8_t *input,
                            int8_t *output);

/* BATCH_MATMUL: output [batch_shape..., rows, cols] (row-major); lhs element (i, k) of a
 * batch lies at i * lhs_row_stride + k * lhs_depth_stride from its batch's start, rhs
 * element (k, j) at k * rhs_depth_stride + j * rhs_col_stride; batch strides are 0 where
 * an operand broadcasts. */
typedef struct {
    int32_t batch_shape[3], lhs_batch_strides[3], rhs_batch_strides[3];
    int32_t rows, cols, depth;
    int32_t lhs_row_stride, lhs_depth_stride, rhs_depth_stride, rhs_col_stride;
    int32_t lhs_offset, rhs_offset, output_offset, multiplier, shift;
} tg_batch_matmul_params;

void tg_batch_matmul_s8(const tg_batch_matmul_params *p, const int8_t *lhs,
                        const int8_t *rhs, int8_t *output);

#endif /* TG_KERNELS_H */
