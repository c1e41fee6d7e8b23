/* Raw block: the input times a constant. */
#include "tg_dsp_flatten.h"

void tg_raw_scale(const float *input, int32_t len, float scale, float *output)
{
    int32_t i;
    for (i = 0; i < len; ++i) {
        output[i] = input[i] * scale;
    }
}
