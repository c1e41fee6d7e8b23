/* float32 nearest-neighbour resize (RESIZE_NEAREST_NEIGHBOR) of [N, H, W, C], as TensorFlow
 * Lite's ResizeNearestNeighbor: output pixel (y, x) is input pixel (rows[y], cols[x]), the
 * tables computed by the generator in TensorFlow Lite's float32 arithmetic. */
#include "tg_kernels_f32.h"

void tg_resize_nearest_f32(const tg_resize_nearest_params *p, const float *input,
                           float *output)
{
    int32_t b, y, x, c;
    for (b = 0; b < p->batches; ++b) {
        const float *image = input + b * p->in_h * p->in_w * p->channels;
        for (y = 0; y < p->out_h; ++y) {
            const float *row = image + p->rows[y] * p->in_w * p->channels;
            for (x = 0; x < p->out_w; ++x) {
                const float *pixel = row + p->cols[x] * p->channels;
                for (c = 0; c < p->channels; ++c) {
                    *output++ = pixel[c];
                }
            }
        }
    }
}
