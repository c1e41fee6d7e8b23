/* Triangular mel filterbank on a power spectrum, over each filter's nonzero bins. */
#include "tg_dsp_audio.h"

void tg_mel_energies(const tg_mel_params *p, const float *power, float *mel)
{
    const float *w = p->weights;
    int32_t f;
    for (f = 0; f < p->num_filters; ++f) {
        const float *bin = power + p->first_bin[f], *end = w + p->bin_count[f];
        float sum = 0.0f;
        while (w != end) {
            sum += *w++ * *bin++;
        }
        mel[f] = sum > p->floor ? sum : 1e-10f;
    }
}
