/* int8 depthwise convolution: output channel c*depth_multiplier+m reads input channel c. */
#include "tg_fixedpoint.h"
#include "tg_kernels.h"

void tg_depthwise_conv2d_s8(const tg_conv_params *p, const int8_t *input,
                            const int8_t *filter, const int32_t *bias, int8_t *output)
{
    int32_t b, oy, ox, ic, m, ky, kx;
    for (b = 0; b < p->batches; ++b) {
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                for (ic = 0; ic < p->in_c; ++ic) {
                    for (m = 0; m < p->depth_multiplier; ++m) {
                        const int32_t oc = ic * p->depth_multiplier + m;
                        int32_t acc = 0;
                        for (ky = 0; ky < p->filter_h; ++ky) {
                            const int32_t iy = y0 + ky * p->dilation_h;
                            if (iy < 0 || iy >= p->in_h) {
                                continue;
                            }
                            for (kx = 0; kx < p->filter_w; ++kx) {
                                const int32_t ix = x0 + kx * p->dilation_w;
                                int32_t v;
                                if (ix < 0 || ix >= p->in_w) {
                                    continue;
                                }
                                v = input[((b * p->in_h + iy) * p->in_w + ix) * p->in_c + ic];
                                acc += (v + p->input_offset) *
                                       (int32_t)filter[(ky * p->filter_w + kx) * p->out_c + oc];
                            }
                        }
                        if (bias != NULL) {
                            acc += bias[oc];
                        }
                        acc = tg_requantize(acc, p->multiplier[oc], p->shift[oc]);
                        acc += p->output_offset;
                        output[((b * p->out_h + oy) * p->out_w + ox) * p->out_c + oc] =
                            (int8_t)tg_clamp(acc, p->act_min, p->act_max);
                    }
                }
            }
        }
    }
}
