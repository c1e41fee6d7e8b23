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


/* Requantization of the quad kernels (tg_conv2d_fast_s8): q holds, per output channel,
 * {bias, multiplier, right + 1, 2^right + (output_offset << (right + 1))}, for channels
 * whose TFLite shift is -right <= 0, accumulators within tinygen/lowering/fast.py's
 * quad_bound. With h = SMMULR (2 acc, multiplier), TFLM's rounding right shift of h by
 * `right` equals the one of 2 h by right + 1 (the same rational number), which needs no
 * special case for right 0, and the offset rides in the rounding constant. */
static inline int32_t tg_quad_requantize(int32_t acc, const int32_t *q)
{
    const int32_t doubled = (int32_t)((uint32_t)acc << 1);
    int32_t high;
#if defined(TG_DSP) && defined(__GNUC__)
    __asm__("smmulr %0, %1, %2" : "=r"(high) : "r"(doubled), "r"(q[1]));
#else
    high = (int32_t)(((int64_t)doubled * q[1] + ((int64_t)1 << 31)) >> 32);
#endif
    return (int32_t)(((uint32_t)high << 1) + (uint32_t)q[3] + (uint32_t)(high >> 31)) >> q[2];
}

/* The int8 output of accumulator acc of the channel at q (tg_quad_requantize), clamped. */
static inline int8_t tg_quad_out(int32_t acc, const int32_t *q, int32_t lo, int32_t hi)
{
    int32_t v = tg_quad_requantize(acc, q);
    v = v < lo ? lo : v;
    return (int8_t)(v > hi ? hi : v);
}

/* acc[c] += the dot products of `groups` x 4 values at a with channel c of a quad block at
 * f (per group of four values, 4 bytes of each of the four channels); returns f past it. */
static inline const int8_t *tg_dot4(const int8_t *a, const int8_t *f, int32_t groups,
                                    int32_t acc[4])
{
    int32_t x0 = acc[0], x1 = acc[1], x2 = acc[2], x3 = acc[3];
#if defined(TG_DSP) && defined(__GNUC__)
    int32_t xa, xe, w0, w1, t;
    if (groups > 0) {
        /* f is 4-byte aligned (TG_ALIGN4 and the quad layout): LDRD may read it */
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
            "subs %[n], %[n], #1\n\t"
            "bne 1b\n\t"
            : [x0] "+r"(x0), [x1] "+r"(x1), [x2] "+r"(x2), [x3] "+r"(x3), [a] "+r"(a),
              [f] "+r"(f), [n] "+r"(groups), [xa] "=&r"(xa), [xe] "=&r"(xe), [w0] "=&r"(w0),
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

#endif /* TG_FAST_H */
