/* float32 fully connected layer, as TensorFlow Lite's reference kernel: per output, the
 * dot product over the depth from 0, then the bias and the clamp. */
#include "tg_kernels_f32.h"

void tg_fully_connected_f32(const tg_fully_connected_f32_params *p, const float *input,
                            const float *filter, const float *bias, float *output)
{
    int32_t b, o, d;
    for (b = 0; b < p->batches; ++b) {
        const float *x = input + b * p->accum_depth;
        for (o = 0; o < p->out_depth; ++o) {
            const float *w = filter + o * p->accum_depth;
            float total = 0.0f;
            for (d = 0; d < p->accum_depth; ++d) {
                total += x[d] * w[d];
            }
            total += bias != NULL ? bias[o] : 0.0f;
            *output++ = tg_clamp_f32(total, p->act_min, p->act_max);
        }
    }
}
