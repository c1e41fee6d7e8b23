/* float32 constant padding (PAD, PADV2) of up to 6 dimensions, as TensorFlow Lite's
 * reference Pad: every output element is pad_value, then each innermost row of the input is
 * copied to its place (before[d] elements in from the front along each dimension). */
#include "tg_kernels_f32.h"

void tg_pad_f32(const tg_pad_f32_params *p, const float *input, float *output)
{
    const int32_t last = p->dims - 1;
    const int32_t row = p->in_shape[last];
    int32_t index[TG_MAX_DIMS] = {0};
    int32_t stride[TG_MAX_DIMS];
    int32_t i, d, in_at;
    stride[last] = 1;
    for (d = last - 1; d >= 0; --d) {
        stride[d] = stride[d + 1] * p->out_shape[d + 1];
    }
    for (i = 0; i < p->out_size; ++i) {
        output[i] = p->pad_value;
    }
    if (row == 0) {
        return;
    }
    for (in_at = 0; in_at < p->in_size; in_at += row) {
        const float *in = input + in_at;
        float *out = output;
        for (d = 0; d < p->dims; ++d) {
            out += (index[d] + p->before[d]) * stride[d];
        }
        for (i = 0; i < row; ++i) {
            out[i] = in[i];
        }
        /* the next input row: count up all but the innermost dimension, last one first */
        for (d = last - 1; d >= 0; --d) {
            if (++index[d] < p->in_shape[d]) {
                break;
            }
            index[d] = 0;
        }
    }
}
