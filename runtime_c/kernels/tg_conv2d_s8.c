/* int8 2-D convolution, NHWC input, OHWI filter, per-channel requantization. */
#include "tg_fixedpoint.h"
#include "tg_kernels.h"

void tg_conv2d_s8(const tg_conv_params *p, const int8_t *input, const int8_t *filter,
                  const int32_t *bias, int8_t *output)
{
    const int32_t per_group = p->out_c / (p->in_c / p->filter_c);
    int32_t b, oy, ox, oc, ky, kx, ic;
    for (b = 0; b < p->batches; ++b) {
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                for (oc = 0; oc < p->out_c; ++oc) {
                    const int32_t channel0 = (oc / per_group) * p->filter_c;
                    int32_t acc = 0;
                    for (ky = 0; ky < p->filter_h; ++ky) {
                        const int32_t iy = y0 + ky * p->dilation_h;
                        if (iy < 0 || iy >= p->in_h) {
                            continue;
                        }
                        for (kx = 0; kx < p->filter_w; ++kx) {
                            const int32_t ix = x0 + kx * p->dilation_w;
                            const int8_t *in;
                            const int8_t *f;
                            if (ix < 0 || ix >= p->in_w) {
                                continue;
                            }
                            in = input + ((b * p->in_h + iy) * p->in_w + ix) * p->in_c + channel0;
                            f = filter + ((oc * p->filter_h + ky) * p->filter_w + kx) * p->filter_c;
                            for (ic = 0; ic < p->filter_c; ++ic) {
                                acc += ((int32_t)in[ic] + p->input_offset) * (int32_t)f[ic];
                            }
                        }
                    }
                    if (bias != NULL) {
                        acc += bias[oc];
                    }
                    acc = tg_requantize(acc, p->multiplier[oc], p->shift[oc]) + p->output_offset;
                    *output++ = (int8_t)tg_clamp(acc, p->act_min, p->act_max);
                }
            }
        }
    }
}
