/* Helpers of the specialized int8 kernels (tg_conv2d_fast_s8, tg_depthwise_conv2d_fast_s8,
 * the DSP path of tg_fully_connected_s8).
 *
 * tg_requantize_fast gives exactly tg_requantize's result: for the product ab of the
 * shifted accumulator and a multiplier, TFLM's (ab + nudge) / 2^31 (truncating, nudge
 * 2^30 or 1 - 2^30 by sign) equals floor((ab + 2^30) / 2^31) = (ab + 2^30) >> 31, so one
 * 64-bit add and shift replace the division. The only saturating case (both operands
 * INT32_MIN) cannot happen: the generator's multipliers are positive.
 *
 * On cores with the Arm DSP extension (__ARM_FEATURE_DSP: Cortex-M4, M7, M33, M55) the
 * kernels use ACLE's SIMD intrinsics; every other target compiles the portable C loops,
 * which compute the same integers.
 */
#ifndef TG_FAST_H
#define TG_FAST_H

#include <stdint.h>
#include <string.h>

#include "tg_fixedpoint.h"

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#define TG_DSP 1
#endif

#include "tg_simd_host.h"

static inline int32_t tg_requantize_fast(int32_t x, int32_t multiplier, int32_t shift)
{
    const int32_t left = shift > 0 ? shift : 0;
    const int32_t right = shift > 0 ? 0 : -shift; /* at most 31 */
    const int32_t shifted = (int32_t)((uint32_t)x << left);
    const int64_t ab = (int64_t)shifted * (int64_t)multiplier + ((int64_t)1 << 30);
    const int32_t high = (int32_t)(ab >> 31);
    /* tg_round_shift_right (high, right) in 32-bit arithmetic */
    const int32_t mask = (int32_t)((1u << right) - 1u);
    const int32_t threshold = (mask >> 1) + (high < 0 ? 1 : 0);
    return (high >> right) + ((high & mask) > threshold ? 1 : 0);
}

/* tg_requantize (acc, multiplier, shift) where |acc| * 2^max(shift, 0) < 2^30.
 *
 * The specialized kernels run only where the generator has proved that bound for every
 * input (tinygen/lowering/fast.py, accumulator_bound). Under it the doubling high multiply
 * is SMMULR (2 a, m) = floor((a m + 2^30) / 2^31) (no saturation, 2 a fits), and the
 * rounding right shift by e >= 1 is (h + 2^(e - 1) - [h < 0]) >> e (no overflow): the same
 * integers as tg_requantize, with fewer instructions on the DSP extension. */
static inline int32_t tg_requantize_bounded(int32_t acc, int32_t multiplier, int32_t shift)
{
#if defined(TG_DSP) && defined(__GNUC__)
    const int32_t left = shift > 0 ? shift + 1 : 1;
    const int32_t right = shift > 0 ? 0 : -shift;
    const int32_t doubled = (int32_t)((uint32_t)acc << left);
    int32_t high;
    __asm__("smmulr %0, %1, %2" : "=r"(high) : "r"(doubled), "r"(multiplier));
    if (right > 0) {
        high = (high + (int32_t)(1u << (right - 1)) + (high >> 31)) >> right;
    }
    return high;
#else
    return tg_requantize_fast(acc, multiplier, shift);
#endif
}

/* Requantized, offset and clamped int8 value of an accumulator within the bound above. */
static inline int8_t tg_output_s8(int32_t acc, int32_t multiplier, int32_t shift,
                                  int32_t offset, int32_t lo, int32_t hi)
{
    return (int8_t)tg_clamp(tg_requantize_bounded(acc, multiplier, shift) + offset, lo, hi);
}


/* Requantization of the specialized convolutions: q holds, per output channel,
 * {bias, multiplier, right + 1, 2^right + (output_offset << (right + 1))}, for channels
 * whose TFLite shift is -right <= 0, accumulators within tinygen/lowering/fast.py's
 * quad_quant. With h = SMMULR (2 acc, multiplier), TFLM's rounding right shift of h by
 * `right` equals the one of 2 h by right + 1 (the same rational number), which needs no
 * special case for right 0, and the offset rides in the rounding constant. */
