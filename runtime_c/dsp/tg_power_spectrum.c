/* |X[k]|^2 / n of a real frame, computed in the FFT's output buffer. */
#include "tg_dsp_audio.h"

void tg_power_spectrum(const tg_rfft_plan *plan, const float *frame, float dc, float *power)
{
    const int32_t bins = plan->n / 2 + 1;
    const float inverse_n = 1.0f / (float)plan->n; /* a power of two: exact */
    int32_t k;
    tg_rfft(plan, frame, power);
    /* Bin k is read from 2k and 2k + 1 before index k is written: in place is safe. */
    for (k = 0; k < bins; ++k) {
        const float re = power[2 * k], im = power[2 * k + 1];
        power[k] = (re * re + im * im) * inverse_n;
    }
    power[0] = dc * dc * inverse_n;
}
