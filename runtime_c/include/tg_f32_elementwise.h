/* float32 kernels: the elementwise family (see tg_kernels_f32.h): the activations RELU,
 * RELU6, LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU and PRELU, and L2_NORMALIZATION.
 * (MAXIMUM, MINIMUM and SQUARED_DIFFERENCE run tg_binary_f32.) */
#ifndef TG_F32_ELEMENTWISE_H
#define TG_F32_ELEMENTWISE_H

#include <stdint.h>

typedef struct {
    int32_t size;
    float upper;     /* RELU6's 6 */
    int32_t bounded; /* 1: also clamp to upper (RELU6); 0: only to 0 below (RELU) */
} tg_relu_f32_params;

typedef struct {
    int32_t size;
} tg_unary_f32_params;

typedef struct {
    int32_t size;
    float alpha;
} tg_leaky_relu_f32_params;

/* TG_MAX_DIMS: tg_kernels.h */
typedef struct {
    int32_t size, dims;
    int32_t out_shape[TG_MAX_DIMS];
    int32_t in1_strides[TG_MAX_DIMS]; /* the input's */
    int32_t in2_strides[TG_MAX_DIMS]; /* alpha's: 0 along broadcast dimensions */
} tg_prelu_f32_params;

typedef struct {
    int32_t outer, depth; /* rows, elements of the last dimension */
    float epsilon;        /* the least norm divided by */
} tg_l2_normalization_f32_params;

void tg_relu_f32(const tg_relu_f32_params *p, const float *input, float *output);
void tg_logistic_f32(const tg_unary_f32_params *p, const float *input, float *output);
void tg_tanh_f32(const tg_unary_f32_params *p, const float *input, float *output);
void tg_hard_swish_f32(const tg_unary_f32_params *p, const float *input, float *output);
void tg_leaky_relu_f32(const tg_leaky_relu_f32_params *p, const float *input,
                       float *output);
void tg_prelu_f32(const tg_prelu_f32_params *p, const float *input, const float *alpha,
                  float *output);
void tg_l2_normalization_f32(const tg_l2_normalization_f32_params *p, const float *input,
                             float *output);

#endif /* TG_F32_ELEMENTWISE_H */
