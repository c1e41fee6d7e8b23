/* int8 depthwise convolution (one output channel per input channel, batch 1) whose output
 * overwrites its input channel by channel. `input` and `output` are the same bytes.
 *
 * Input channel c is first gathered into `scratch` as a dense plane of plane_h x plane_w
 * bytes covering every window, the padding filled with the input's zero point (p->pad[0]);
 * output channel c is then computed from the plane straight into its places, which held
 * input channel c only (both tensors are NHWC with the same channel count), so no other
 * channel's input is touched. Parameters and filter layout are those of
 * tg_depthwise_conv2d_fast_s8: the input offset is in the bias, exact since a padded tap
 * holds the zero point.
 */
#include "tg_fast.h"
#include "tg_kernels.h"

/* Input channel `in` (a stride of p->channels) as a plane with the zero point around it. */
static void tg_dw_plane(const tg_depthwise_fast_params *p, const int8_t *in, int8_t *plane,
                        int32_t plane_h, int32_t plane_w)
{
    const int32_t channels = p->channels, pad = p->pad[0];
    const int32_t left = p->pad_w < plane_w ? p->pad_w : plane_w;
    const int32_t end = p->pad_w + p->in_w < plane_w ? p->pad_w + p->in_w : plane_w;
    int32_t py, px;
    for (py = 0; py < plane_h; ++py) {
        const int32_t iy = py - p->pad_h;
        if (iy < 0 || iy >= p->in_h) {
            memset(plane, pad, (size_t)plane_w);
        } else {
            for (px = 0; px < left; ++px) {
                plane[px] = (int8_t)pad;
            }
            if (px < end) {
                const int8_t *from = in + (iy * p->in_w + px - p->pad_w) * channels;
                for (; px < end; ++px, from += channels) {
                    plane[px] = *from;
                }
            }
            for (; px < plane_w; ++px) {
                plane[px] = (int8_t)pad;
            }
        }
        plane += plane_w;
    }
}

#if defined(TG_DSP)
static int32_t tg_pack16(int32_t low, int32_t high)
{
    return (int32_t)(((uint32_t)low & 0xFFFFu) | ((uint32_t)high << 16));
}

/* A 3x3 window of stride 1 over the plane, two outputs at a time: one word of a plane row
 * holds x0..x3, whose even and odd halves give x0 w0 + x2 w2 and x1 w0 + x3 w2 in one SMLAD
 * each; the middle taps x1 w1 and x2 w1 take one SMLAxy each. */
static void tg_dw_rows_3x3(const int8_t *plane, int32_t plane_w, int32_t dy, int32_t out_h,
                           int32_t out_w, const int32_t *w, const int32_t *q, int32_t lo,
                           int32_t hi, int8_t *to, int32_t channels)
{
    const int32_t p0 = tg_pack16(w[0], w[2]), p1 = tg_pack16(w[3], w[5]);
    const int32_t p2 = tg_pack16(w[6], w[8]);
    const int32_t c0 = w[1], c1 = w[4], c2 = w[7], bias = q[0];
    int32_t oy, ox;
    for (oy = 0; oy < out_h; ++oy) {
        const int8_t *x = plane + oy * plane_w;
        for (ox = 0; ox + 2 <= out_w; ox += 2, x += 2) {
            const int32_t v0 = tg_load4(x), v1 = tg_load4(x + dy), v2 = tg_load4(x + 2 * dy);
            int32_t e = __sxtb16(v0), o = tg_sxtb16_odd(v0);
            int32_t a0 = __smlabb(o, c0, __smlad(e, p0, bias));
            int32_t a1 = __smlatb(e, c0, __smlad(o, p0, bias));
            e = __sxtb16(v1);
            o = tg_sxtb16_odd(v1);
            a0 = __smlabb(o, c1, __smlad(e, p1, a0));
            a1 = __smlatb(e, c1, __smlad(o, p1, a1));
            e = __sxtb16(v2);
            o = tg_sxtb16_odd(v2);
            a0 = __smlabb(o, c2, __smlad(e, p2, a0));
            a1 = __smlatb(e, c2, __smlad(o, p2, a1));
            to[0] = tg_quad_out(a0, q, lo, hi);
            to[channels] = tg_quad_out(a1, q, lo, hi);
            to += 2 * channels;
        }
        if (ox < out_w) {
            const int8_t *x1 = x + dy, *x2 = x1 + dy;
            int32_t acc = bias + x[0] * w[0] + x[1] * w[1] + x[2] * w[2];
            acc += x1[0] * w[3] + x1[1] * w[4] + x1[2] * w[5];
            acc += x2[0] * w[6] + x2[1] * w[7] + x2[2] * w[8];
            *to = tg_quad_out(acc, q, lo, hi);
            to += channels;
        }
    }
}
#endif

