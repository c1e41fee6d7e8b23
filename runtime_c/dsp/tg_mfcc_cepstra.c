/* Cepstra of one frame: log frame energy, then the DCT-II of the log mel energies. */
#include "tg_dsp_audio.h"

void tg_mfcc_cepstra(const tg_mfcc_params *p, const float *power, float *mel, float *cepstra)
{
    const int32_t filters = p->num_filters, bins = p->num_bins;
    const float *row = p->dct;
    float energy = 0.0f;
    int32_t f, k;
    /* Four bins a turn (the loop's overhead shared), added in order. */
    for (k = 0; k + 4 <= bins; k += 4) {
        energy += power[k];
        energy += power[k + 1];
        energy += power[k + 2];
        energy += power[k + 3];
    }
    for (; k < bins; ++k) {
        energy += power[k];
    }
    cepstra[0] = tg_dsp_logf(energy > 1e-10f ? energy : 1e-10f);
    for (f = 0; f < filters; ++f) {
        mel[f] = tg_dsp_logf(mel[f]);
    }
    for (k = 1; k < p->num_cepstral; ++k) {
        float sum = 0.0f;
        for (f = 0; f + 4 <= filters; f += 4) {
            sum += row[f] * mel[f];
            sum += row[f + 1] * mel[f + 1];
            sum += row[f + 2] * mel[f + 2];
            sum += row[f + 3] * mel[f + 3];
        }
        for (; f < filters; ++f) {
            sum += row[f] * mel[f];
        }
        cepstra[k] = sum;
        row += filters;
    }
}
