/* Real FFT: the n real samples are read as n/2 complex ones (even + i odd),
 * transformed by an in-place radix-2 decimation-in-time FFT in out, and split
 * into the spectrum of the real signal:
 *   X[k] = (Z[k] + conj Z[m-k]) / 2 - i W^k (Z[k] - conj Z[m-k]) / 2,  m = n/2.
 */
#include "tg_rfft.h"

void tg_rfft(const tg_rfft_plan *plan, const float *in, float *out)
{
    const int32_t n = plan->n, m = n / 2;
    const float *w = plan->twiddle;
    int32_t j, k, len;

    /* Load in bit-reversed order. */
    for (j = 0; j < m; ++j) {
        const int32_t r = 2 * (int32_t)plan->bitrev[j];
        out[r] = in[2 * j];
        out[r + 1] = in[2 * j + 1];
    }

    /* Butterflies; the twiddle of size len is W_n^(k * n / len). */
    for (len = 2; len <= m; len *= 2) {
        const int32_t half = len / 2, stride = n / len;
        int32_t start;
        for (start = 0; start < m; start += len) {
            float *a = out + 2 * start;
            float *b = a + 2 * half;
            for (k = 0; k < half; ++k) {
                const float wr = w[2 * k * stride], wi = w[2 * k * stride + 1];
                const float br = b[2 * k] * wr - b[2 * k + 1] * wi;
                const float bi = b[2 * k] * wi + b[2 * k + 1] * wr;
                const float ar = a[2 * k], ai = a[2 * k + 1];
                a[2 * k] = ar + br;
                a[2 * k + 1] = ai + bi;
                b[2 * k] = ar - br;
                b[2 * k + 1] = ai - bi;
            }
        }
    }

    /* Split. DC and Nyquist come from Z[0]; the bins k and m - k from Z[k], Z[m - k]. */
    {
        const float z0r = out[0], z0i = out[1];
        out[0] = z0r + z0i;
        out[1] = 0.0f;
        out[n] = z0r - z0i;
        out[n + 1] = 0.0f;
    }
    for (k = 1; k <= m / 2; ++k) {
        const int32_t i = 2 * k, q = 2 * (m - k);
        const float ar = out[i], ai = out[i + 1], br = out[q], bi = out[q + 1];
        /* e = (a + conj b) / 2, d = (a - conj b) / 2, o = -i d */
        const float er = 0.5f * (ar + br), ei = 0.5f * (ai - bi);
        const float dr = 0.5f * (ar - br), di = 0.5f * (ai + bi);
        const float or_ = di, oi = -dr;
        const float wr = w[i], wi = w[i + 1];
        const float tr = wr * or_ - wi * oi, ti = wr * oi + wi * or_;
        /* X[k] = e + W^k o, X[m - k] = conj(e - W^k o) */
        out[i] = er + tr;
        out[i + 1] = ei + ti;
        out[q] = er - tr;
        out[q + 1] = -(ei - ti);
    }
}
