/* Spectral analysis block (Edge Impulse's spectral features, version 4, FFT). */
#include <math.h>
#include <stddef.h>

#include "tg_dsp_spectral.h"

static void tg_spectral_remove_mean(float *x, int32_t len)
{
    tg_dsp_stats stats;
    int32_t i;
    tg_dsp_moments(x, len, 1, &stats);
    for (i = 0; i < len; ++i) {
        x[i] = (x[i] - stats.mean) - stats.mean_low;
    }
}

int32_t tg_spectral_features(const tg_spectral_bands *bands, float *x, int32_t len, float *work,
                             float *output)
{
    const int32_t n = bands->fft->n;
    float *power = work + 2 * n + 2;
    tg_dsp_stats stats;
    int32_t k, count = 0;
    tg_spectral_remove_mean(x, len);
    tg_dsp_moments(x, len, 1, &stats);
    output[count++] = stats.rms;
    output[count++] = stats.skewness;
    output[count++] = stats.kurtosis;
    tg_dsp_max_hold(bands->fft, x, len, bands->step, work, power);
    tg_dsp_moments(power, n / 2 + 1, 1, &stats);
    output[count++] = stats.skewness;
    output[count++] = stats.kurtosis;
    for (k = bands->start_bin; k < bands->stop_bin; ++k) {
        const float p = power[k];
        output[count++] = bands->do_log ? log10f(p == 0.0f ? 1e-10f : p) : p;
    }
    return count;
}

int tg_spectral_analysis(const tg_spectral_params *p, const float *input, float *output)
{
    float *low_out = output;
    float *x = p->signal;
    int32_t ax, i, s, len;
    for (ax = 0; ax < p->axes; ++ax) {
        low_out += 5 + p->bands.stop_bin - p->bands.start_bin;
    }
    for (ax = 0; ax < p->axes; ++ax) {
        for (i = 0; i < p->length; ++i) {
            x[i] = input[i * p->axes + ax] * p->scale;
        }
        len = p->length;
        for (s = 0; s < p->decimators; ++s) {
            len = tg_dsp_sos_filter(p->decimate[s], x, len);
        }
        if (p->filter != NULL) {
            tg_dsp_sos_filter(p->filter, x, len);
        }
        output += tg_spectral_features(&p->bands, x, len, p->work, output);
        if (p->low_freq != NULL) {
            len = tg_dsp_sos_filter(p->low_freq, x, len);
            low_out += tg_spectral_features(&p->low_bands, x, len, p->work, low_out);
        }
    }
    return 0;
}
