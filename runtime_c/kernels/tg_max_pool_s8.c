/* int8 max pooling over the valid part of each window. */
#include "tg_fixedpoint.h"
#include "tg_kernels.h"

void tg_max_pool_s8(const tg_pool_params *p, const int8_t *input, int8_t *output)
{
    int32_t b, oy, ox, c, y, x;
    for (b = 0; b < p->batches; ++b) {
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            const int32_t ylo = y0 < 0 ? 0 : y0;
            const int32_t yhi = y0 + p->filter_h > p->in_h ? p->in_h : y0 + p->filter_h;
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                const int32_t xlo = x0 < 0 ? 0 : x0;
                const int32_t xhi = x0 + p->filter_w > p->in_w ? p->in_w : x0 + p->filter_w;
                for (c = 0; c < p->channels; ++c) {
                    int32_t best = -128;
                    for (y = ylo; y < yhi; ++y) {
                        for (x = xlo; x < xhi; ++x) {
                            const int32_t v =
                                input[((b * p->in_h + y) * p->in_w + x) * p->channels + c];
                            best = v > best ? v : best;
                        }
                    }
                    *output++ = (int8_t)tg_clamp(best, p->act_min, p->act_max);
                }
            }
        }
    }
}
