/* int8 depthwise convolution: output channel c*depth_multiplier+m reads input channel c. */
#include "tg_depthwise.h"

void tg_depthwise_conv2d_s8(const tg_conv_params *p, const int8_t *input,
                            const int8_t *filter, const int32_t *bias, int8_t *output)
{
    int32_t b, oy, ox, ic, m;
    for (b = 0; b < p->batches; ++b) {
        for (oy = 0; oy < p->out_h; ++oy) {
            for (ox = 0; ox < p->out_w; ++ox) {
                int8_t *out = output + ((b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                for (ic = 0; ic < p->in_c; ++ic) {
                    for (m = 0; m < p->depth_multiplier; ++m) {
                        const int32_t oc = ic * p->depth_multiplier + m;
                        out[oc] = tg_depthwise_point(p, input, filter, bias, b, oy, ox, ic, oc);
                    }
                }
            }
        }
    }
}
