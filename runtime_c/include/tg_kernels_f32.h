/* Parameter structs and entry points of tinygen's float32 kernels.
 *
 * They compute as TensorFlow Lite's reference kernels do, in the same order of additions
 * (a sum over the window or the depth starting from 0, then the bias, then the clamp to
 * the fused activation's range), so where the C library's expf agrees the results are the
 * same floats. The windowed kernels (convolutions, pooling) keep tg_kernels.h's memory
 * contract (raster order, a pixel reads its window before its outputs land). Each family's
 * header below holds its own structs.
 */
#ifndef TG_KERNELS_F32_H
#define TG_KERNELS_F32_H

#include <stddef.h>
#include <stdint.h>

#include "tg_kernels.h"
#include "tg_names.h"

/* The fused activation: min(max(x, lo), hi), as TensorFlow Lite's ActivationFunctionWithMinMax. */
static inline float tg_clamp_f32(float x, float lo, float hi)
{
    const float low = x < lo ? lo : x;
    return low > hi ? hi : low;
}

typedef struct {
    int32_t batches, in_h, in_w, in_c, out_h, out_w, out_c;
    int32_t filter_h, filter_w, filter_c;
    int32_t stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w;
    int32_t depth_multiplier;
    float act_min, act_max;
} tg_conv_f32_params;

typedef struct {
    int32_t batches, accum_depth, out_depth;
    float act_min, act_max;
} tg_fully_connected_f32_params;

typedef struct {
    int32_t batches, in_h, in_w, channels, out_h, out_w;
    int32_t filter_h, filter_w, stride_h, stride_w, pad_h, pad_w;
    float act_min, act_max;
    int32_t average; /* 1: AVERAGE_POOL_2D, 0: MAX_POOL_2D */
} tg_pool_f32_params;

typedef struct {
    int32_t rows, depth;
    float beta;
} tg_softmax_f32_params;

/* tg_binary_f32's operations (TG_MAX_DIMS: tg_kernels.h) */
enum {
    TG_BINARY_ADD, TG_BINARY_SUB, TG_BINARY_MUL, TG_BINARY_MAXIMUM, TG_BINARY_MINIMUM,
    TG_BINARY_SQUARED_DIFFERENCE, TG_BINARY_DIV
};

typedef struct {
    int32_t size, dims;
    int32_t out_shape[TG_MAX_DIMS];
    int32_t in1_strides[TG_MAX_DIMS]; /* 0 along broadcast dimensions */
    int32_t in2_strides[TG_MAX_DIMS];
    int32_t op; /* TG_BINARY_... */
    float act_min, act_max;
} tg_binary_f32_params;

/* bias may be NULL (no bias) */
void tg_conv2d_f32(const tg_conv_f32_params *p, const float *input, const float *filter,
                   const float *bias, float *output);
void tg_depthwise_conv2d_f32(const tg_conv_f32_params *p, const float *input,
                             const float *filter, const float *bias, float *output);
void tg_fully_connected_f32(const tg_fully_connected_f32_params *p, const float *input,
                            const float *filter, const float *bias, float *output);
void tg_pool_f32(const tg_pool_f32_params *p, const float *input, float *output);
void tg_softmax_f32(const tg_softmax_f32_params *p, const float *input, float *output);
void tg_binary_f32(const tg_binary_f32_params *p, const float *input1, const float *input2,
                   float *output);

#include "tg_f32_elementwise.h"
#include "tg_f32_movement.h"
#include "tg_f32_reduce.h"
#include "tg_f32_other.h"

#endif /* TG_KERNELS_F32_H */
