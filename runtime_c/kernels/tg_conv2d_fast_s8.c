/* int8 2-D convolution (one group) as a matrix product: two output pixels by two output
 * channels at a time.
 *
 * Each output pixel's window is one row of depth = filter_h * filter_w * in_c values: read
 * in place for an unpadded 1x1 window (direct), otherwise gathered into `scratch` (two rows,
 * padded taps filled with the input's zero point). The input offset is folded into the bias
 * at generation time, which is exact: a padded tap holds the zero point, whose offset value is
 * 0. The filter comes in pairs of output channels, interleaved four bytes by four (the last
 * 1-3 bytes of each row after), and an odd channel count is padded to even.
 *
 * Memory contract: a direct pixel pair reads both pixels' inputs while writing both
 * outputs (the planner's overlap bound counts pixels in pairs for it); where the planner
 * overlaps the output with the input it asks for one pixel at a time instead (direct 2),
 * which keeps tg_kernels.h's raster-order contract. A gathered pair reads everything before
 * it writes.
 */
#include "tg_fast.h"
#include "tg_kernels.h"

/* Short runs are copied inline: most windows hold a few bytes a tap. */
static void tg_copy_bytes(int8_t *to, const int8_t *from, int32_t n)
{
    if (n > 16) {
        memcpy(to, from, (size_t)n);
        return;
    }
    while (n-- > 0) {
        *to++ = *from++;
    }
}

static void tg_fill(int8_t *to, int32_t value, int32_t n)
{
    while (n-- > 0) {
        *to++ = (int8_t)value;
    }
}

/* The window values of output pixel `pixel`: in the input, or gathered into `row`. */
static const int8_t *tg_conv_row(const tg_conv_fast_params *p, const int8_t *input,
                                 int32_t pixel, int8_t *row)
{
    const int32_t ox = pixel % p->out_w;
    const int32_t rest = pixel / p->out_w;
    const int32_t y0 = (rest % p->out_h) * p->stride_h - p->pad_h;
    const int32_t x0 = ox * p->stride_w - p->pad_w;
    const int8_t *image = input + (rest / p->out_h) * p->in_h * p->in_w * p->in_c;
    const int32_t bytes = p->in_c;
    const int32_t span = p->filter_w * bytes;
    /* a window row inside the input is one run of bytes when dilation_w is 1 */
    const int32_t runs = p->dilation_w == 1 && x0 >= 0 && x0 + p->filter_w <= p->in_w;
    int8_t *to = row;
    int32_t ky, kx;
    if (p->direct) {
        return image + (y0 * p->in_w + x0) * bytes;
    }
    for (ky = 0; ky < p->filter_h; ++ky) {
        const int32_t iy = y0 + ky * p->dilation_h;
        if (iy < 0 || iy >= p->in_h) {
            tg_fill(to, p->pad_value, span);
            to += span;
        } else if (runs) {
            tg_copy_bytes(to, image + (iy * p->in_w + x0) * bytes, span);
            to += span;
        } else {
            for (kx = 0; kx < p->filter_w; ++kx) {
                const int32_t ix = x0 + kx * p->dilation_w;
                if (ix < 0 || ix >= p->in_w) {
                    tg_fill(to, p->pad_value, bytes);
                } else {
                    tg_copy_bytes(to, image + (iy * p->in_w + ix) * bytes, bytes);
                }
                to += bytes;
            }
        }
    }
    return row;
}

/* The dot products of rows a and b with the pair of output channels at f, added to *a0 and
 * *a1 (row a) and *b0 and *b1 (row b). */
