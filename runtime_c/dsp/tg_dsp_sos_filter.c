/* Cascade of second-order sections with optional decimation, in place. */
#include <stddef.h>

#include "tg_dsp_spectral.h"

int32_t tg_dsp_sos_filter(const tg_dsp_sos *sos, float *x, int32_t len)
{
    float state[2 * TG_DSP_MAX_SECTIONS];
    float offset = 0.0f, base = 0.0f;
    int32_t i, s, kept = 0, skip = 0;
    if (sos->zi != NULL) {
        for (i = 0; i < len; ++i) {
            offset += x[i];
        }
        offset /= (float)len; /* any constant is exact here; the mean is the best */
        base = sos->dc_gain * offset;
    }
    for (s = 0; s < 2 * sos->sections; ++s) {
        state[s] = sos->zi != NULL ? sos->zi[s] * (x[0] - offset) : 0.0f;
    }
    for (i = 0; i < len; ++i) {
        float v = x[i] - offset;
        for (s = 0; s < sos->sections; ++s) {
            const float *c = sos->coeffs + 5 * s;
            float *z = state + 2 * s;
            const float y = c[0] * v + z[0];
            /* z0 = b1 v - a1 y + z1, z1 = b2 v - a2 y */
            z[0] = c[1] * v + z[1] + (2.0f * y - c[3] * y);
            z[1] = c[2] * v - (y + c[4] * y);
            v = y;
        }
        /* kept <= i: the samples still to be read are never overwritten. */
        if (skip == 0) {
            x[kept++] = v + base;
            skip = sos->ratio;
        }
        --skip;
    }
    return kept;
}
