/* Max-hold power spectrum over (possibly overlapping) zero-padded frames. */
#include "tg_dsp_spectral.h"

void tg_dsp_max_hold(const tg_rfft_plan *plan, const float *x, int32_t len, int32_t step,
                     float *work, float *power)
{
    const int32_t n = plan->n;
    const float inv_n = 1.0f / (float)n; /* exact: n is a power of two */
    float *frame = work, *spectrum = work + n;
    int32_t start, k;
    for (k = 0; k <= n / 2; ++k) {
        power[k] = 0.0f;
    }
    for (start = 0; start < len; start += step) {
        const float *in = x + start;
        if (len - start < n) {
            for (k = 0; k < n; ++k) {
                frame[k] = k < len - start ? in[k] : 0.0f;
            }
            in = frame;
        }
        tg_rfft(plan, in, spectrum);
        for (k = 0; k <= n / 2; ++k) {
            const float re = spectrum[2 * k], im = spectrum[2 * k + 1];
            const float p = (re * re + im * im) * inv_n;
            power[k] = p > power[k] ? p : power[k];
        }
    }
}