static inline void tg_dot_2x2(const int8_t *a, const int8_t *b, const int8_t *f, int32_t depth,
                              int32_t *a0, int32_t *a1, int32_t *b0, int32_t *b1)
{
    int32_t x0 = *a0, x1 = *a1, y0 = *b0, y1 = *b1;
    const int32_t rest = depth & 3;
    int32_t n, k;
    for (n = depth >> 2; n > 0; --n) {
#if defined(TG_DSP)
        const int32_t xa = tg_load4(a), xb = tg_load4(b);
        const int32_t w0 = tg_load4(f), w1 = tg_load4(f + 4);
        const int32_t ae = __sxtb16(xa), ao = tg_sxtb16_odd(xa);
        const int32_t be = __sxtb16(xb), bo = tg_sxtb16_odd(xb);
        const int32_t w0e = __sxtb16(w0), w0o = tg_sxtb16_odd(w0);
        const int32_t w1e = __sxtb16(w1), w1o = tg_sxtb16_odd(w1);
        x0 = __smlad(ae, w0e, x0);
        x0 = __smlad(ao, w0o, x0);
        y0 = __smlad(be, w0e, y0);
        y0 = __smlad(bo, w0o, y0);
        x1 = __smlad(ae, w1e, x1);
        x1 = __smlad(ao, w1o, x1);
        y1 = __smlad(be, w1e, y1);
        y1 = __smlad(bo, w1o, y1);
#else
        for (k = 0; k < 4; ++k) {
            x0 += (int32_t)a[k] * f[k];
            x1 += (int32_t)a[k] * f[4 + k];
            y0 += (int32_t)b[k] * f[k];
            y1 += (int32_t)b[k] * f[4 + k];
        }
#endif
        a += 4;
        b += 4;
        f += 8;
    }
    for (k = 0; k < rest; ++k) {
        x0 += (int32_t)a[k] * f[k];
        x1 += (int32_t)a[k] * f[rest + k];
        y0 += (int32_t)b[k] * f[k];
        y1 += (int32_t)b[k] * f[rest + k];
    }
    *a0 = x0;
    *a1 = x1;
    *b0 = y0;
    *b1 = y1;
}

/* tg_dot_2x2 for row a alone. */
static inline void tg_dot_1x2(const int8_t *a, const int8_t *f, int32_t depth, int32_t *a0,
                              int32_t *a1)
{
    int32_t x0 = *a0, x1 = *a1;
    const int32_t rest = depth & 3;
    int32_t n, k;
    for (n = depth >> 2; n > 0; --n) {
#if defined(TG_DSP)
        const int32_t xa = tg_load4(a);
        const int32_t w0 = tg_load4(f), w1 = tg_load4(f + 4);
        const int32_t ae = __sxtb16(xa), ao = tg_sxtb16_odd(xa);
        x0 = __smlad(ao, tg_sxtb16_odd(w0), __smlad(ae, __sxtb16(w0), x0));
        x1 = __smlad(ao, tg_sxtb16_odd(w1), __smlad(ae, __sxtb16(w1), x1));
#else
        for (k = 0; k < 4; ++k) {
            x0 += (int32_t)a[k] * f[k];
            x1 += (int32_t)a[k] * f[4 + k];
        }
#endif
        a += 4;
        f += 8;
    }
    for (k = 0; k < rest; ++k) {
        x0 += (int32_t)a[k] * f[k];
        x1 += (int32_t)a[k] * f[rest + k];
    }
    *a0 = x0;
    *a1 = x1;
}

/* Row a with two channel pairs, at f and g: tg_dot_1x2 twice, sharing the input's halves. */
static inline void tg_dot_1x4(const int8_t *a, const int8_t *f, const int8_t *g, int32_t depth,
                              int32_t acc[4])
{
    int32_t x0 = acc[0], x1 = acc[1], x2 = acc[2], x3 = acc[3];
    const int8_t *end = a + (depth & ~3);
    const int32_t rest = depth & 3;
    int32_t k;
    for (; a < end;) {
#if defined(TG_DSP)
        const int32_t xa = tg_load4(a);
        const int32_t ae = __sxtb16(xa), ao = tg_sxtb16_odd(xa);
        int32_t w = tg_load4(f);
        x0 = __smlad(ae, __sxtb16(w), x0);
        x0 = __smlad(ao, tg_sxtb16_odd(w), x0);
        w = tg_load4(f + 4);
        x1 = __smlad(ae, __sxtb16(w), x1);
        x1 = __smlad(ao, tg_sxtb16_odd(w), x1);
        w = tg_load4(g);
        x2 = __smlad(ae, __sxtb16(w), x2);
        x2 = __smlad(ao, tg_sxtb16_odd(w), x2);
        w = tg_load4(g + 4);
        x3 = __smlad(ae, __sxtb16(w), x3);
        x3 = __smlad(ao, tg_sxtb16_odd(w), x3);
#else
        for (k = 0; k < 4; ++k) {
            x0 += (int32_t)a[k] * f[k];
            x1 += (int32_t)a[k] * f[4 + k];
            x2 += (int32_t)a[k] * g[k];
            x3 += (int32_t)a[k] * g[4 + k];
        }
#endif
        a += 4;
        f += 8;
        g += 8;
    }
    for (k = 0; k < rest; ++k) {
        x0 += (int32_t)a[k] * f[k];
        x1 += (int32_t)a[k] * f[rest + k];
        x2 += (int32_t)a[k] * g[k];
        x3 += (int32_t)a[k] * g[rest + k];
    }
    acc[0] = x0;
    acc[1] = x1;
    acc[2] = x2;
    acc[3] = x3;
}

