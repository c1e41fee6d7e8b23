/* int8 depthwise convolution with one output channel per input channel, four channels at a
 * time.
 *
 * For each output pixel the kernel first points one pointer per filter tap at the input
 * pixel under it, or at p->pad (the input's zero point, `channels` bytes) where the tap
 * falls outside; the input offset is folded into the bias at generation time, which is
 * exact since a zero point's offset value is 0. The filter is laid out [channels / 4][taps][4],
 * then [taps][channels % 4] for the last channels.
 *
 * Memory contract: as tg_kernels.h says for the windowed kernels (pixels in raster order).
 */
#include "tg_fast.h"
#include "tg_kernels.h"

void tg_depthwise_conv2d_fast_s8(const tg_depthwise_fast_params *p, const int8_t *input,
                                 int8_t *output)
{
    const int8_t *tap[TG_DEPTHWISE_FAST_TAPS];
    const int32_t fh = p->filter_h, fw = p->filter_w, taps = fh * fw;
    const int32_t channels = p->channels;
    const int32_t whole = channels & ~3;
    const int32_t rest = channels & 3;
    const int32_t in_h = p->in_h, in_w = p->in_w;
    const int32_t last_y = in_h - 1 - (fh - 1) * p->dilation_h;
    const int32_t last_x = in_w - 1 - (fw - 1) * p->dilation_w;
    const int32_t dx = p->dilation_w * channels, dy = p->dilation_h * in_w * channels;
    const int32_t three = fh == 3 && fw == 3;
    const int32_t lo = p->act_min, hi = p->act_max, full = lo == -128 && hi == 127;
    const int8_t *filter = p->filter;
    const int32_t *q = p->quant;
    int32_t b, oy, ox, ky, kx, t, c, k;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *image = input + b * in_h * in_w * channels;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                const int8_t *f = filter;
                c = 0;
                if (three && y0 >= 0 && y0 <= last_y && x0 >= 0 && x0 <= last_x) {
                    /* a 3x3 window inside the input: taps at fixed distances */
                    const int8_t *r0 = image + (y0 * in_w + x0) * channels;
                    for (; c < whole; c += 4) {
                        int32_t acc[4];
                        acc[0] = q[4 * c];
                        acc[1] = q[4 * c + 4];
                        acc[2] = q[4 * c + 8];
                        acc[3] = q[4 * c + 12];
                        f = tg_dw_3x3_quad(r0 + c, f, dx, dy, acc);
                        tg_quad_store(output + c, acc, q + 4 * c, 4, lo, hi, full);
                    }
                }
                if (c < channels) {
                    /* every other window (or its last channels): one pointer per tap, at
                     * the zero point where the tap falls outside */
                    t = 0;
                    for (ky = 0; ky < fh; ++ky) {
                        const int32_t iy = y0 + ky * p->dilation_h;
                        for (kx = 0; kx < fw; ++kx) {
                            const int32_t ix = x0 + kx * p->dilation_w;
                            const int inside = iy >= 0 && iy < in_h && ix >= 0 && ix < in_w;
                            tap[t++] = inside ? image + (iy * in_w + ix) * channels : p->pad;
                        }
                    }
                }
                for (; c < whole; c += 4) {
                    int32_t a0 = q[4 * c], a1 = q[4 * (c + 1)];
                    int32_t a2 = q[4 * (c + 2)], a3 = q[4 * (c + 3)];
                    for (t = 0; t < taps; ++t, f += 4) {
                        tg_dw_tap4(tap[t] + c, f, &a0, &a1, &a2, &a3);
                    }
                    output[c] = tg_quad_out(a0, q + 4 * (c), lo, hi);
                    output[c + 1] = tg_quad_out(a1, q + 4 * (c + 1), lo, hi);
                    output[c + 2] = tg_quad_out(a2, q + 4 * (c + 2), lo, hi);
                    output[c + 3] = tg_quad_out(a3, q + 4 * (c + 3), lo, hi);
                }
                for (k = 0; k < rest; ++k) {
                    int32_t acc = q[4 * (whole + k)];
                    for (t = 0; t < taps; ++t) {
                        acc += (int32_t)tap[t][whole + k] * f[t * rest + k];
                    }
                    output[whole + k] =
                        tg_quad_out(acc, q + 4 * (whole + k), lo, hi);
                }
                output += channels;
            }
        }
    }
}
