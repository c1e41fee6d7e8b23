/* int8 transpose convolution (TRANSPOSE_CONV), NHWC input, OHWI weights, per-channel
 * requantization.
 *
 * TensorFlow Lite scatters every input pixel onto the output pixels its taps reach,
 * summing into an int32 buffer of the whole output. This kernel gathers instead: output
 * row oy is reached by tap ky of input row iy where iy * stride_h + ky = oy + pad_h, so
 * for each output pixel it visits the taps ky = (oy + pad_h) mod stride_h, + stride_h, ...
 * (at most oy + pad_h) whose input row lies inside the input, and the same along w. The
 * sums are the same integers (accumulated modulo 2^32, in any order), without the buffer.
 * The output must not overlap the input. */
#include "tg_fixedpoint.h"
#include "tg_kernels.h"

void tg_transpose_conv_s8(const tg_transpose_conv_params *p, const int8_t *input,
                          const int8_t *filter, const int32_t *bias, int8_t *output)
{
    int32_t b, oy, ox, oc, ky, kx, ic;
    for (b = 0; b < p->batches; ++b) {
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t ry = oy + p->pad_h;
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t rx = ox + p->pad_w;
                for (oc = 0; oc < p->out_c; ++oc) {
                    uint32_t acc = 0; /* wraps as TensorFlow Lite's int32 sums do */
                    int32_t v;
                    for (ky = ry % p->stride_h; ky <= ry && ky < p->filter_h;
                         ky += p->stride_h) {
                        const int32_t iy = (ry - ky) / p->stride_h;
                        if (iy >= p->in_h) {
                            continue;
                        }
                        for (kx = rx % p->stride_w; kx <= rx && kx < p->filter_w;
                             kx += p->stride_w) {
                            const int32_t ix = (rx - kx) / p->stride_w;
                            const int8_t *in;
                            const int8_t *f;
                            if (ix >= p->in_w) {
                                continue;
                            }
                            in = input + ((b * p->in_h + iy) * p->in_w + ix) * p->in_c;
                            f = filter + ((oc * p->filter_h + ky) * p->filter_w + kx) * p->in_c;
                            for (ic = 0; ic < p->in_c; ++ic) {
                                acc += (uint32_t)(((int32_t)in[ic] + p->input_offset) *
                                                  (int32_t)f[ic]);
                            }
                        }
                    }
                    if (bias != NULL) {
                        acc += (uint32_t)bias[oc];
                    }
                    v = tg_requantize((int32_t)acc, p->multiplier[oc], p->shift[oc]) +
                        p->output_offset;
                    *output++ = (int8_t)tg_clamp(v, p->act_min, p->act_max);
                }
            }
        }
    }
}
