/* float32 average and max pooling, as TensorFlow Lite's reference kernels: over the
 * window's values inside the input (rows, then columns), their sum divided by their
 * count (average) or the largest (max), then the clamp. */
#include <float.h>

#include "tg_kernels_f32.h"

void tg_pool_f32(const tg_pool_f32_params *p, const float *input, float *output)
{
    int32_t b, oy, ox, c, y, x;
    for (b = 0; b < p->batches; ++b) {
        const float *image = input + b * p->in_h * p->in_w * p->channels;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            const int32_t ys = y0 < 0 ? 0 : y0;
            const int32_t ye = y0 + p->filter_h > p->in_h ? p->in_h : y0 + p->filter_h;
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                const int32_t xs = x0 < 0 ? 0 : x0;
                const int32_t xe = x0 + p->filter_w > p->in_w ? p->in_w : x0 + p->filter_w;
                for (c = 0; c < p->channels; ++c) {
                    float total = 0.0f, best = -FLT_MAX;
                    for (y = ys; y < ye; ++y) {
                        for (x = xs; x < xe; ++x) {
                            const float v = image[(y * p->in_w + x) * p->channels + c];
                            total += v;
                            best = v > best ? v : best;
                        }
                    }
                    total = p->average ? total / (float)((ye - ys) * (xe - xs)) : best;
                    *output++ = tg_clamp_f32(total, p->act_min, p->act_max);
                }
            }
        }
    }
}
