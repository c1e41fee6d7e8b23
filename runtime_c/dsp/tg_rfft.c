/* Real FFT: the n real samples are read as m = n/2 complex ones (even + i odd),
 * transformed by a decimation-in-time FFT into out, and split into the spectrum of the
 * real signal:
 *   X[k] = (Z[k] + conj Z[m-k]) / 2 - i W^k (Z[k] - conj Z[m-k]) / 2.
 *
 * The first pass reads the input in bit-reversed order itself and does the first two
 * stages in registers; the later passes do two stages each (radix 4), and one radix-2
 * stage ends them when log2 m is odd. Every value is rounded as by a plain
 * radix-2/radix-4 FFT in that order: the grouping of the stages decides the rounding,
 * and the MFCC tests' worst case (a band 113 dB below its frame's peak) depends on it.
 */
#include "tg_rfft.h"

/* The first pass: out[j] = in[bitrev[j]] (complex), transformed by the first two
 * stages, whose twiddles are 1 and -i: additions (n >= 16, so m >= 8). The bit reversal
 * of 4 g + r is bitrev[4 g] plus r's two bits reversed times m/4: each group reads its
 * points b, b + m/2, b + m/4, b + 3m/4 (b = bitrev[4 g]) in place of a copy. */
static void tg_rfft_first_pass(const tg_rfft_plan *plan, const float *in, float *out)
{
    const int32_t m = plan->n / 2, q = m / 2; /* q: the floats of m/4 points */
    const uint16_t *bitrev = plan->bitrev;
    int32_t g;
    for (g = 0; g < m; g += 4) {
        const float *a = in + 2 * (int32_t)bitrev[g], *c = a + q, *b = c + q, *d = b + q;
        float *z = out + 2 * g;
        /* a +- b, c +- d, then those plus or minus each other, the differences' times -i */
        const float s0r = a[0] + b[0], s0i = a[1] + b[1];
        const float d0r = a[0] - b[0], d0i = a[1] - b[1];
        const float s1r = c[0] + d[0], s1i = c[1] + d[1];
        const float d1r = c[0] - d[0], d1i = c[1] - d[1];
        z[0] = s0r + s1r;
        z[1] = s0i + s1i;
        z[4] = s0r - s1r;
        z[5] = s0i - s1i;
        z[2] = d0r + d1i; /* d0 + (-i) d1 */
        z[3] = d0i - d1r;
        z[6] = d0r - d1i;
        z[7] = d0i + d1r;
    }
}

/* The last radix-2 stage's butterfly on the points at a and b = a + m/2 (twiddle at t):
 * a + W b, a - W b. */
static void tg_rfft_butterfly(float *a, float *b, const float *t)
{
    const float br = b[0] * t[0] - b[1] * t[1];
    const float bi = b[0] * t[1] + b[1] * t[0];
    const float ar = a[0], ai = a[1];
    a[0] = ar + br;
    a[1] = ai + bi;
    b[0] = ar - br;
    b[1] = ai - bi;
}

/* The split of Z[k] at a and Z[m - k] at b (twiddle W_n^k at t) into X[k] at a and
 * X[m - k] at b (a = b for k = m/2: b's values are kept). With e = (a + conj b) / 2,
 * d = (a - conj b) / 2 and o = -i d: X[k] = e + W^k o, X[m - k] = conj(e - W^k o). */
static void tg_rfft_split_pair(float *a, float *b, const float *t)
{
    const float ar = a[0], ai = a[1], br = b[0], bi = b[1];
    const float er = 0.5f * (ar + br), ei = 0.5f * (ai - bi);
    const float dr = 0.5f * (ar - br), di = 0.5f * (ai + bi);
    const float tr = t[0] * di + t[1] * dr, ti = t[1] * di - t[0] * dr; /* W^k o */
    a[0] = er + tr;
    a[1] = ei + ti;
    b[0] = er - tr;
    b[1] = ti - ei;
}

