/* float32 kernels: the reductions (see tg_kernels_f32.h).
 *
 * MEAN, SUM, REDUCE_MAX and REDUCE_MIN over a set of axes walk the input as tg_mean_s8
 * does: an outer walk over the kept positions, an inner one over the `count` elements each
 * output combines, both 6-D shapes and strides of the input. ARG_MAX and ARG_MIN take
 * tg_arg_minmax_params (tg_kernels.h) and read float32 values. */
#ifndef TG_F32_REDUCE_H
#define TG_F32_REDUCE_H

#include <stdint.h>

#include "tg_kernels.h"

/* tg_reduce_f32's operations */
enum { TG_REDUCE_SUM, TG_REDUCE_MEAN, TG_REDUCE_MAX, TG_REDUCE_MIN };

typedef struct {
    int32_t outputs, count;
    int32_t kept_shape[TG_MAX_DIMS], kept_strides[TG_MAX_DIMS];
    int32_t reduced_shape[TG_MAX_DIMS], reduced_strides[TG_MAX_DIMS];
    int32_t op; /* TG_REDUCE_... */
} tg_reduce_f32_params;

void tg_reduce_f32(const tg_reduce_f32_params *p, const float *input, float *output);
/* output: int32_t (index_bytes 4) or int64_t (8) indices, the first of equal values */
void tg_arg_minmax_f32(const tg_arg_minmax_params *p, const float *input, void *output);

#endif /* TG_F32_REDUCE_H */
