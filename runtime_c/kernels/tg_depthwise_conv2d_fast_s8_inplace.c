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

/* Outputs of a plane row computed at once by the 3x3 stride-1 path (int32 on the stack). */
#define TG_DW_CHUNK 16

/* Input channel `in` (a stride of p->channels) as a plane with the zero point around it:
 * plane pixel (py, px) at plane[py * rs + px * cs], (rs, cs) = (plane_w, 1) row by row or
 * (1, plane_h) transposed. */
static void tg_dw_plane(const tg_depthwise_fast_params *p, const int8_t *in, int8_t *plane,
                        int32_t plane_h, int32_t plane_w, int32_t rs, int32_t cs)
{
    const int32_t channels = p->channels;
    const int8_t pad = p->pad[0];
    const int32_t left = p->pad_w < plane_w ? p->pad_w : plane_w;
    const int32_t end = p->pad_w + p->in_w < plane_w ? p->pad_w + p->in_w : plane_w;
    int32_t py, px;
    if (plane_w <= 2 && plane_w < plane_h) { /* column by column: rows of 1-2 pixels */
        for (px = 0; px < plane_w; ++px) {
            const int32_t ix = px - p->pad_w;
            int8_t *column = plane + px * cs;
            for (py = 0; py < plane_h; ++py) {
                const int32_t iy = py - p->pad_h;
                const int inside = ix >= 0 && ix < p->in_w && iy >= 0 && iy < p->in_h;
                column[py * rs] = inside ? in[(iy * p->in_w + ix) * channels] : pad;
            }
        }
        return;
    }
    for (py = 0; py < plane_h; ++py) {
        const int32_t iy = py - p->pad_h;
        int8_t *row = plane + py * rs;
        if (iy < 0 || iy >= p->in_h) {
            for (px = 0; px < plane_w; ++px) {
                row[px * cs] = pad;
            }
            continue;
        }
        for (px = 0; px < left; ++px) {
            row[px * cs] = pad;
        }
        if (px < end) {
            const int8_t *from = in + (iy * p->in_w + px - p->pad_w) * channels;
            for (; px < end; ++px, from += channels) {
                row[px * cs] = *from;
            }
        }
        for (; px < plane_w; ++px) {
            row[px * cs] = pad;
        }
    }
}

static int32_t tg_pack16(int32_t low, int32_t high)
{
    return (int32_t)(((uint32_t)low & 0xFFFFu) | ((uint32_t)high << 16));
}

/* Accumulators without bias of `pairs` x 2 neighbouring outputs of a 3x3 window of stride
 * and dilation 1 whose top row starts at x (rows dy apart). One word of a plane row holds
 * x0..x3: its even and odd halves give x0 w0 + x2 w2 and x1 w0 + x3 w2 in one SMLAD or
 * SMUAD each, the middle taps x1 w1 and x2 w1 one SMLAxy each. k holds the weights packed:
 * {w0 | w2 << 16, w3 | w5 << 16, w6 | w8 << 16, w1 | w4 << 16, w7} (the portable path
 * reads the nine weights w). */