/* The last stage when `stage` (log2 m odd), then the split; see tg_rfft. */
static void tg_rfft_finish(const tg_rfft_plan *plan, float *out, int32_t stage)
{
    const int32_t n = plan->n, m = n / 2, quarter = m / 4;
    const float *w = plan->twiddle;
    float *const half = out + m; /* point m/2 */
    int32_t k;
    /* The points 0 and m/2: the stage's pair (twiddle 1), then DC and Nyquist from
     * Z[0] and bin m/2 from Z[m/2] alone. */
    if (stage) {
        tg_rfft_butterfly(out, half, w);
    }
    {
        const float z0r = out[0], z0i = out[1];
        out[0] = z0r + z0i;
        out[1] = 0.0f;
        out[n] = z0r - z0i;
        out[n + 1] = 0.0f;
    }
    tg_rfft_split_pair(half, half, w + m);
    /* The points m/4 and 3m/4: one stage pair (twiddle W_n^(m/2)), one split pair. */
    if (stage) {
        tg_rfft_butterfly(out + quarter * 2, half + quarter * 2, w + m);
    }
    tg_rfft_split_pair(out + quarter * 2, half + quarter * 2, w + quarter * 2);
    /* The others, k = 1 .. m/4 - 1, by fours in registers: the stage's pairs (k, k + m/2)
     * and (m/2 - k, m - k), then the split's (k, m - k) and (m/2 - k, m/2 + k). */
    for (k = 1; k < quarter; ++k) {
        float *const pa = out + 2 * k, *const pb = half - 2 * k;   /* k, m/2 - k */
        float *const pc = half + 2 * k, *const pd = out + n - 2 * k; /* m/2 + k, m - k */
        float ar = pa[0], ai = pa[1], br = pb[0], bi = pb[1];
        float cr = pc[0], ci = pc[1], dr = pd[0], di = pd[1];
        if (stage) {
            /* (a, c) with W_n^2k, (b, d) with W_n^(m - 2k) */
            const float *const ta = w + 4 * k, *const tb = w + n - 4 * k;
            const float xr = cr * ta[0] - ci * ta[1], xi = cr * ta[1] + ci * ta[0];
            const float yr = dr * tb[0] - di * tb[1], yi = dr * tb[1] + di * tb[0];
            cr = ar - xr;
            ci = ai - xi;
            ar = ar + xr;
            ai = ai + xi;
            dr = br - yr;
            di = bi - yi;
            br = br + yr;
            bi = bi + yi;
        }
        {
            /* (a, d) with W_n^k, (b, c) with W_n^(m/2 - k): as tg_rfft_split_pair */
            const float *const ta = w + 2 * k, *const tb = w + m - 2 * k;
            const float e1r = 0.5f * (ar + dr), e1i = 0.5f * (ai - di);
            const float d1r = 0.5f * (ar - dr), d1i = 0.5f * (ai + di);
            const float t1r = ta[0] * d1i + ta[1] * d1r, t1i = ta[1] * d1i - ta[0] * d1r;
            const float e2r = 0.5f * (br + cr), e2i = 0.5f * (bi - ci);
            const float d2r = 0.5f * (br - cr), d2i = 0.5f * (bi + ci);
            const float t2r = tb[0] * d2i + tb[1] * d2r, t2i = tb[1] * d2i - tb[0] * d2r;
            pa[0] = e1r + t1r;
            pa[1] = e1i + t1i;
            pd[0] = e1r - t1r;
            pd[1] = t1i - e1i;
            pb[0] = e2r + t2r;
            pb[1] = e2i + t2i;
            pc[0] = e2r - t2r;
            pc[1] = t2i - e2i;
        }
    }
}

void tg_rfft(const tg_rfft_plan *plan, const float *in, float *out)
{
    const int32_t n = plan->n, m = n / 2;
    const float *w = plan->twiddle;
    float *const end = out + n;
    int32_t h;

    /* Two stages at a time (radix 4): blocks of h points become blocks of 4 h. With
     * W = W_(4h)^k = W_n^(k s), s = n / 4h, for k < h and the points z0..z3 at k, k + h,
     * k + 2h, k + 3h: a = z0, b = W^2k z1, c = W^k z2, d = W^3k z3 give
     *   z0 = (a + b) + (c + d),  z2 = (a + b) - (c + d),
     *   z1 = (a - b) - i (c - d), z3 = (a - b) + i (c - d):
     * the two radix-2 stages' results with three twiddle products instead of four. The
     * table holds W_n^j for j < n/2; W_n^j = -W_n^(j - n/2) above. Each k's twiddles
     * serve every block (k the outer loop). */
    tg_rfft_first_pass(plan, in, out);
    for (h = 4; 4 * h <= m; h *= 4) {
        const int32_t s = n / (2 * h), o = 2 * h; /* floats: twiddle step, point distance */
        int32_t j = 0;                            /* k s: W^k's floats into the table */
        float *zk;
        for (zk = out; zk < out + o; zk += 2, j += s) {
            const int32_t j3 = 3 * j;
            const float w1r = w[j], w1i = w[j + 1], w2r = w[2 * j], w2i = w[2 * j + 1];
            float w3r, w3i, *z;
            if (j3 < n) {
                w3r = w[j3];
                w3i = w[j3 + 1];
            } else {
                w3r = -w[j3 - n];
                w3i = -w[j3 - n + 1];
            }
            for (z = zk; z < end; z += 4 * o) {
                float *z1 = z + o, *z2 = z1 + o, *z3 = z2 + o;
                const float br = z1[0] * w2r - z1[1] * w2i;
                const float bi = z1[0] * w2i + z1[1] * w2r;
                const float cr = z2[0] * w1r - z2[1] * w1i;
                const float ci = z2[0] * w1i + z2[1] * w1r;
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
            }
        }
    }

    /* The last radix-2 stage (log2 m odd: h = m/2) and the split, four points at a time.
     * The stage pairs point j with j + m/2 (twiddle W_n^2j), the split pairs k with
     * m - k: the points k, m/2 - k, m/2 + k, m - k close under both. */
    tg_rfft_finish(plan, out, h < m);
}
