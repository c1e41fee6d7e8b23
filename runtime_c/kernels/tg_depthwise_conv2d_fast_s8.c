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

/* One tap of four channels: x and f hold the four input values and the four weights. */
static inline void tg_dw_tap4(const int8_t *x, const int8_t *f, int32_t *a0, int32_t *a1,
                              int32_t *a2, int32_t *a3)
{
#if defined(TG_DSP)
    const int32_t xv = tg_load4(x), wv = tg_load4(f);
    const int32_t xe = __sxtb16(xv), xo = tg_sxtb16_odd(xv);
    const int32_t we = __sxtb16(wv), wo = tg_sxtb16_odd(wv);
    *a0 = __smlabb(xe, we, *a0);
    *a2 = __smlatt(xe, we, *a2);
    *a1 = __smlabb(xo, wo, *a1);
    *a3 = __smlatt(xo, wo, *a3);
#else
    *a0 += (int32_t)x[0] * f[0];
    *a1 += (int32_t)x[1] * f[1];
    *a2 += (int32_t)x[2] * f[2];
    *a3 += (int32_t)x[3] * f[3];
#endif
}

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
    const int32_t offset = p->output_offset, lo = p->act_min, hi = p->act_max;
    const int8_t *filter = p->filter;
    const int32_t *bias = p->bias, *multiplier = p->multiplier, *shift = p->shift;
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
                    for (; c < whole; c += 4, f += 36) {
                        const int8_t *r = r0 + c;
                        int32_t a0 = bias[c], a1 = bias[c + 1];
                        int32_t a2 = bias[c + 2], a3 = bias[c + 3];
                        tg_dw_tap4(r, f, &a0, &a1, &a2, &a3);
                        tg_dw_tap4(r + dx, f + 4, &a0, &a1, &a2, &a3);
                        tg_dw_tap4(r + 2 * dx, f + 8, &a0, &a1, &a2, &a3);
                        r += dy;
                        tg_dw_tap4(r, f + 12, &a0, &a1, &a2, &a3);
                        tg_dw_tap4(r + dx, f + 16, &a0, &a1, &a2, &a3);
                        tg_dw_tap4(r + 2 * dx, f + 20, &a0, &a1, &a2, &a3);
                        r += dy;
                        tg_dw_tap4(r, f + 24, &a0, &a1, &a2, &a3);
                        tg_dw_tap4(r + dx, f + 28, &a0, &a1, &a2, &a3);
                        tg_dw_tap4(r + 2 * dx, f + 32, &a0, &a1, &a2, &a3);
                        output[c] = tg_output_s8(a0, multiplier[c], shift[c], offset, lo, hi);
                        output[c + 1] =
                            tg_output_s8(a1, multiplier[c + 1], shift[c + 1], offset, lo, hi);
                        output[c + 2] =
                            tg_output_s8(a2, multiplier[c + 2], shift[c + 2], offset, lo, hi);
                        output[c + 3] =
                            tg_output_s8(a3, multiplier[c + 3], shift[c + 3], offset, lo, hi);
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
                    int32_t a0 = bias[c], a1 = bias[c + 1];
                    int32_t a2 = bias[c + 2], a3 = bias[c + 3];
                    for (t = 0; t < taps; ++t, f += 4) {
                        tg_dw_tap4(tap[t] + c, f, &a0, &a1, &a2, &a3);
                    }
                    output[c] = tg_output_s8(a0, multiplier[c], shift[c], offset, lo, hi);
                    output[c + 1] = tg_output_s8(a1, multiplier[c + 1], shift[c + 1], offset, lo, hi);
                    output[c + 2] = tg_output_s8(a2, multiplier[c + 2], shift[c + 2], offset, lo, hi);
                    output[c + 3] = tg_output_s8(a3, multiplier[c + 3], shift[c + 3], offset, lo, hi);
                }
                for (k = 0; k < rest; ++k) {
                    int32_t acc = bias[whole + k];
                    for (t = 0; t < taps; ++t) {
                        acc += (int32_t)tap[t][whole + k] * f[t * rest + k];
                    }
                    output[whole + k] =
                        tg_output_s8(acc, multiplier[whole + k], shift[whole + k], offset, lo, hi);
                }
                output += channels;
            }
        }
    }
}
