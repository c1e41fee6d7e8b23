/* int8 2-D convolution (one group) as a matrix product: one output pixel by four output
 * channels at a time.
 *
 * Each output pixel's window is one row of depth = filter_h * filter_w * in_c values: read
 * in place for an unpadded 1x1 window (direct), otherwise gathered into `scratch` (padded
 * taps filled with the input's zero point). The input offset is folded into the bias at
 * generation time, which is exact: a padded tap holds the zero point, whose offset value is
 * 0. The filter comes in quads of output channels (out_c padded to a multiple of 4 with
 * zero rows): per group of four values, four bytes of each channel, then each channel's
 * last depth % 4 bytes; or, where the generator widened it (filter16), the same as int16
 * with each group's values in the order 0, 2, 1, 3 (tg_dot4w). Pixels are computed in raster order, each reading its window
 * before writing its outputs: tg_kernels.h's memory contract.
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

/* One output pixel (window row a) of every channel, four channels at a time. */
static void tg_conv_pixel(const tg_conv_fast_params *p, const int8_t *a, int32_t depth,
                          int8_t *out)
{
    const int32_t lo = p->act_min, hi = p->act_max, full = lo == -128 && hi == 127;
    const int32_t groups = depth >> 2, rest = depth & 3;
    const int8_t *tail = a + (depth & ~3);
    const int8_t *f = p->filter;
    const int16_t *g = p->filter16;
    const int32_t *q = p->quant;
    int8_t *end = out + p->out_c;
    for (; out < end; out += 4, q += 16) {
        int32_t acc[4];
        acc[0] = q[0];
        acc[1] = q[4];
        acc[2] = q[8];
        acc[3] = q[12];
        if (g != NULL) { /* int16 weights */
            g = tg_quad_tails16(tail, tg_dot4w(a, g, groups, acc), rest, acc);
        } else {
            f = tg_quad_tails(tail, tg_dot4(a, f, groups, acc), rest, acc);
        }
        tg_quad_store(out, acc, q, end - out < 4 ? (int32_t)(end - out) : 4, lo, hi, full);
    }
}

void tg_conv2d_fast_s8(const tg_conv_fast_params *p, const int8_t *input, int8_t *output,
                       int8_t *scratch)
{
    const int32_t pixels = p->batches * p->out_h * p->out_w;
    const int32_t depth = p->filter_h * p->filter_w * p->in_c;
    int32_t px;
    for (px = 0; px < pixels; ++px) {
        tg_conv_pixel(p, tg_conv_row(p, input, px, scratch), depth, output + px * p->out_c);
    }
}
