/* Power to dB above a noise floor, scaled to 0 .. 1 (12 dB is 1), optionally 8-bit steps. */
#include "tg_dsp_audio.h"

void tg_noise_floor(const tg_noise_floor_params *p, const float *power, float *out,
                    int32_t count)
{
    int32_t i;
    for (i = 0; i < count; ++i) {
        const float x = power[i] < 1e-30f ? 1e-30f : power[i];
        /* 10 log10 x = (10 / ln 10) ln x */
        float v = (4.3429448f * tg_dsp_logf(x) - p->noise_floor_db) / p->range_db;
        if (v < 0.0f) {
            v = 0.0f;
        }
        if (p->quantize) {
            if (v > 1.0f) {
                v = 1.0f;
            }
            if (v >= 0.0f) { /* not NaN (kept, for the caller's check) */
                /* v * 256 in 0 .. 256: its integer part by truncation is its floor. */
                const float steps = v * 256.0f;
                int32_t whole = (int32_t)steps;
                const float rest = steps - (float)whole;
                /* Half to even, as numpy's around. */
                if (rest > 0.5f || (rest == 0.5f && (whole & 1) != 0)) {
                    whole += 1;
                }
                /* Edge Impulse's uint8 cast wraps 256 to 0; the loudest step is kept at
                 * 255. */
                v = (float)(whole > 255 ? 255 : whole) / 256.0f;
            }
        }
        out[i] = v;
    }
}
