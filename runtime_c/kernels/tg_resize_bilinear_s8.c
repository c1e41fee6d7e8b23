/* int8 bilinear resize (RESIZE_BILINEAR) of [N, H, W, C] with TensorFlow Lite's integer
 * arithmetic: rows[3 y .. 3 y + 2] = (lower row, upper row, fraction f in 1/1024ths) of
 * output row y, cols the same of output columns. The output is the four neighbours
 * weighted by (1024 - fy, fy) x (1024 - fx, fx), divided by 2^20 with halves rounded
 * away from zero. The fractions lie in [-512, 1024), so the weights add up to at most
 * 2^22 in magnitude and the sums stay within int32. The output must not overlap the
 * input. */
#include "tg_kernels.h"

void tg_resize_bilinear_s8(const tg_resize_bilinear_params *p, const int8_t *input,
                           int8_t *output)
{
    const int32_t one = 1 << 10, half = 1 << 19, unit = 1 << 20;
    const int32_t line = p->in_w * p->channels;
    int32_t b, y, x, c;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *image = input + b * p->in_h * line;
        for (y = 0; y < p->out_h; ++y) {
            const int32_t *ry = p->rows + 3 * y;
            const int8_t *top = image + ry[0] * line;
            const int8_t *bottom = image + ry[1] * line;
            const int32_t wy1 = ry[2], wy0 = one - ry[2];
            for (x = 0; x < p->out_w; ++x) {
                const int32_t *rx = p->cols + 3 * x;
                const int32_t left = rx[0] * p->channels, right = rx[1] * p->channels;
                const int32_t wx1 = rx[2], wx0 = one - rx[2];
                const int32_t w00 = wy0 * wx0, w01 = wy0 * wx1;
                const int32_t w10 = wy1 * wx0, w11 = wy1 * wx1;
                for (c = 0; c < p->channels; ++c) {
                    const int32_t sum = top[left + c] * w00 + bottom[left + c] * w10 +
                                        top[right + c] * w01 + bottom[right + c] * w11;
                    *output++ = (int8_t)((sum > 0 ? sum + half : sum - half) / unit);
                }
            }
        }
    }
}
