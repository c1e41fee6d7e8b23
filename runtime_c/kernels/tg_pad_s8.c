/* int8 constant padding (PAD, PADV2) of up to 6 dimensions: the pad value everywhere,
 * then each innermost row of the input copied to its place. */
#include "tg_kernels.h"

void tg_pad_s8(const tg_pad_params *p, const int8_t *input, int8_t *output)
{
    const int32_t last = p->dims - 1, row = p->in_shape[last];
    int32_t index[TG_MAX_DIMS] = {0};
    int32_t stride[TG_MAX_DIMS];
    int32_t i, d, in_at;
    stride[last] = 1;
    for (d = last - 1; d >= 0; --d) {
        stride[d] = stride[d + 1] * p->out_shape[d + 1];
    }
    for (i = 0; i < p->out_size; ++i) {
        output[i] = (int8_t)p->pad_value;
    }
    if (row == 0) {
        return;
    }
    for (in_at = 0; in_at < p->in_size; in_at += row) {
        int32_t out_at = 0;
        for (d = 0; d < p->dims; ++d) {
            out_at += (index[d] + p->before[d]) * stride[d];
        }
        for (i = 0; i < row; ++i) {
            output[out_at + i] = input[in_at + i];
        }
        /* the next row: advance the index over all but the innermost dimension */
        for (d = last - 1; d >= 0; --d) {
            if (++index[d] < p->in_shape[d]) {
                break;
            }
            index[d] = 0;
        }
    }
}
