/* int8 copy of one strided view of the input (TRANSPOSE, SLICE, STRIDED_SLICE, SPACE_TO_DEPTH,
 * DEPTH_TO_SPACE): output element (i_0, ..., i_5), in row-major order, is input element
 * start + sum of i_d * in_strides[d]. Strides may be negative; input and output must not
 * overlap. */
#include <string.h>

#include "tg_kernels.h"

void tg_strided_copy_s8(const tg_strided_copy_params *p, const int8_t *input, int8_t *output)
{
    int32_t index[TG_MAX_DIMS] = {0};
    const int32_t last = p->dims - 1;
    const int32_t width = p->out_shape[last];
    const int32_t step = p->in_strides[last];
    const int32_t rows = width > 0 ? p->size / width : 0;
    int32_t at = p->start; /* input element of the current output row's first element */
    int32_t r, i, d;
    for (r = 0; r < rows; ++r) {
        const int8_t *in = input + at;
        if (step == 1) {
            memcpy(output, in, (size_t)width);
        } else {
            for (i = 0; i < width; ++i) {
                output[i] = in[i * step];
            }
        }
        output += width;
        /* the next row: count up the outer dimensions, last one first */
        for (d = last - 1; d >= 0; --d) {
            at += p->in_strides[d];
            if (++index[d] < p->out_shape[d]) {
                break;
            }
            at -= p->in_strides[d] * p->out_shape[d];
            index[d] = 0;
        }
    }
}
