/* Real FFT of a power-of-two length with tables computed by the generator.
 *
 * A plan is const data written by tinygen/dsp/fft.py for one length n:
 * twiddle holds e^(-2*pi*i*k/n) for k = 0 .. n/2 - 1 as (cos, -sin) pairs and
 * bitrev the bit-reversal permutation of the n/2-point complex transform.
 */
#ifndef TG_RFFT_H
#define TG_RFFT_H

#include <stdint.h>

#include "tg_names.h"

typedef struct {
    int32_t n;              /* power of two, 16 .. 4096 */
    const float *twiddle;   /* n floats: re, im of e^(-2*pi*i*k/n), k < n/2 */
    const uint16_t *bitrev; /* n/2 entries */
} tg_rfft_plan;

/* Real FFT of n = plan->n samples. out receives the n/2 + 1 complex bins
 * interleaved re, im (n + 2 floats). in and out must not overlap; in is not
 * modified. Uses no memory besides out. */
void tg_rfft(const tg_rfft_plan *plan, const float *in, float *out);

#endif /* TG_RFFT_H */
