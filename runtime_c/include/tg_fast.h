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
