/* int8 nearest-neighbour resize (RESIZE_NEAREST_NEIGHBOR) of [N, H, W, C]: output pixel
 * (y, x) is input pixel (rows[y], cols[x]), the tables computed by the generator. The
 * output must not overlap the input. */
#include "tg_kernels.h"

void tg_resize_nearest_s8(const tg_resize_nearest_params *p, const int8_t *input,
                          int8_t *output)
{
    int32_t b, y, x, c;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *image = input + b * p->in_h * p->in_w * p->channels;
        for (y = 0; y < p->out_h; ++y) {
            const int8_t *row = image + p->rows[y] * p->in_w * p->channels;
            for (x = 0; x < p->out_w; ++x) {
                const int8_t *pixel = row + p->cols[x] * p->channels;
                for (c = 0; c < p->channels; ++c) {
                    *output++ = pixel[c];
                }
            }
        }
    }
}
