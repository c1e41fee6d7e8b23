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
void tg_softmax_s8(const tg_softmax_params *p, const int8_t *input, int8_t *output);
void tg_add_s8(const tg_add_params *p, const int8_t *input1, const int8_t *input2,
               int8_t *output);
/* input1 - input2 with ADD's arithmetic (SUB). */
void tg_sub_s8(const tg_add_params *p, const int8_t *input1, const int8_t *input2,
               int8_t *output);
void tg_quantize_f32_s8(const tg_quantize_params *p, const float *input, int8_t *output);
void tg_requantize_s8(const tg_requantize_params *p, const int8_t *input, int8_t *output);
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

#endif /* TG_KERNELS_H */