/* One output pixel (row a) of every channel: channel pairs two at a time. */
static void tg_conv_pixel(const tg_conv_fast_params *p, const int8_t *a, int32_t depth,
                          int8_t *out)
{
    const int32_t out_c = p->out_c, offset = p->output_offset;
    const int32_t lo = p->act_min, hi = p->act_max;
    const int32_t *bias = p->bias, *multiplier = p->multiplier, *shift = p->shift;
    const int8_t *f = p->filter;
    int32_t oc = 0, k;
    for (; oc + 4 <= out_c; oc += 4, f += 4 * depth) {
        int32_t acc[4];
        for (k = 0; k < 4; ++k) {
            acc[k] = bias[oc + k];
        }
        tg_dot_1x4(a, f, f + 2 * depth, depth, acc);
        for (k = 0; k < 4; ++k) {
            out[oc + k] = tg_output_s8(acc[k], multiplier[oc + k], shift[oc + k], offset, lo, hi);
        }
    }
    for (; oc < out_c; oc += 2, f += 2 * depth) {
        int32_t a0 = bias[oc], a1 = bias[oc + 1];
        tg_dot_1x2(a, f, depth, &a0, &a1);
        out[oc] = tg_output_s8(a0, multiplier[oc], shift[oc], offset, lo, hi);
        if (oc + 1 < out_c) {
            out[oc + 1] = tg_output_s8(a1, multiplier[oc + 1], shift[oc + 1], offset, lo, hi);
        }
    }
}

void tg_conv2d_fast_s8(const tg_conv_fast_params *p, const int8_t *input, int8_t *output,
                       int8_t *scratch)
{
    const int32_t pixels = p->batches * p->out_h * p->out_w;
    const int32_t depth = p->filter_h * p->filter_w * p->in_c;
    const int32_t out_c = p->out_c, direct = p->direct;
    const int32_t offset = p->output_offset, lo = p->act_min, hi = p->act_max;
    const int32_t *bias = p->bias, *multiplier = p->multiplier, *shift = p->shift;
    const int32_t step = direct == 2 ? 1 : 2; /* direct 2: one pixel at a time */
    int32_t px, oc;
    for (px = 0; px < pixels; px += step) {
        const int32_t both = step == 2 && px + 1 < pixels;
        const int8_t *a = tg_conv_row(p, input, px, scratch);
        if (!both) {
            tg_conv_pixel(p, a, depth, output + px * out_c);
            continue;
        }
        const int8_t *b = tg_conv_row(p, input, px + 1, direct ? scratch : scratch + depth);
        const int8_t *f = p->filter;
        int8_t *out = output + px * out_c;
        for (oc = 0; oc < out_c; oc += 2, f += 2 * depth) {
            int32_t a0 = bias[oc], a1 = bias[oc + 1], b0 = a0, b1 = a1;
            const int32_t m0 = multiplier[oc], s0 = shift[oc];
            const int32_t m1 = multiplier[oc + 1], s1 = shift[oc + 1];
            tg_dot_2x2(a, b, f, depth, &a0, &a1, &b0, &b1);
            out[oc] = tg_output_s8(a0, m0, s0, offset, lo, hi);
            out[out_c + oc] = tg_output_s8(b0, m0, s0, offset, lo, hi);
            if (oc + 1 < out_c) {
                out[oc + 1] = tg_output_s8(a1, m1, s1, offset, lo, hi);
                out[out_c + oc + 1] = tg_output_s8(b1, m1, s1, offset, lo, hi);
            }
        }
    }
}
