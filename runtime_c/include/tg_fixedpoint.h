/* Fixed-point helpers shared by the int8 kernels.
 *
 * tg_requantize rounds as TensorFlow Lite Micro's default build and TensorFlow
 * Lite's reference kernels do for most operators: a saturating rounding doubling
 * high multiply followed by a rounding right shift. tg_requantize_single rounds
 * once, as TensorFlow Lite's reference FULLY_CONNECTED does. Signed right shifts
 * are assumed arithmetic, as on every compiler tinygen targets.
 */
#ifndef TG_FIXEDPOINT_H
#define TG_FIXEDPOINT_H

#include <stdint.h>

static inline int32_t tg_high_mul(int32_t a, int32_t b)
{
    int64_t ab;
    int64_t nudge;
    if (a == INT32_MIN && b == INT32_MIN) {
        return INT32_MAX;
    }
    ab = (int64_t)a * (int64_t)b;
    nudge = ab >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

static inline int32_t tg_round_shift_right(int32_t x, int32_t exponent)
{
    const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

static inline int32_t tg_requantize(int32_t x, int32_t multiplier, int32_t shift)
{
    const int32_t left = shift > 0 ? shift : 0;
    const int32_t right = shift > 0 ? 0 : -shift;
    const int32_t shifted = (int32_t)((uint32_t)x << left);
    return tg_round_shift_right(tg_high_mul(shifted, multiplier), right);
}

/* x * multiplier * 2^(shift - 31), rounded once (halves up); shift in [-31, 30]. */
static inline int32_t tg_requantize_single(int32_t x, int32_t multiplier, int32_t shift)
{
    const int32_t total = 31 - shift;
    const int64_t product = (int64_t)x * (int64_t)multiplier + ((int64_t)1 << (total - 1));
    return (int32_t)(uint32_t)(uint64_t)(product >> total);
}

static inline int32_t tg_clamp(int32_t x, int32_t lo, int32_t hi)
{
    return x < lo ? lo : (x > hi ? hi : x);
}

#endif /* TG_FIXEDPOINT_H */
