/* float32 bilinear resize (RESIZE_BILINEAR) of [N, H, W, C], as TensorFlow Lite's reference
 * ResizeBilinear: each output value is the four neighbours times their row and column
 * weights, added in its order (upper-left, lower-left, upper-right, lower-right, each
 * value * row weight * column weight). The neighbours and weights come from the
 * generator's tables (float32, TensorFlow Lite's ComputeInterpolationValues). */
#include "tg_kernels_f32.h"

void tg_resize_bilinear_f32(const tg_resize_bilinear_f32_params *p, const float *input,
                            float *output)
{
    const int32_t row_stride = p->in_w * p->channels;
    int32_t b, y, x, c;
    for (b = 0; b < p->batches; ++b) {
        const float *image = input + b * p->in_h * row_stride;
        for (y = 0; y < p->out_h; ++y) {
            const float *row0 = image + p->rows[2 * y] * row_stride;
            const float *row1 = image + p->rows[2 * y + 1] * row_stride;
            const float wy0 = p->row_weights[2 * y], wy1 = p->row_weights[2 * y + 1];
            for (x = 0; x < p->out_w; ++x) {
                const int32_t x0 = p->cols[2 * x] * p->channels;
                const int32_t x1 = p->cols[2 * x + 1] * p->channels;
                const float wx0 = p->col_weights[2 * x], wx1 = p->col_weights[2 * x + 1];
                for (c = 0; c < p->channels; ++c) {
                    *output++ = row0[x0 + c] * wy0 * wx0 + row1[x0 + c] * wy1 * wx0
                                + row0[x1 + c] * wy0 * wx1 + row1[x1 + c] * wy1 * wx1;
                }
            }
        }
    }
}
