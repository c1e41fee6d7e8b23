/* Flatten block: statistics of each axis, scaled afterwards (exactly as scaling the
 * input would, without rounding every scaled sample). */
#include "tg_dsp_flatten.h"

int tg_flatten(const tg_flatten_params *p, const float *input, float *output)
{
    const float s = p->scale, magnitude = s < 0.0f ? -s : s;
    int32_t ax, i;
    for (ax = 0; ax < p->axes; ++ax) {
        tg_dsp_stats st;
        tg_dsp_moments(input + ax, p->length, p->axes, &st);
        {
            const float values[7] = {
                st.mean * s,
                (s < 0.0f ? st.maximum : st.minimum) * s,
                (s < 0.0f ? st.minimum : st.maximum) * s,
                st.rms * magnitude,
                st.stdev * magnitude,
                s < 0.0f ? -st.skewness : (s > 0.0f ? st.skewness : 0.0f),
                s != 0.0f ? st.kurtosis : 0.0f,
            };
            for (i = 0; i < 7; ++i) {
                if (p->statistics & (1 << i)) {
                    *output++ = values[i];
                }
            }
        }
    }
    return 0;
}
