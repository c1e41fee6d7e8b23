/* float32 kernels: the movement family (see tg_kernels_f32.h).
 *
 * The data-movement operators on float32 tensors run tg_kernels.h's int8 byte-moving
 * kernels on the tensors' bytes (strided copy, split, concatenation, gather, mirror pad,
 * space/batch moves, and a pad whose value has four equal bytes); only a pad with another
 * float value needs a kernel of its own. */
#ifndef TG_F32_MOVEMENT_H
#define TG_F32_MOVEMENT_H

#include <stdint.h>

/* Constant padding (PAD, PADV2) of float32 tensors: out_shape = in_shape + before + after
 * per dimension (dims of them, leading ones 1), every padded element pad_value. Input and
 * output must not overlap. */
typedef struct {
    int32_t dims;
    int32_t in_shape[TG_MAX_DIMS];
    int32_t out_shape[TG_MAX_DIMS];
    int32_t before[TG_MAX_DIMS];
    float pad_value;
    int32_t in_size, out_size;
} tg_pad_f32_params;

void tg_pad_f32(const tg_pad_f32_params *p, const float *input, float *output);

#endif /* TG_F32_MOVEMENT_H */
