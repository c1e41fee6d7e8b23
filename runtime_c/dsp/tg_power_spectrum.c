/* |X[k]|^2 / n of a real frame, computed in the FFT's output buffer. */
#include "tg_dsp_audio.h"

void tg_power_spectrum(const tg_rfft_plan *plan, const float *frame, float dc, float *power)
{
    const int32_t bins = plan->n / 2 + 1;
    const float inverse_n = 1.0f / (float)plan->n; /* a power of two: exact */
    const float *x = power;
    int32_t k;
    tg_rfft(plan, frame, power);
    /* Bin k is read from 2k and 2k + 1 before index k is written: in place is safe
     * (two bins a turn: bins k and k + 1 are read before k + 1 <= 2k is written). */
    for (k = 0; k + 2 <= bins; k += 2) {
        const float re0 = x[0], im0 = x[1], re1 = x[2], im1 = x[3];
        power[k] = (re0 * re0 + im0 * im0) * inverse_n;
        power[k + 1] = (re1 * re1 + im1 * im1) * inverse_n;
        x += 4;
    }
    if (k < bins) {
        power[k] = (x[0] * x[0] + x[1] * x[1]) * inverse_n;
    }
    power[0] = dc * dc * inverse_n;
}