static void tg_dw_pairs_3x3(const int8_t *x, int32_t dy, const int32_t *k, const int16_t *w,
                            int32_t pairs, int32_t *acc)
{
#if defined(TG_DSP) && defined(__GNUC__)
    const int32_t *end = acc + 2 * pairs;
    (void)w;
    int32_t v, e, a0, a1;
    __asm__ volatile(
        "1:\n\t"
        "ldr %[v], [%[x]]\n\t"
        "sxtb16 %[e], %[v]\n\t"
        "sxtb16 %[v], %[v], ror #8\n\t"
        "smuad %[a0], %[e], %[p0]\n\t"
        "smlabb %[a0], %[v], %[c01], %[a0]\n\t"
        "smuad %[a1], %[v], %[p0]\n\t"
        "smlatb %[a1], %[e], %[c01], %[a1]\n\t"
        "ldr %[v], [%[x], %[dy]]\n\t"
        "sxtb16 %[e], %[v]\n\t"
        "sxtb16 %[v], %[v], ror #8\n\t"
        "smlad %[a0], %[e], %[p1], %[a0]\n\t"
        "smlabt %[a0], %[v], %[c01], %[a0]\n\t"
        "smlad %[a1], %[v], %[p1], %[a1]\n\t"
        "smlatt %[a1], %[e], %[c01], %[a1]\n\t"
        "ldr %[v], [%[x], %[dy], lsl #1]\n\t"
        "sxtb16 %[e], %[v]\n\t"
        "sxtb16 %[v], %[v], ror #8\n\t"
        "smlad %[a0], %[e], %[p2], %[a0]\n\t"
        "smlabb %[a0], %[v], %[c2], %[a0]\n\t"
        "smlad %[a1], %[v], %[p2], %[a1]\n\t"
        "smlatb %[a1], %[e], %[c2], %[a1]\n\t"
        "strd %[a0], %[a1], [%[acc]], #8\n\t"
        "adds %[x], %[x], #2\n\t"
        "ldr %[v], %[end]\n\t"
        "cmp %[acc], %[v]\n\t"
        "bne 1b\n\t"
        : [x] "+r"(x), [acc] "+r"(acc), [v] "=&r"(v), [e] "=&r"(e), [a0] "=&r"(a0),
          [a1] "=&r"(a1)
        : [dy] "r"(dy), [p0] "r"(k[0]), [p1] "r"(k[1]), [p2] "r"(k[2]), [c01] "r"(k[3]),
          [c2] "r"(k[4]), [end] "m"(end)
        : "cc", "memory");
#else
    (void)k;
    int32_t n, r, t;
    for (n = 0; n < 2 * pairs; ++n, ++x) {
        int32_t a = 0;
        for (r = 0; r < 3; ++r) {
            for (t = 0; t < 3; ++t) {
                a += x[r * dy + t] * w[3 * r + t];
            }
        }
        acc[n] = a;
    }
#endif
}

/* Output channel c from its plane: 3x3 windows of stride and dilation 1, along the plane's
 * rows of `rows` x `cols` outputs; consecutive outputs of a row are `step` bytes apart in
 * `to`, rows `row_step` (the caller transposes a plane whose rows would be short). */
static void tg_dw_plane_3x3(const tg_depthwise_fast_params *p, const int8_t *plane,
                            int32_t rows, int32_t cols, const int16_t *w, const int32_t *q,
                            int8_t *to, int32_t step, int32_t row_step)
{
    const int32_t bias = q[0], m = q[1], r1 = q[2], rounding = q[3];
    const int32_t lo = p->act_min, hi = p->act_max, width = cols + 2;
    int32_t k[5];
    int32_t acc[TG_DW_CHUNK];
    int32_t oy, ox, n, i;
    k[0] = tg_pack16(w[0], w[2]);
    k[1] = tg_pack16(w[3], w[5]);
    k[2] = tg_pack16(w[6], w[8]);
    k[3] = tg_pack16(w[1], w[4]);
    k[4] = w[7];
    for (oy = 0; oy < rows; ++oy) {
        const int8_t *x = plane + oy * width;
        int8_t *out = to + oy * row_step;
        for (ox = 0; ox < cols; ox += n, x += n) {
            n = cols - ox < TG_DW_CHUNK ? cols - ox : TG_DW_CHUNK;
            if (n >= 2) {
                tg_dw_pairs_3x3(x, width, k, w, n >> 1, acc);
            }
            if (n & 1) { /* the last output of an odd row */
                const int8_t *y = x + n - 1, *y1 = y + width, *y2 = y1 + width;
                acc[n - 1] = y[0] * w[0] + y[1] * w[1] + y[2] * w[2] + y1[0] * w[3] +
                             y1[1] * w[4] + y1[2] * w[5] + y2[0] * w[6] + y2[1] * w[7] +
                             y2[2] * w[8];
            }
            if (lo == -128 && hi == 127) {
                for (i = 0; i < n; ++i, out += step) {
                    *out = tg_sat8(tg_quad_requantize3(acc[i] + bias, m, r1, rounding));
                }
            } else {
                for (i = 0; i < n; ++i, out += step) {
                    int32_t v = tg_quad_requantize3(acc[i] + bias, m, r1, rounding);
                    v = v < lo ? lo : v;
                    *out = (int8_t)(v > hi ? hi : v);
                }
            }
        }
    }
}