void tg_depthwise_conv2d_fast_s8_inplace(const tg_depthwise_fast_params *p,
                                         const int8_t *input, int8_t *output, int8_t *scratch)
{
    const int32_t channels = p->channels;
    const int32_t fh = p->filter_h, fw = p->filter_w, taps = fh * fw;
    const int32_t whole = channels & ~3;
    const int32_t out_h = p->out_h, out_w = p->out_w;
    const int32_t plane_h = (out_h - 1) * p->stride_h + (fh - 1) * p->dilation_h + 1;
    const int32_t plane_w = (out_w - 1) * p->stride_w + (fw - 1) * p->dilation_w + 1;
    const int32_t dx = p->dilation_w, dy = p->dilation_h * plane_w;
    const int32_t sx = p->stride_w, sy = p->stride_h * plane_w;
    const int32_t lo = p->act_min, hi = p->act_max;
    const int32_t three = fh == 3 && fw == 3;
    int32_t w[TG_DEPTHWISE_FAST_TAPS];
    int32_t c, oy, ox, ky, kx, t;
    for (c = 0; c < channels; ++c) {
        const int32_t step = c < whole ? 4 : channels - whole;
        const int8_t *f = p->filter + (c < whole ? (c & ~3) * taps + (c & 3)
                                                 : whole * taps + (c - whole));
        const int32_t *q = p->quant + 4 * c;
        const int32_t bias = q[0];
        int8_t *to = output + c;
        for (t = 0; t < taps; ++t) {
            w[t] = f[t * step];
        }
        tg_dw_plane(p, input + c, scratch, plane_h, plane_w);
#if defined(TG_DSP)
        if (three && sx == 1 && dx == 1) {
            tg_dw_rows_3x3(scratch, plane_w, dy, out_h, out_w, w, q, lo, hi, to, channels);
            continue;
        }
#endif
        for (oy = 0; oy < out_h; ++oy) {
            const int8_t *x = scratch + oy * sy;
            if (three) {
                const int32_t w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3], w4 = w[4];
                const int32_t w5 = w[5], w6 = w[6], w7 = w[7], w8 = w[8];
                for (ox = 0; ox < out_w; ++ox, x += sx) {
                    const int8_t *x1 = x + dy, *x2 = x1 + dy;
                    int32_t acc = bias + x[0] * w0 + x[dx] * w1 + x[2 * dx] * w2;
                    acc += x1[0] * w3 + x1[dx] * w4 + x1[2 * dx] * w5;
                    acc += x2[0] * w6 + x2[dx] * w7 + x2[2 * dx] * w8;
                    *to = tg_quad_out(acc, q, lo, hi);
                    to += channels;
                }
            } else {
                for (ox = 0; ox < out_w; ++ox, x += sx) {
                    const int8_t *xr = x;
                    int32_t acc = bias;
                    for (ky = 0, t = 0; ky < fh; ++ky, xr += dy) {
                        for (kx = 0; kx < fw; ++kx, ++t) {
                            acc += xr[kx * dx] * w[t];
                        }
                    }
                    *to = tg_quad_out(acc, q, lo, hi);
                    to += channels;
                }
            }
        }
    }
}
