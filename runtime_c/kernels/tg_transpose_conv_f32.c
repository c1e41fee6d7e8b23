/* float32 transpose convolution (TRANSPOSE_CONV), NHWC input, OHWI weights, as TensorFlow
 * Lite's reference TransposeConv: the products summed in float32, then the bias, then the
 * clamp to the fused activation's range.
 *
 * TensorFlow Lite scatters the input pixels in order (row, column, channel) onto a zeroed
 * output. This kernel gathers instead, in that same order, so each output's sum adds the
 * same products in the same order: output row oy is reached from input row iy through
 * tap ky = oy + pad_h - iy * stride_h, for the input rows with 0 <= ky < filter_h, taken
 * from the lowest; the same along w. The output must not overlap the input. */
#include "tg_kernels_f32.h"

/* The first input index whose tap reaches output offset r (r = out + pad >= 0). */
static int32_t tg_transpose_conv_f32_first(int32_t r, int32_t filter, int32_t stride)
{
    const int32_t t = r - (filter - 1);
    return t <= 0 ? 0 : (t + stride - 1) / stride;
}

void tg_transpose_conv_f32(const tg_transpose_conv_f32_params *p, const float *input,
                           const float *filter, const float *bias, float *output)
{
    int32_t b, oy, ox, oc, iy, ix, ic;
    for (b = 0; b < p->batches; ++b) {
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t ry = oy + p->pad_h;
            const int32_t iy0 = tg_transpose_conv_f32_first(ry, p->filter_h, p->stride_h);
            const int32_t iy_end = ry / p->stride_h + 1 < p->in_h ? ry / p->stride_h + 1 : p->in_h;
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t rx = ox + p->pad_w;
                const int32_t ix0 = tg_transpose_conv_f32_first(rx, p->filter_w, p->stride_w);
                const int32_t ix_end =
                    rx / p->stride_w + 1 < p->in_w ? rx / p->stride_w + 1 : p->in_w;
                for (oc = 0; oc < p->out_c; ++oc) {
                    float acc = 0.0f;
                    for (iy = iy0; iy < iy_end; ++iy) {
                        const int32_t ky = ry - iy * p->stride_h;
                        for (ix = ix0; ix < ix_end; ++ix) {
                            const int32_t kx = rx - ix * p->stride_w;
                            const float *in = input + ((b * p->in_h + iy) * p->in_w + ix) * p->in_c;
                            const float *f =
                                filter + ((oc * p->filter_h + ky) * p->filter_w + kx) * p->in_c;
                            for (ic = 0; ic < p->in_c; ++ic) {
                                acc += in[ic] * f[ic];
                            }
                        }
                    }
                    if (bias != NULL) {
                        acc += bias[oc];
                    }
                    *output++ = tg_clamp_f32(acc, p->act_min, p->act_max);
                }
            }
        }
    }
}
