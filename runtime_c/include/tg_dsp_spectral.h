/* Spectral analysis: second-order-section filters, moments, max-hold power spectra.
 *
 * Every table (filter sections, FFT plans, bin ranges) is const data computed by
 * tinygen/dsp/spectral.py; the buffers are static arrays of the generated block.
 */
#ifndef TG_DSP_SPECTRAL_H
#define TG_DSP_SPECTRAL_H

#include <stdint.h>

#include "tg_dsp_moments.h"
#include "tg_names.h"
#include "tg_rfft.h"

#define TG_DSP_MAX_SECTIONS 4

/* Cascade of second-order sections, each in direct form II transposed (as scipy's
 * sosfilt), optionally keeping only every ratio-th output (decimation). The feedback
 * coefficients are stored as a1 + 2 and a2 - 1: for poles near z = 1 (narrow low-pass
 * filters) these small numbers keep about 30 times more of the pole positions in
 * float32 than a1 and a2 would. */
typedef struct {
    int32_t sections;     /* 1 .. TG_DSP_MAX_SECTIONS */
    int32_t ratio;        /* outputs 0, ratio, 2 ratio, ... are kept */
    const float *coeffs;  /* per section b0, b1, b2, a1 + 2, a2 - 1 (a0 = 1) */
    const float *zi;      /* per section 2 states of the unit step response, or NULL: zero */
    float dc_gain;        /* the cascade's gain at 0 Hz (used with zi) */
} tg_dsp_sos;

/* Filters x[0 .. len) in place and keeps the decimated outputs at the front of x;
 * returns their count, (len + ratio - 1) / ratio. The state starts at zero, or with zi
 * as scipy's sosfilt(sos, x, zi=zi * x[0]). The latter is computed as
 * dc_gain * m + the response to x - m from the state zi * (x[0] - m), m the mean of x
 * (equal by linearity), so that an offset such as gravity stays out of the rounding. */
int32_t tg_dsp_sos_filter(const tg_dsp_sos *sos, float *x, int32_t len);

/* power[k] = max over frames of |rfft(frame)[k]|^2 / n, k = 0 .. n/2, n = plan->n; the
 * frames start at 0, step, 2 step, ... below len and are zero-padded past len.
 * work: 2 n + 2 floats. */
void tg_dsp_max_hold(const tg_rfft_plan *plan, const float *x, int32_t len, int32_t step,
                     float *work, float *power);

/* Features of one signal: which power bins, linear or log10. */
typedef struct {
    const tg_rfft_plan *fft;
    int32_t step;                /* frame step: n, or n / 2 with overlap */
    int32_t start_bin, stop_bin; /* bins start .. stop - 1 are features */
    int32_t do_log;              /* 1: log10 of each bin, a zero power as 1e-10 */
} tg_spectral_bands;

typedef struct {
    int32_t axes, length; /* the input: length samples of axes interleaved values */
    float scale;
    int32_t decimators;           /* input decimation stages */
    const tg_dsp_sos *const *decimate; /* the stages */
    const tg_dsp_sos *filter;     /* Butterworth low- or high-pass, or NULL */
    tg_spectral_bands bands;      /* features of the filtered signal */
    const tg_dsp_sos *low_freq;   /* decimation of the extra low frequency features, or NULL */
    tg_spectral_bands low_bands;
    float *signal;                /* length floats */
    float *work;                  /* 5 n / 2 + 3 floats, n the FFT length */
} tg_spectral_params;

/* Removes the mean of x in place, then writes its features: RMS, skewness, kurtosis,
 * spectral skewness, spectral kurtosis, then the bins. work: 5 n / 2 + 3 floats.
 * Returns the count written. */
int32_t tg_spectral_features(const tg_spectral_bands *bands, float *x, int32_t len, float *work,
                             float *output);

/* Whole block: per axis the features of the scaled, decimated, filtered signal, then
 * (with low_freq) per axis those of the signal decimated by 10. Returns 0. */
int tg_spectral_analysis(const tg_spectral_params *p, const float *input, float *output);

#endif /* TG_DSP_SPECTRAL_H */
