/* Audio feature kernels: framing, power spectrum, mel energies, cepstra,
 * sliding-window normalization and the noise-floor dB scale.
 *
 * The arithmetic follows Edge Impulse's audio blocks (implementation version 4);
 * tinygen/reference/dsp/audio.py defines it in float64. Every table and
 * parameter is const data written by tinygen/dsp/audio.py and the block
 * modules; the kernels compute only what depends on the input.
 */
#ifndef TG_DSP_AUDIO_H
#define TG_DSP_AUDIO_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "tg_names.h"
#include "tg_rfft.h"

typedef struct {
    int32_t signal_length; /* samples of the input */
    int32_t frame_length;  /* samples of a frame */
    int32_t frame_stride;  /* samples between frame starts */
    int32_t fft_length;    /* frames are cut or zero-padded to this */
    int32_t shift;         /* pre-emphasis shift, 0 .. signal_length - 1 */
    float cof;             /* pre-emphasis coefficient, 0 for none */
    float scale;           /* every sample is multiplied by it */
    double cof_exact;      /* the coefficient as given, for the frame's sum */
} tg_audio_frame_params;

/* Frame `frame` of the signal, pre-emphasized circularly,
 *   out[i] = (x[j] - cof * x[(j - shift) mod signal_length]) * scale, j = frame * frame_stride + i,
 * for i < min(frame_length, fft_length), then zeros up to fft_length.
 * Returns the sum of the frame's values (its DC bin), from compensated sums of x and of the
 * shifted x combined in double: pre-emphasis nearly cancels it, and the sum of the rounded
 * out[i] (what the FFT would give) can then be wrong by orders of magnitude. */
float tg_audio_frame(const tg_audio_frame_params *p, const float *signal, int32_t frame,
                     float *out);

/* tg_audio_frame of a signal of int16 samples: the same frame and sum as tg_audio_frame
 * gives for the same values as floats, read straight from the int16 buffer. */
float tg_audio_frame_i16(const tg_audio_frame_params *p, const int16_t *signal, int32_t frame,
                         float *out);

/* tg_audio_frame_i16 of a stream: signal[-shift] .. signal[-1] are the samples before it,
 * read for the pre-emphasis where tg_audio_frame_i16 wraps around; signal_length is unused. */
float tg_audio_frame_stream_i16(const tg_audio_frame_params *p, const int16_t *signal,
                                int32_t frame, float *out);

/* power[k] = |X[k]|^2 / n for the n/2 + 1 bins of the real FFT of the n = plan->n
 * samples of frame, with bin 0 from `dc` (tg_audio_frame's sum). power must hold n + 2
 * floats (the FFT is computed in it). */
void tg_power_spectrum(const tg_rfft_plan *plan, const float *frame, float dc, float *power);

typedef struct {
    int32_t num_filters;
    const int16_t *first_bin; /* per filter: its first bin with a nonzero weight */
    const int16_t *bin_count; /* per filter: bins from there on that it weights */
    const float *weights;     /* every filter's weights, one filter after the other */
    float floor;              /* energies not above it become 1e-10 */
} tg_mel_params;

/* mel[f] = sum of weights * power over filter f's bins, or 1e-10 if that is not
 * above p->floor (0: only exact zeros are replaced, as Edge Impulse does). */
void tg_mel_energies(const tg_mel_params *p, const float *power, float *mel);

typedef struct {
    int32_t num_bins;     /* n/2 + 1: the power spectrum's bins */
    int32_t num_filters;
    int32_t num_cepstral;
    const float *dct;     /* rows 1 .. num_cepstral - 1 of the orthonormal DCT-II */
} tg_mfcc_params;

/* cepstra[0] = ln(sum of power), a sum not above 1e-10 becoming 1e-10;
 * cepstra[k] = sum over f of dct[k - 1][f] * ln(mel[f]) for 0 < k < num_cepstral.
 * mel is overwritten by its logarithm. */
void tg_mfcc_cepstra(const tg_mfcc_params *p, const float *power, float *mel, float *cepstra);

typedef struct {
    int32_t rows, cols;
    int32_t win_size; /* odd */
} tg_cmvnw_params;

/* Sliding-window mean and variance normalization of each column of data (rows x
 * cols, row-major), in place. Row indices outside 0 .. rows - 1 mirror
 * symmetrically (-1 is row 0, rows is row rows - 1, repeating with period
 * 2 rows). Each value loses the mean of the win_size rows centred on it, then is
 * divided by the population standard deviation + 1e-10 of the same window of
 * mean-subtracted values. scratch holds 2 * rows floats. */
void tg_cmvnw(const tg_cmvnw_params *p, float *data, float *scratch);

typedef struct {
    float noise_floor_db; /* maps to 0; lower values clip to 0 */
    float range_db;       /* 12 - noise_floor_db: the dB span mapped to 0 .. 1 */
    int32_t quantize;     /* 1: also clip to 1 and round to a multiple of 1/256 */
} tg_noise_floor_params;

/* out[i] = max(0, (10 log10(max(power[i], 1e-30)) - noise_floor_db) / range_db);
 * quantized: v = min(out[i], 1) * 256 rounded half to even, 256 becoming 255,
 * out[i] = v / 256. in and out may be the same array. */
void tg_noise_floor(const tg_noise_floor_params *p, const float *power, float *out,
                    int32_t count);

/* ln x within 0.84 ulp (the worst over every 7th positive normal float; glibc's logf:
 * 0.81). A positive normal finite x is computed here, anything else
 * (0, subnormal, negative, infinite, NaN) by logf. x = 2^e m with m in
 * [sqrt(1/2), sqrt(2)) (the exponent rounded so), f = m - 1 exactly, and
 *   ln(1 + f) = 2 atanh(s) = 2 s + s R,  s = f / (2 + f),  R = sum of 2 s^2j / (2j + 1),
 * |s| < 0.1716: R to s^8 leaves 2e-9 of ln(1 + f). Written as f - (f^2/2 - s (f^2/2 + R)),
 * since 2 s = f - s f, f's rounding-free part carries the sum; e ln 2 is split into an
 * exact product with a short ln 2 and a small correction. About 40 instructions on a
 * Cortex-M4F (with the call), where newlib's logf takes about 75. */
static inline float tg_dsp_logf(float x)
{
    const uint32_t sqrt_half = 0x3f3504f3u; /* the float nearest sqrt(1/2) */
    uint32_t bits;
    int32_t e;
    float m, f, s, z, r, half_f2, exponent;
    memcpy(&bits, &x, sizeof bits);
    if (bits - 0x00800000u >= 0x7f000000u) {
        return logf(x);
    }
    /* Offset so that m from sqrt_half up to just below 2 sqrt_half keeps exponent e. */
    bits += 0x3f800000u - sqrt_half;
    e = (int32_t)(bits >> 23) - 127;
    bits = (bits & 0x007fffffu) + sqrt_half;
    memcpy(&m, &bits, sizeof m);
    f = m - 1.0f;
    s = f / (2.0f + f);
    z = s * s;
    r = z * (0.6666666667f + z * (0.4f + z * (0.2857142857f + z * 0.2222222222f)));
    half_f2 = 0.5f * f * f;
    exponent = (float)e;
    /* ln 2 = 0.693115234375 (11 significant bits: e times it is exact) + 3.1946183e-5 */
    return (f - (half_f2 - (s * (half_f2 + r) + exponent * 3.1946183e-5f))) +
           exponent * 0.693115234375f;
}

#endif /* TG_DSP_AUDIO_H */