static inline int32_t tg_quad_requantize3(int32_t acc, int32_t multiplier, int32_t right1,
                                          int32_t rounding)
{
    const int32_t doubled = (int32_t)((uint32_t)acc << 1);
    int32_t high;
#if defined(TG_DSP) && defined(__GNUC__)
    __asm__("smmulr %0, %1, %2" : "=r"(high) : "r"(doubled), "r"(multiplier));
#else
    high = (int32_t)(((int64_t)doubled * multiplier + ((int64_t)1 << 31)) >> 32);
#endif
    return (int32_t)(((uint32_t)high << 1) + (uint32_t)rounding + (uint32_t)(high >> 31)) >>
           right1;
}

static inline int32_t tg_quad_requantize(int32_t acc, const int32_t *q)
{
    return tg_quad_requantize3(acc, q[1], q[2], q[3]);
}

/* The int8 output of accumulator acc of the channel at q (tg_quad_requantize), clamped. */
static inline int8_t tg_quad_out(int32_t acc, const int32_t *q, int32_t lo, int32_t hi)
{
    int32_t v = tg_quad_requantize(acc, q);
    v = v < lo ? lo : v;
    return (int8_t)(v > hi ? hi : v);
}

/* v saturated to int8: the activation range of a layer whose range is all of int8 (one
 * SSAT on the DSP extension). */
