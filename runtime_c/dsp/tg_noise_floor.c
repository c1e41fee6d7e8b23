/* Power to dB above a noise floor, scaled to 0 .. 1 (12 dB is 1), optionally 8-bit steps. */
#include <math.h>

#include "tg_dsp_audio.h"

void tg_noise_floor(const tg_noise_floor_params *p, const float *power, float *out,
                    int32_t count)
{
    int32_t i;
    for (i = 0; i < count; ++i) {
        const float x = power[i] < 1e-30f ? 1e-30f : power[i];
        float v = (10.0f * log10f(x) - p->noise_floor_db) / p->range_db;
        if (v < 0.0f) {
            v = 0.0f;
        }
        if (p->quantize) {
            float steps, whole, rest;
            if (v > 1.0f) {
                v = 1.0f;
            }
            steps = v * 256.0f;
            whole = floorf(steps);
            rest = steps - whole;
            /* Half to even, as numpy's around. */
            if (rest > 0.5f || (rest == 0.5f && fmodf(whole, 2.0f) != 0.0f)) {
                whole += 1.0f;
            }
            /* Edge Impulse's uint8 cast wraps 256 to 0; the loudest step is kept at 255. */
            v = (whole > 255.0f ? 255.0f : whole) / 256.0f;
        }
        out[i] = v;
    }
}