/* Output channel c from its plane: any window (at most TG_DEPTHWISE_FAST_TAPS taps), each
 * tap at a fixed distance from the window's first byte. */
static void tg_dw_plane_any(const tg_depthwise_fast_params *p, const int8_t *plane,
                            int32_t plane_w, const int16_t *w, const int32_t *q, int8_t *to)
{
    const int32_t fh = p->filter_h, fw = p->filter_w, taps = fh * fw, channels = p->channels;
    const int32_t sx = p->stride_w, sy = p->stride_h * plane_w;
    const int32_t lo = p->act_min, hi = p->act_max;
    int32_t at[TG_DEPTHWISE_FAST_TAPS];
    int32_t oy, ox, t;
    for (t = 0; t < taps; ++t) {
        at[t] = (t / fw) * p->dilation_h * plane_w + (t % fw) * p->dilation_w;
    }
    for (oy = 0; oy < p->out_h; ++oy) {
        const int8_t *x = plane + oy * sy;
        for (ox = 0; ox < p->out_w; ++ox, x += sx, to += channels) {
            int32_t acc = q[0];
            for (t = 0; t < taps; ++t) {
                acc += x[at[t]] * w[t];
            }
            *to = tg_quad_out(acc, q, lo, hi);
        }
    }
}

void tg_depthwise_conv2d_fast_s8_inplace(const tg_depthwise_fast_params *p,
                                         const int8_t *input, int8_t *output, int8_t *scratch)
{
    const int32_t channels = p->channels;
    const int32_t fh = p->filter_h, fw = p->filter_w, taps = fh * fw;
    const int32_t whole = channels & ~3;
    const int32_t plane_h = (p->out_h - 1) * p->stride_h + (fh - 1) * p->dilation_h + 1;
    const int32_t plane_w = (p->out_w - 1) * p->stride_w + (fw - 1) * p->dilation_w + 1;
    const int32_t simple = fh == 3 && fw == 3 && p->stride_w == 1 && p->stride_h == 1 &&
                           p->dilation_w == 1 && p->dilation_h == 1;
    int16_t w[TG_DEPTHWISE_FAST_TAPS];
    int32_t c, t;
    for (c = 0; c < channels; ++c) {
        const int32_t step = c < whole ? 4 : channels - whole;
        const int8_t *f = p->filter + (c < whole ? (c & ~3) * taps + (c & 3)
                                                 : whole * taps + (c - whole));
        for (t = 0; t < taps; ++t) {
            w[t] = f[t * step];
        }
        if (simple && p->out_w < p->out_h) { /* columns are longer: a transposed plane */
            int16_t wt[9];
            for (t = 0; t < 9; ++t) {
                wt[t] = w[(t % 3) * 3 + t / 3];
            }
            tg_dw_plane(p, input + c, scratch, plane_h, plane_w, 1, plane_h);
            tg_dw_plane_3x3(p, scratch, p->out_w, p->out_h, wt, p->quant + 4 * c, output + c,
                            p->out_w * channels, channels);
        } else if (simple) {
            tg_dw_plane(p, input + c, scratch, plane_h, plane_w, plane_w, 1);
            tg_dw_plane_3x3(p, scratch, p->out_h, p->out_w, w, p->quant + 4 * c, output + c,
                            channels, p->out_w * channels);
        } else {
            tg_dw_plane(p, input + c, scratch, plane_h, plane_w, plane_w, 1);
            tg_dw_plane_any(p, scratch, plane_w, w, p->quant + 4 * c, output + c);
        }
    }
}
