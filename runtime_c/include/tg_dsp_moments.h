/* Statistics of a strided float signal (spectral analysis and flatten blocks). */
#ifndef TG_DSP_MOMENTS_H
#define TG_DSP_MOMENTS_H

#include <stdint.h>

#include "tg_names.h"

typedef struct {
    float mean, rms, stdev, skewness, kurtosis, minimum, maximum;
    float mean_low; /* the mean is mean + mean_low to about twice float precision */
} tg_dsp_stats;

/* Statistics of x[0], x[stride], ... (len values, len >= 1); skewness m3 / m2^1.5 and
 * kurtosis m4 / m2^2 - 3 of the biased central moments, 0 when m2 is 0. Sums are
 * compensated (Kahan) and the deviations taken from a two-part mean. */
void tg_dsp_moments(const float *x, int32_t len, int32_t stride, tg_dsp_stats *out);

#endif /* TG_DSP_MOMENTS_H */
