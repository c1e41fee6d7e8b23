/* Triangular mel filterbank on a power spectrum, over each filter's nonzero bins. */
#include "tg_dsp_audio.h"

void tg_mel_energies(const tg_mel_params *p, const float *power, float *mel)
{
    const float *w = p->weights;
    int32_t f, k;
    for (f = 0; f < p->num_filters; ++f) {
        const float *bins = power + p->first_bin[f];
        const int32_t count = p->bin_count[f];
        float sum = 0.0f;
        for (k = 0; k < count; ++k) {
            sum += w[k] * bins[k];
        }
        mel[f] = sum > p->floor ? sum : 1e-10f;
        w += count;
    }
}
