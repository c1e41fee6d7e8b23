/* float32 2-D convolution (groups of filter_c input channels), as TensorFlow Lite's
 * reference kernel: per output value, the sum over the window rows, columns and input
 * channels in that order, taps outside the input skipped; then the bias and the clamp. */
#include "tg_kernels_f32.h"

void tg_conv2d_f32(const tg_conv_f32_params *p, const float *input, const float *filter,
                   const float *bias, float *output)
{
    const int32_t per_group = p->out_c / (p->in_c / p->filter_c);
    int32_t b, oy, ox, oc, ky, kx, ic;
    for (b = 0; b < p->batches; ++b) {
        const float *image = input + b * p->in_h * p->in_w * p->in_c;
        for (oy = 0; oy < p->out_h; ++oy) {
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t y0 = oy * p->stride_h - p->pad_h, x0 = ox * p->stride_w - p->pad_w;
                for (oc = 0; oc < p->out_c; ++oc) {
                    const float *f = filter + oc * p->filter_h * p->filter_w * p->filter_c;
                    const int32_t first = (oc / per_group) * p->filter_c;
                    float total = 0.0f;
                    for (ky = 0; ky < p->filter_h; ++ky) {
                        const int32_t iy = y0 + ky * p->dilation_h;
                        for (kx = 0; kx < p->filter_w; ++kx) {
                            const int32_t ix = x0 + kx * p->dilation_w;
                            const float *x = image + (iy * p->in_w + ix) * p->in_c + first;
                            const float *w = f + (ky * p->filter_w + kx) * p->filter_c;
                            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
                                continue;
                            }
                            for (ic = 0; ic < p->filter_c; ++ic) {
                                total += x[ic] * w[ic];
                            }
                        }
                    }
                    total += bias != NULL ? bias[oc] : 0.0f;
                    *output++ = tg_clamp_f32(total, p->act_min, p->act_max);
                }
            }
        }
    }
}
