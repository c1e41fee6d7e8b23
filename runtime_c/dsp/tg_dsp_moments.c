/* Mean, extremes, RMS and central moments with compensated sums. */
#include <math.h>

#include "tg_dsp_moments.h"

typedef struct {
    float sum, carry;
} tg_dsp_kahan;

static void tg_dsp_kahan_add(tg_dsp_kahan *k, float value)
{
    const float y = value - k->carry;
    const float t = k->sum + y;
    k->carry = (t - k->sum) - y;
    k->sum = t;
}

void tg_dsp_moments(const float *x, int32_t len, int32_t stride, tg_dsp_stats *out)
{
    tg_dsp_kahan sum = {0.0f, 0.0f}, sq = {0.0f, 0.0f};
    tg_dsp_kahan m2 = {0.0f, 0.0f}, m3 = {0.0f, 0.0f}, m4 = {0.0f, 0.0f};
    const float count = (float)len;
    float lo = x[0], hi = x[0], mean, low, var;
    int32_t i;
    for (i = 0; i < len; ++i) {
        const float v = x[i * stride];
        tg_dsp_kahan_add(&sum, v);
        tg_dsp_kahan_add(&sq, v * v);
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    /* mean + low is the compensated sum / count to about twice float precision: the
     * division's residual is exact with a fused multiply-add. With d = (x - mean) - low
     * a large offset costs no accuracy in the deviations. */
    mean = sum.sum / count;
    low = (fmaf(-mean, count, sum.sum) - sum.carry) / count;
    for (i = 0; i < len; ++i) {
        const float d = (x[i * stride] - mean) - low, d2 = d * d;
        tg_dsp_kahan_add(&m2, d2);
        tg_dsp_kahan_add(&m3, d2 * d);
        tg_dsp_kahan_add(&m4, d2 * d2);
    }
    var = m2.sum / count;
    out->mean = mean;
    out->mean_low = low;
    out->minimum = lo;
    out->maximum = hi;
    out->rms = sqrtf(sq.sum / count);
    out->stdev = sqrtf(var);
    if (var > 0.0f) {
        out->skewness = (m3.sum / count) / (var * out->stdev);
        out->kurtosis = (m4.sum / count) / (var * var) - 3.0f;
    } else {
        out->skewness = 0.0f;
        out->kurtosis = 0.0f;
    }
}
