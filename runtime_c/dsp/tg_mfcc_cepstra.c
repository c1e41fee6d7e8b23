/* Cepstra of one frame: log frame energy, then the DCT-II of the log mel energies. */
#include <math.h>

#include "tg_dsp_audio.h"

void tg_mfcc_cepstra(const tg_mfcc_params *p, const float *power, float *mel, float *cepstra)
{
    const float *row = p->dct;
    float energy = 0.0f;
    int32_t f, k;
    for (k = 0; k < p->num_bins; ++k) {
        energy += power[k];
    }
    cepstra[0] = logf(energy > 1e-10f ? energy : 1e-10f);
    for (f = 0; f < p->num_filters; ++f) {
        mel[f] = logf(mel[f]);
    }
    for (k = 1; k < p->num_cepstral; ++k) {
        float sum = 0.0f;
        for (f = 0; f < p->num_filters; ++f) {
            sum += row[f] * mel[f];
        }
        cepstra[k] = sum;
        row += p->num_filters;
    }
}
