/* int8 L2_NORMALIZATION along the last dimension (TensorFlow Lite's integer arithmetic):
 * each row's sum of squares gives 1/sqrt(sum) as a fixed-point multiplier (gemmlowp's
 * Newton-Raphson inverse square root), which requantizes the row to scale 1/128. */
#include "tg_fixedpoint.h"
#include "tg_kernels.h"

/* gemmlowp's SaturatingRoundingMultiplyByPOT for a positive exponent. */
static int32_t tg_l2_shift_left(int32_t x, int32_t exponent)
{
    const int32_t threshold = (int32_t)(((uint32_t)1 << (31 - exponent)) - 1u);
    if (x > threshold) {
        return INT32_MAX;
    }
    if (x < -threshold) {
        return INT32_MIN;
    }
    return (int32_t)((uint32_t)x << exponent);
}

/* 1/sqrt(total) as a multiplier and a (left) shift for tg_requantize. */
static void tg_l2_inv_sqrt(int32_t total, int32_t *multiplier, int32_t *shift)
{
    const int32_t half_three = (1 << 28) + (1 << 27); /* 1.5, 3 integer bits */
    int32_t right = 11, zeros = 0, pairs, half, x, i, result;
    uint32_t bits;
    if (total <= 1) {
        *multiplier = INT32_MAX;
        *shift = 0;
        return;
    }
    while (total >= (1 << 29)) {
        total /= 4;
        ++right;
    }
    for (bits = (uint32_t)total; (bits & 0x80000000u) == 0u; bits <<= 1) {
        ++zeros;
    }
    pairs = (zeros - 1) / 2 - 1;
    right -= pairs;
    total = (int32_t)((uint32_t)total << (2 * pairs));
    half = tg_round_shift_right(total >> 1, 1);
    x = 1 << 28; /* 1.0 */
    for (i = 0; i < 5; ++i) {
        const int32_t x3 = tg_l2_shift_left(tg_high_mul(tg_high_mul(x, x), x), 6);
        const int32_t step = (int32_t)((uint32_t)tg_high_mul(half_three, x) -
                                       (uint32_t)tg_high_mul(half, x3));
        x = tg_l2_shift_left(step, 3);
    }
    result = tg_high_mul(x, 1518500250); /* times sqrt(2)/2 */
    if (right < 0) {
        result = (int32_t)((uint32_t)result << -right);
        right = 0;
    }
    *multiplier = result;
    *shift = -right;
}

void tg_l2_normalization_s8(const tg_l2_normalization_params *p, const int8_t *input,
                            int8_t *output)
{
    int32_t r, i;
    for (r = 0; r < p->outer; ++r) {
        const int8_t *row = input + r * p->depth;
        int8_t *out = output + r * p->depth;
        int32_t total = 0; /* depth <= INT32_MAX / 255^2: no overflow */
        int32_t multiplier, shift;
        for (i = 0; i < p->depth; ++i) {
            const int32_t v = (int32_t)row[i] - p->input_zero_point;
            total += v * v;
        }
        tg_l2_inv_sqrt(total, &multiplier, &shift);
        for (i = 0; i < p->depth; ++i) {
            const int32_t v = (int32_t)row[i] - p->input_zero_point;
            out[i] = (int8_t)tg_clamp(tg_requantize(v, multiplier, shift + 7), -128, 127);
        }
    }
}