static inline int8_t tg_sat8(int32_t v)
{
#if defined(TG_DSP) && defined(__GNUC__)
    int32_t r;
    __asm__("ssat %0, #8, %1" : "=r"(r) : "r"(v));
    return (int8_t)r;
#else
    return (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
#endif
}

/* Requantized accumulators of up to four channels at q stored to out[0..n-1], clamped to
 * [lo, hi] (full: the whole int8 range). */
static inline void tg_quad_store(int8_t *out, const int32_t acc[4], const int32_t *q,
                                 int32_t n, int32_t lo, int32_t hi, int32_t full)
{
    if (n == 4 && full) {
        out[0] = tg_sat8(tg_quad_requantize(acc[0], q));
        out[1] = tg_sat8(tg_quad_requantize(acc[1], q + 4));
        out[2] = tg_sat8(tg_quad_requantize(acc[2], q + 8));
        out[3] = tg_sat8(tg_quad_requantize(acc[3], q + 12));
    } else if (n == 4) {
        out[0] = tg_quad_out(acc[0], q, lo, hi);
        out[1] = tg_quad_out(acc[1], q + 4, lo, hi);
        out[2] = tg_quad_out(acc[2], q + 8, lo, hi);
        out[3] = tg_quad_out(acc[3], q + 12, lo, hi);
    } else {
        out[0] = tg_quad_out(acc[0], q, lo, hi);
        if (n > 1) {
            out[1] = tg_quad_out(acc[1], q + 4, lo, hi);
        }
        if (n > 2) {
            out[2] = tg_quad_out(acc[2], q + 8, lo, hi);
        }
    }
}

/* acc[c] += the dot products of `groups` x 4 values at a with channel c of a quad block at
 * f (per group of four values, 4 bytes of each of the four channels); returns f past it. */
static inline const int8_t *tg_dot4(const int8_t *a, const int8_t *f, int32_t groups,
                                    int32_t acc[4])
{
#if defined(TG_SSE2)
    return tg_sse2_dot4(a, f, groups, acc);
#else
    int32_t x0 = acc[0], x1 = acc[1], x2 = acc[2], x3 = acc[3];
#if defined(TG_DSP) && defined(__GNUC__)
    int32_t xa, xe, w0, w1, t;
    /* f is 4-byte aligned (TG_ALIGN4 and the quad layout): LDRD may read it. Two groups a
     * turn, then the odd one. */
    int32_t pairs = groups >> 1;
    if (pairs > 0) {
        __asm__ volatile(
            "1:\n\t"
            "ldr %[xa], [%[a]], #4\n\t"
            "ldrd %[w0], %[w1], [%[f]], #8\n\t"
            "sxtb16 %[xe], %[xa]\n\t"
            "sxtb16 %[xa], %[xa], ror #8\n\t"
            "sxtb16 %[t], %[w0]\n\t"
            "smlad %[x0], %[xe], %[t], %[x0]\n\t"
            "sxtb16 %[w0], %[w0], ror #8\n\t"
            "smlad %[x0], %[xa], %[w0], %[x0]\n\t"
            "sxtb16 %[t], %[w1]\n\t"
            "smlad %[x1], %[xe], %[t], %[x1]\n\t"
            "sxtb16 %[w1], %[w1], ror #8\n\t"
            "smlad %[x1], %[xa], %[w1], %[x1]\n\t"
            "ldrd %[w0], %[w1], [%[f]], #8\n\t"
            "sxtb16 %[t], %[w0]\n\t"
            "smlad %[x2], %[xe], %[t], %[x2]\n\t"
            "sxtb16 %[w0], %[w0], ror #8\n\t"
            "smlad %[x2], %[xa], %[w0], %[x2]\n\t"
            "sxtb16 %[t], %[w1]\n\t"
            "smlad %[x3], %[xe], %[t], %[x3]\n\t"
            "sxtb16 %[w1], %[w1], ror #8\n\t"
            "smlad %[x3], %[xa], %[w1], %[x3]\n\t"
            "ldr %[xa], [%[a]], #4\n\t"
            "ldrd %[w0], %[w1], [%[f]], #8\n\t"
            "sxtb16 %[xe], %[xa]\n\t"
            "sxtb16 %[xa], %[xa], ror #8\n\t"
            "sxtb16 %[t], %[w0]\n\t"
            "smlad %[x0], %[xe], %[t], %[x0]\n\t"
            "sxtb16 %[w0], %[w0], ror #8\n\t"
            "smlad %[x0], %[xa], %[w0], %[x0]\n\t"
            "sxtb16 %[t], %[w1]\n\t"
            "smlad %[x1], %[xe], %[t], %[x1]\n\t"
            "sxtb16 %[w1], %[w1], ror #8\n\t"
            "smlad %[x1], %[xa], %[w1], %[x1]\n\t"
            "ldrd %[w0], %[w1], [%[f]], #8\n\t"
            "sxtb16 %[t], %[w0]\n\t"
            "smlad %[x2], %[xe], %[t], %[x2]\n\t"
            "sxtb16 %[w0], %[w0], ror #8\n\t"
            "smlad %[x2], %[xa], %[w0], %[x2]\n\t"
            "sxtb16 %[t], %[w1]\n\t"
            "smlad %[x3], %[xe], %[t], %[x3]\n\t"
            "sxtb16 %[w1], %[w1], ror #8\n\t"
            "smlad %[x3], %[xa], %[w1], %[x3]\n\t"
            "subs %[n], %[n], #1\n\t"
            "bne 1b\n\t"
            : [x0] "+r"(x0), [x1] "+r"(x1), [x2] "+r"(x2), [x3] "+r"(x3), [a] "+r"(a),
              [f] "+r"(f), [n] "+r"(pairs), [xa] "=&r"(xa), [xe] "=&r"(xe), [w0] "=&r"(w0),
              [w1] "=&r"(w1), [t] "=&r"(t)
            :
            : "cc", "memory");
    }
    if (groups & 1) {
        __asm__ volatile(
            "ldr %[xa], [%[a]], #4\n\t"
            "ldrd %[w0], %[w1], [%[f]], #8\n\t"
            "sxtb16 %[xe], %[xa]\n\t"
            "sxtb16 %[xa], %[xa], ror #8\n\t"
            "sxtb16 %[t], %[w0]\n\t"
            "smlad %[x0], %[xe], %[t], %[x0]\n\t"
            "sxtb16 %[w0], %[w0], ror #8\n\t"
            "smlad %[x0], %[xa], %[w0], %[x0]\n\t"
            "sxtb16 %[t], %[w1]\n\t"
            "smlad %[x1], %[xe], %[t], %[x1]\n\t"
            "sxtb16 %[w1], %[w1], ror #8\n\t"
            "smlad %[x1], %[xa], %[w1], %[x1]\n\t"
            "ldrd %[w0], %[w1], [%[f]], #8\n\t"
            "sxtb16 %[t], %[w0]\n\t"
            "smlad %[x2], %[xe], %[t], %[x2]\n\t"
            "sxtb16 %[w0], %[w0], ror #8\n\t"
            "smlad %[x2], %[xa], %[w0], %[x2]\n\t"
            "sxtb16 %[t], %[w1]\n\t"
            "smlad %[x3], %[xe], %[t], %[x3]\n\t"
            "sxtb16 %[w1], %[w1], ror #8\n\t"
            "smlad %[x3], %[xa], %[w1], %[x3]\n\t"
            : [x0] "+r"(x0), [x1] "+r"(x1), [x2] "+r"(x2), [x3] "+r"(x3), [a] "+r"(a),
              [f] "+r"(f), [n] "+r"(pairs), [xa] "=&r"(xa), [xe] "=&r"(xe), [w0] "=&r"(w0),
              [w1] "=&r"(w1), [t] "=&r"(t)
            :
            : "cc", "memory");
    }
#else
    for (; groups > 0; --groups, a += 4, f += 16) {
        int32_t k;
        for (k = 0; k < 4; ++k) {
            x0 += (int32_t)a[k] * f[k];
            x1 += (int32_t)a[k] * f[4 + k];
            x2 += (int32_t)a[k] * f[8 + k];
            x3 += (int32_t)a[k] * f[12 + k];
        }
    }
#endif
    acc[0] = x0;
    acc[1] = x1;
    acc[2] = x2;
    acc[3] = x3;
    return f;
#endif
}

/* acc[c] += the dot product of the last `rest` (0-3) values at tail with channel c's last
 * `rest` weights, channels `rest` apart at f (the quad layouts' tails); returns f past them. */
static inline const int8_t *tg_quad_tails(const int8_t *tail, const int8_t *f, int32_t rest,
                                          int32_t acc[4])
{
    int32_t k;
    for (k = 0; k < rest; ++k) {
        const int32_t x = tail[k];
        acc[0] += x * f[k];
        acc[1] += x * f[rest + k];
        acc[2] += x * f[2 * rest + k];
        acc[3] += x * f[3 * rest + k];
    }
    return f + 4 * rest;
}

/* tg_quad_tails on int16 weights. */
static inline const int16_t *tg_quad_tails16(const int8_t *tail, const int16_t *f,
                                             int32_t rest, int32_t acc[4])
{
    int32_t k;
    for (k = 0; k < rest; ++k) {
        const int32_t x = tail[k];
        acc[0] += x * f[k];
        acc[1] += x * f[rest + k];
        acc[2] += x * f[2 * rest + k];
        acc[3] += x * f[3 * rest + k];
    }
    return f + 4 * rest;
}

/* tg_dot4 on weights widened to int16 at generation time (tinygen/lowering/fast.py,
 * wide_layout): per group of four values, for each of the four channels its weights of
 * values 0, 2, 1, 3, so that one word holds the pair SMLAD takes with the input's even or
 * odd halves and no weight needs sign extension; returns f past the quad's groups. */
static inline const int16_t *tg_dot4w(const int8_t *a, const int16_t *f, int32_t groups,
                                      int32_t acc[4])
{
#if defined(TG_SSE2)
    return tg_sse2_dot4w(a, f, groups, acc);
#else
    int32_t x0 = acc[0], x1 = acc[1], x2 = acc[2], x3 = acc[3];
#if defined(TG_DSP) && defined(__GNUC__)
    int32_t xa, xe, w0, w1;
    int32_t pairs = groups >> 1;
    if (pairs > 0) {
        __asm__ volatile(
            "1:\n\t"
            "ldr %[xa], [%[a]], #4\n\t"
            "sxtb16 %[xe], %[xa]\n\t"
            "sxtb16 %[xa], %[xa], ror #8\n\t"
            "ldrd %[w0], %[w1], [%[f]], #8\n\t"
            "smlad %[x0], %[xe], %[w0], %[x0]\n\t"
            "smlad %[x0], %[xa], %[w1], %[x0]\n\t"
            "ldrd %[w0], %[w1], [%[f]], #8\n\t"
            "smlad %[x1], %[xe], %[w0], %[x1]\n\t"
            "smlad %[x1], %[xa], %[w1], %[x1]\n\t"
            "ldrd %[w0], %[w1], [%[f]], #8\n\t"
            "smlad %[x2], %[xe], %[w0], %[x2]\n\t"
            "smlad %[x2], %[xa], %[w1], %[x2]\n\t"
            "ldrd %[w0], %[w1], [%[f]], #8\n\t"
            "smlad %[x3], %[xe], %[w0], %[x3]\n\t"
            "smlad %[x3], %[xa], %[w1], %[x3]\n\t"
            "ldr %[xa], [%[a]], #4\n\t"
            "sxtb16 %[xe], %[xa]\n\t"
            "sxtb16 %[xa], %[xa], ror #8\n\t"
            "ldrd %[w0], %[w1], [%[f]], #8\n\t"
            "smlad %[x0], %[xe], %[w0], %[x0]\n\t"
            "smlad %[x0], %[xa], %[w1], %[x0]\n\t"
            "ldrd %[w0], %[w1], [%[f]], #8\n\t"
            "smlad %[x1], %[xe], %[w0], %[x1]\n\t"
            "smlad %[x1], %[xa], %[w1], %[x1]\n\t"
            "ldrd %[w0], %[w1], [%[f]], #8\n\t"
            "smlad %[x2], %[xe], %[w0], %[x2]\n\t"
            "smlad %[x2], %[xa], %[w1], %[x2]\n\t"
            "ldrd %[w0], %[w1], [%[f]], #8\n\t"
            "smlad %[x3], %[xe], %[w0], %[x3]\n\t"
            "smlad %[x3], %[xa], %[w1], %[x3]\n\t"
            "subs %[n], %[n], #1\n\t"
            "bne 1b\n\t"
            : [x0] "+r"(x0), [x1] "+r"(x1), [x2] "+r"(x2), [x3] "+r"(x3), [a] "+r"(a),
              [f] "+r"(f), [n] "+r"(pairs), [xa] "=&r"(xa), [xe] "=&r"(xe), [w0] "=&r"(w0),
              [w1] "=&r"(w1)
            :
            : "cc", "memory");
    }
    if (groups & 1) {
        __asm__ volatile(
            "ldr %[xa], [%[a]], #4\n\t"
            "sxtb16 %[xe], %[xa]\n\t"
            "sxtb16 %[xa], %[xa], ror #8\n\t"
            "ldrd %[w0], %[w1], [%[f]], #8\n\t"
            "smlad %[x0], %[xe], %[w0], %[x0]\n\t"
            "smlad %[x0], %[xa], %[w1], %[x0]\n\t"
            "ldrd %[w0], %[w1], [%[f]], #8\n\t"
            "smlad %[x1], %[xe], %[w0], %[x1]\n\t"
            "smlad %[x1], %[xa], %[w1], %[x1]\n\t"
            "ldrd %[w0], %[w1], [%[f]], #8\n\t"
            "smlad %[x2], %[xe], %[w0], %[x2]\n\t"
            "smlad %[x2], %[xa], %[w1], %[x2]\n\t"
            "ldrd %[w0], %[w1], [%[f]], #8\n\t"
            "smlad %[x3], %[xe], %[w0], %[x3]\n\t"
            "smlad %[x3], %[xa], %[w1], %[x3]\n\t"
            : [x0] "+r"(x0), [x1] "+r"(x1), [x2] "+r"(x2), [x3] "+r"(x3), [a] "+r"(a),
              [f] "+r"(f), [n] "+r"(pairs), [xa] "=&r"(xa), [xe] "=&r"(xe), [w0] "=&r"(w0),
              [w1] "=&r"(w1)
            :
            : "cc", "memory");
    }
#else
    for (; groups > 0; --groups, a += 4, f += 16) {
        x0 += a[0] * f[0] + a[2] * f[1] + a[1] * f[2] + a[3] * f[3];
        x1 += a[0] * f[4] + a[2] * f[5] + a[1] * f[6] + a[3] * f[7];
        x2 += a[0] * f[8] + a[2] * f[9] + a[1] * f[10] + a[3] * f[11];
        x3 += a[0] * f[12] + a[2] * f[13] + a[1] * f[14] + a[3] * f[15];
    }
#endif
    acc[0] = x0;
    acc[1] = x1;
    acc[2] = x2;
    acc[3] = x3;
    return f;
#endif
}

#if defined(TG_DSP)
/* Four int8 values as one (possibly unaligned) word; Cortex-M4 loads it with one LDR. */
static inline int32_t tg_load4(const int8_t *p)
{
    int32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Bytes 1 and 3 of x sign-extended to two halfwords (bytes 0 and 2: __sxtb16 (x)). */
static inline int32_t tg_sxtb16_odd(int32_t x)
{
#if defined(__GNUC__)
    int32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
#else
    return __sxtb16((int32_t)(((uint32_t)x >> 8) | ((uint32_t)x << 24)));
#endif
}
#endif

/* The depthwise kernels' four-channel taps (tg_depthwise_conv2d_fast_s8*.c). */

/* One tap of four channels: x and f hold the four input values and the four weights. */
static inline void tg_dw_tap4(const int8_t *x, const int8_t *f, int32_t *a0, int32_t *a1,
                              int32_t *a2, int32_t *a3)
{
#if defined(TG_DSP)
    const int32_t xv = tg_load4(x), wv = tg_load4(f);
    const int32_t xe = __sxtb16(xv), xo = tg_sxtb16_odd(xv);
    const int32_t we = __sxtb16(wv), wo = tg_sxtb16_odd(wv);
    *a0 = __smlabb(xe, we, *a0);
    *a2 = __smlatt(xe, we, *a2);
    *a1 = __smlabb(xo, wo, *a1);
    *a3 = __smlatt(xo, wo, *a3);
#else
    *a0 += (int32_t)x[0] * f[0];
    *a1 += (int32_t)x[1] * f[1];
    *a2 += (int32_t)x[2] * f[2];
    *a3 += (int32_t)x[3] * f[3];
#endif
}

/* Four channels of a 3x3 window inside the input, whose top-left tap is at r: taps dx
 * apart in a row, rows dy apart; f is the quad's 9 x 4 weights (advanced past them). */
static inline const int8_t *tg_dw_3x3_quad(const int8_t *r, const int8_t *f, int32_t dx,
                                           int32_t dy, int32_t acc[4])
{
#if defined(TG_DSP) && defined(__GNUC__)
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    int32_t x, xe, w, we;
    /* three filter rows of three taps, rows dy apart */
    __asm__ volatile(
        "ldr %[x], [%[r]]\n\t"
        "ldr %[w], [%[f]], #4\n\t"
        "sxtb16 %[xe], %[x]\n\t"
        "sxtb16 %[x], %[x], ror #8\n\t"
        "sxtb16 %[we], %[w]\n\t"
        "sxtb16 %[w], %[w], ror #8\n\t"
        "smlabb %[a0], %[xe], %[we], %[a0]\n\t"
        "smlatt %[a2], %[xe], %[we], %[a2]\n\t"
        "smlabb %[a1], %[x], %[w], %[a1]\n\t"
        "smlatt %[a3], %[x], %[w], %[a3]\n\t"
        "ldr %[x], [%[r], %[dx]]\n\t"
        "ldr %[w], [%[f]], #4\n\t"
        "sxtb16 %[xe], %[x]\n\t"
        "sxtb16 %[x], %[x], ror #8\n\t"
        "sxtb16 %[we], %[w]\n\t"
        "sxtb16 %[w], %[w], ror #8\n\t"
        "smlabb %[a0], %[xe], %[we], %[a0]\n\t"
        "smlatt %[a2], %[xe], %[we], %[a2]\n\t"
        "smlabb %[a1], %[x], %[w], %[a1]\n\t"
        "smlatt %[a3], %[x], %[w], %[a3]\n\t"
        "ldr %[x], [%[r], %[dx], lsl #1]\n\t"
        "ldr %[w], [%[f]], #4\n\t"
        "sxtb16 %[xe], %[x]\n\t"
        "sxtb16 %[x], %[x], ror #8\n\t"
        "sxtb16 %[we], %[w]\n\t"
        "sxtb16 %[w], %[w], ror #8\n\t"
        "smlabb %[a0], %[xe], %[we], %[a0]\n\t"
        "smlatt %[a2], %[xe], %[we], %[a2]\n\t"
        "smlabb %[a1], %[x], %[w], %[a1]\n\t"
        "smlatt %[a3], %[x], %[w], %[a3]\n\t"
        "add %[r], %[r], %[dy]\n\t"
        "ldr %[x], [%[r]]\n\t"
        "ldr %[w], [%[f]], #4\n\t"
        "sxtb16 %[xe], %[x]\n\t"
        "sxtb16 %[x], %[x], ror #8\n\t"
        "sxtb16 %[we], %[w]\n\t"
        "sxtb16 %[w], %[w], ror #8\n\t"
        "smlabb %[a0], %[xe], %[we], %[a0]\n\t"
        "smlatt %[a2], %[xe], %[we], %[a2]\n\t"
        "smlabb %[a1], %[x], %[w], %[a1]\n\t"
        "smlatt %[a3], %[x], %[w], %[a3]\n\t"
        "ldr %[x], [%[r], %[dx]]\n\t"
        "ldr %[w], [%[f]], #4\n\t"
        "sxtb16 %[xe], %[x]\n\t"
        "sxtb16 %[x], %[x], ror #8\n\t"
        "sxtb16 %[we], %[w]\n\t"
        "sxtb16 %[w], %[w], ror #8\n\t"
        "smlabb %[a0], %[xe], %[we], %[a0]\n\t"
        "smlatt %[a2], %[xe], %[we], %[a2]\n\t"
        "smlabb %[a1], %[x], %[w], %[a1]\n\t"
        "smlatt %[a3], %[x], %[w], %[a3]\n\t"
        "ldr %[x], [%[r], %[dx], lsl #1]\n\t"
        "ldr %[w], [%[f]], #4\n\t"
        "sxtb16 %[xe], %[x]\n\t"
        "sxtb16 %[x], %[x], ror #8\n\t"
        "sxtb16 %[we], %[w]\n\t"
        "sxtb16 %[w], %[w], ror #8\n\t"
        "smlabb %[a0], %[xe], %[we], %[a0]\n\t"
        "smlatt %[a2], %[xe], %[we], %[a2]\n\t"
        "smlabb %[a1], %[x], %[w], %[a1]\n\t"
        "smlatt %[a3], %[x], %[w], %[a3]\n\t"
        "add %[r], %[r], %[dy]\n\t"
        "ldr %[x], [%[r]]\n\t"
        "ldr %[w], [%[f]], #4\n\t"
        "sxtb16 %[xe], %[x]\n\t"
        "sxtb16 %[x], %[x], ror #8\n\t"
        "sxtb16 %[we], %[w]\n\t"
        "sxtb16 %[w], %[w], ror #8\n\t"
        "smlabb %[a0], %[xe], %[we], %[a0]\n\t"
        "smlatt %[a2], %[xe], %[we], %[a2]\n\t"
        "smlabb %[a1], %[x], %[w], %[a1]\n\t"
        "smlatt %[a3], %[x], %[w], %[a3]\n\t"
        "ldr %[x], [%[r], %[dx]]\n\t"
        "ldr %[w], [%[f]], #4\n\t"
        "sxtb16 %[xe], %[x]\n\t"
        "sxtb16 %[x], %[x], ror #8\n\t"
        "sxtb16 %[we], %[w]\n\t"
        "sxtb16 %[w], %[w], ror #8\n\t"
        "smlabb %[a0], %[xe], %[we], %[a0]\n\t"
        "smlatt %[a2], %[xe], %[we], %[a2]\n\t"
        "smlabb %[a1], %[x], %[w], %[a1]\n\t"
        "smlatt %[a3], %[x], %[w], %[a3]\n\t"
        "ldr %[x], [%[r], %[dx], lsl #1]\n\t"
        "ldr %[w], [%[f]], #4\n\t"
        "sxtb16 %[xe], %[x]\n\t"
        "sxtb16 %[x], %[x], ror #8\n\t"
        "sxtb16 %[we], %[w]\n\t"
        "sxtb16 %[w], %[w], ror #8\n\t"
        "smlabb %[a0], %[xe], %[we], %[a0]\n\t"
        "smlatt %[a2], %[xe], %[we], %[a2]\n\t"
        "smlabb %[a1], %[x], %[w], %[a1]\n\t"
        "smlatt %[a3], %[x], %[w], %[a3]\n\t"
        : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [f] "+r"(f),
          [r] "+r"(r), [x] "=&r"(x), [xe] "=&r"(xe), [w] "=&r"(w), [we] "=&r"(we)
        : [dx] "r"(dx), [dy] "r"(dy)
        : "memory");
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
#else
    int32_t ky, kx, k;
    for (ky = 0; ky < 3; ++ky, r += dy) {
        for (kx = 0; kx < 3; ++kx, f += 4) {
            for (k = 0; k < 4; ++k) {
                acc[k] += (int32_t)r[kx * dx + k] * f[k];
            }
        }
    }
#endif
    return f;
}

#endif /* TG_FAST_H */
