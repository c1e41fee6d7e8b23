/* int8 BATCH_TO_SPACE_ND: output pixel (b, oy, ox) is input pixel
 * (phase * out_batches + b, (oy + crop_top) / block_h, (ox + crop_left) / block_w) with
 * phase = ((oy + crop_top) % block_h) * block_w + (ox + crop_left) % block_w: the inverse of
 * SPACE_TO_BATCH_ND, then the crops dropped. The output is written in order. */
#include <string.h>

#include "tg_kernels.h"

void tg_batch_to_space_nd_s8(const tg_batch_to_space_params *p, const int8_t *input,
                             int8_t *output)
{
    const size_t depth = (size_t)p->channels;
    int32_t b, oy, ox;
    for (b = 0; b < p->out_batches; ++b) {
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t y = oy + p->crop_top;
            const int32_t iy = y / p->block_h;
            const int32_t phase_h = y % p->block_h;
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t x = ox + p->crop_left;
                const int32_t ib = (phase_h * p->block_w + x % p->block_w) * p->out_batches + b;
                memcpy(output, input + ((ib * p->in_h + iy) * p->in_w + x / p->block_w) *
                                           p->channels,
                       depth);
                output += depth;
            }
        }
    }
}
