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

    /* The first two stages, whose twiddles are 1 and -i: a radix-4 pass of additions
     * (n >= 16, so m >= 8). */
    for (j = 0; j < m; j += 4) {
        float *z = out + 2 * j;
        const float a0r = z[0] + z[2], a0i = z[1] + z[3];
        const float a1r = z[0] - z[2], a1i = z[1] - z[3];
        const float a2r = z[4] + z[6], a2i = z[5] + z[7];
        const float a3r = z[4] - z[6], a3i = z[5] - z[7];
        z[0] = a0r + a2r;
        z[1] = a0i + a2i;
        z[4] = a0r - a2r;
        z[5] = a0i - a2i;
        z[2] = a1r + a3i; /* a1 + (-i) a3 */
        z[3] = a1i - a3r;
        z[6] = a1r - a3i;
        z[7] = a1i + a3r;
    }

    /* Two stages at a time (radix 4): blocks of len = 4 h points become blocks of 4 len.
     * With W = W_(4h)^k = W_n^(k n / 4h), for k < h and the points z0..z3 at k, k + h,
     * k + 2h, k + 3h: a = z0, b = W^2k z1, c = W^k z2, d = W^3k z3 give
     *   z0 = (a + b) + (c + d),  z2 = (a + b) - (c + d),
     *   z1 = (a - b) - i (c - d), z3 = (a - b) + i (c - d):
     * the two radix-2 stages' results with three twiddle products instead of four. The
     * table holds W_n^j for j < n/2; W_n^j = -W_n^(j - n/2) above. */
    for (len = 4; 4 * len <= m; len *= 4) {
        const int32_t h = len, step = 2 * (n / (4 * h));
        int32_t start;
        for (start = 0; start < m; start += 4 * h) {
            float *z = out + 2 * start;
            const float *t1 = w, *t2 = w, *t3 = w;
            float sign = 1.0f;
            for (k = 0; k < h; ++k) {
                float *z1 = z + 2 * h, *z2 = z1 + 2 * h, *z3 = z2 + 2 * h;
                const float w3r = sign * t3[0], w3i = sign * t3[1];
                const float br = z1[0] * t2[0] - z1[1] * t2[1];
                const float bi = z1[0] * t2[1] + z1[1] * t2[0];
                const float cr = z2[0] * t1[0] - z2[1] * t1[1];
                const float ci = z2[0] * t1[1] + z2[1] * t1[0];
                const float dr = z3[0] * w3r - z3[1] * w3i;
                const float di = z3[0] * w3i + z3[1] * w3r;
                const float sr = z[0] + br, si = z[1] + bi, tr = z[0] - br, ti = z[1] - bi;
                const float ur = cr + dr, ui = ci + di, vr = cr - dr, vi = ci - di;
                z[0] = sr + ur;
                z[1] = si + ui;
                z2[0] = sr - ur;
                z2[1] = si - ui;
                z1[0] = tr + vi; /* (a - b) - i (c - d) */
                z1[1] = ti - vr;
                z3[0] = tr - vi; /* (a - b) + i (c - d) */
                z3[1] = ti + vr;
                z += 2;
                t1 += step;
                t2 += 2 * step;
                t3 += 3 * step;
                if (t3 >= w + n) {
                    t3 -= n;
                    sign = -sign;
                }
            }
        }
    }
    /* One radix-2 stage more when log2 m is odd. */
    if (len < m) {
        const int32_t half = len, step = 2 * (n / (2 * len));
        float *a = out, *b = out + 2 * half;
        const float *t = w;
        for (k = 0; k < half; ++k) {
            const float br = b[0] * t[0] - b[1] * t[1];
            const float bi = b[0] * t[1] + b[1] * t[0];
            const float ar = a[0], ai = a[1];
            a[0] = ar + br;
            a[1] = ai + bi;
            b[0] = ar - br;
            b[1] = ai - bi;
            a += 2;
            b += 2;
            t += step;
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
