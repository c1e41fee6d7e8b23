/* int8 depthwise convolution (one output channel per input channel, batch 1) whose output
 * overwrites its input, channel by channel.
 *
 * Channel c of the output is computed into `scratch` (out_h * out_w bytes) from channel c of
 * the input only, then stored at the output's places of channel c. Both tensors are laid out
 * NHWC with the same channel count, so every byte of channel c's places held input channel c,
 * which is no longer needed; the other channels' input is untouched. `input` and `output`
 * point to the same bytes.
 */
#include "tg_depthwise.h"

void tg_depthwise_conv2d_s8_inplace(const tg_conv_params *p, const int8_t *input,
                                    const int8_t *filter, const int32_t *bias, int8_t *output,
                                    int8_t *scratch)
{
    const int32_t pixels = p->out_h * p->out_w;
    int32_t c, oy, ox, i;
    for (c = 0; c < p->out_c; ++c) {
        for (oy = 0; oy < p->out_h; ++oy) {
            for (ox = 0; ox < p->out_w; ++ox) {
                scratch[oy * p->out_w + ox] =
                    tg_depthwise_point(p, input, filter, bias, 0, oy, ox, c, c);
            }
        }
        for (i = 0; i < pixels; ++i) {
            output[i * p->out_c + c] = scratch[i];
        }
    }
}
