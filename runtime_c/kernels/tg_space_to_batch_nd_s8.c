/* int8 SPACE_TO_BATCH_ND: output batch (shift_h * block_w + shift_w) * in_batches + b holds
 * the pixels (b, oh * block_h + shift_h - pad_top, ow * block_w + shift_w - pad_left) of the
 * input, pad_value where that pixel is in the padding. The output is written in order. */
#include <string.h>

#include "tg_kernels.h"

void tg_space_to_batch_nd_s8(const tg_space_to_batch_params *p, const int8_t *input,
                             int8_t *output)
{
    const size_t depth = (size_t)p->channels;
    int32_t ob, oy, ox;
    for (ob = 0; ob < p->out_batches; ++ob) {
        const int32_t b = ob % p->in_batches;
        const int32_t phase = ob / p->in_batches;
        const int32_t shift_h = phase / p->block_w;
        const int32_t shift_w = phase % p->block_w;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t y = oy * p->block_h + shift_h - p->pad_top;
            const int row_inside = y >= 0 && y < p->in_h;
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t x = ox * p->block_w + shift_w - p->pad_left;
                if (row_inside && x >= 0 && x < p->in_w) {
                    memcpy(output, input + ((b * p->in_h + y) * p->in_w + x) * p->channels,
                           depth);
                } else {
                    memset(output, (int)(uint8_t)p->pad_value, depth);
                }
                output += depth;
            }
        }
    }
}
