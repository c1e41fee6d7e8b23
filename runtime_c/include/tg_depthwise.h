/* One output value of an int8 depthwise convolution, shared by the plain and in-place kernels. */
#ifndef TG_DEPTHWISE_H
#define TG_DEPTHWISE_H

#include "tg_fixedpoint.h"
#include "tg_kernels.h"

/* Output (b, oy, ox, oc), which reads input channel ic = oc / depth_multiplier. */
static inline int8_t tg_depthwise_point(const tg_conv_params *p, const int8_t *input,
                                        const int8_t *filter, const int32_t *bias, int32_t b,
                                        int32_t oy, int32_t ox, int32_t ic, int32_t oc)
{
    const int32_t y0 = oy * p->stride_h - p->pad_h;
    const int32_t x0 = ox * p->stride_w - p->pad_w;
    int32_t acc = 0, ky, kx;
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
            acc += (v + p->input_offset) * (int32_t)filter[(ky * p->filter_w + kx) * p->out_c + oc];
        }
    }
    if (bias != NULL) {
        acc += bias[oc];
    }
    acc = tg_requantize(acc, p->multiplier[oc], p->shift[oc]) + p->output_offset;
    return (int8_t)tg_clamp(acc, p->act_min, p->act_max);
}

#endif /* TG_DEPTHWISE_H */
