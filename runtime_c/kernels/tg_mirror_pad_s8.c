/* int8 MIRROR_PAD (up to 6 dimensions): along each dimension, `before` elements mirrored in
 * front of the input and the rest behind it; offset 1 mirrors about the edge element
 * (REFLECT), offset 0 repeats it (SYMMETRIC). Input and output must not overlap. */
#include <string.h>

#include "tg_kernels.h"

/* The input index that output index q - before (= `q` here) of a dimension of n reads. */
static int32_t tg_mirror_index(int32_t q, int32_t n, int32_t offset)
{
    if (q < 0) {
        return offset - q - 1;
    }
    if (q >= n) {
        return 2 * n - 1 - offset - q;
    }
    return q;
}

void tg_mirror_pad_s8(const tg_mirror_pad_params *p, const int8_t *input, int8_t *output)
{
    int32_t index[TG_MAX_DIMS] = {0};
    int32_t stride[TG_MAX_DIMS];
    const int32_t last = p->dims - 1;
    const int32_t n = p->in_shape[last];
    const int32_t before = p->before[last];
    const int32_t width = p->out_shape[last];
    const int32_t rows = width > 0 ? p->out_size / width : 0;
    int32_t r, i, d;
    stride[last] = 1;
    for (d = last - 1; d >= 0; --d) {
        stride[d] = stride[d + 1] * p->in_shape[d + 1];
    }
    for (r = 0; r < rows; ++r) {
        const int8_t *in = input;
        for (d = 0; d < last; ++d) {
            in += tg_mirror_index(index[d] - p->before[d], p->in_shape[d], p->offset) * stride[d];
        }
        for (i = 0; i < before; ++i) {
            output[i] = in[tg_mirror_index(i - before, n, p->offset)];
        }
        memcpy(output + before, in, (size_t)n);
        for (i = before + n; i < width; ++i) {
            output[i] = in[tg_mirror_index(i - before, n, p->offset)];
        }
        output += width;
        for (d = last - 1; d >= 0; --d) {
            if (++index[d] < p->out_shape[d]) {
                break;
            }
            index[d] = 0;
        }
    }
}
