/* float32 depthwise convolution, as TensorFlow Lite's reference kernel: output channel
 * ic * depth_multiplier + m sums input channel ic over the window (rows, then columns,
 * taps outside the input skipped); then the bias and the clamp. */
#include "tg_kernels_f32.h"

void tg_depthwise_conv2d_f32(const tg_conv_f32_params *p, const float *input,
                             const float *filter, const float *bias, float *output)
{
    int32_t b, oy, ox, oc, ky, kx;
    for (b = 0; b < p->batches; ++b) {
        const float *image = input + b * p->in_h * p->in_w * p->in_c;
        for (oy = 0; oy < p->out_h; ++oy) {
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t y0 = oy * p->stride_h - p->pad_h, x0 = ox * p->stride_w - p->pad_w;
                for (oc = 0; oc < p->out_c; ++oc) {
                    const int32_t ic = oc / p->depth_multiplier;
                    float total = 0.0f;
                    for (ky = 0; ky < p->filter_h; ++ky) {
                        const int32_t iy = y0 + ky * p->dilation_h;
                        for (kx = 0; kx < p->filter_w; ++kx) {
                            const int32_t ix = x0 + kx * p->dilation_w;
                            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
                                continue;
                            }
                            total += image[(iy * p->in_w + ix) * p->in_c + ic] *
                                     filter[(ky * p->filter_w + kx) * p->out_c + oc];
                        }
                    }
                    total += bias != NULL ? bias[oc] : 0.0f;
                    *output++ = tg_clamp_f32(total, p->act_min, p->act_max);
                }
            }
        }
    }
}
