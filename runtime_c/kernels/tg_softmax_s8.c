/* int8 softmax along the last dimension; an int8 output (output_bits 8: scale 1/256, zero
 * point -128) or an int16 one (16: scale 1/65536, zero point -32768), as TensorFlow Lite's
 * reference kernel for both: the same fixed point, the result shifted to the output's bits.
 *
 * exp() and the reciprocal of the sum are computed in fixed point: inputs in
 * Q5.26, exp results in Q0.31, the sum in Q12.19, Newton-Raphson in Q2.29.
 */
#include "tg_fixedpoint.h"
#include "tg_kernels.h"

#define TG_SOFTMAX_DIFF_BITS 5
#define TG_SOFTMAX_SUM_BITS 12

static int32_t tg_softmax_shift_left_sat(int32_t x, int32_t exponent)
{
    const int32_t threshold = (int32_t)(((int64_t)1 << (31 - exponent)) - 1);
    if (x > threshold) {
        return INT32_MAX;
    }
    if (x < -threshold) {
        return INT32_MIN;
    }
    return (int32_t)((uint32_t)x << exponent);
}

static int32_t tg_softmax_wrap_add(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a + (uint32_t)b);
}

/* exp(a) for a in [-1/4, 0), Q0.31: Taylor expansion around -1/8. */
static int32_t tg_softmax_exp_quarter(int32_t a)
{
    const int32_t exp_minus_eighth = 1895147668;
    const int32_t one_third = 715827883;
    const int32_t x = tg_softmax_wrap_add(a, (int32_t)1 << 28);
    const int32_t x2 = tg_high_mul(x, x);
    const int32_t x3 = tg_high_mul(x2, x);
    const int32_t x4 = tg_high_mul(x2, x2);
    const int32_t x4_over_4 = tg_round_shift_right(x4, 2);
    const int32_t poly = tg_round_shift_right(
        tg_softmax_wrap_add(tg_high_mul(tg_softmax_wrap_add(x4_over_4, x3), one_third), x2), 1);
    return tg_softmax_wrap_add(exp_minus_eighth,
                               tg_high_mul(exp_minus_eighth, tg_softmax_wrap_add(x, poly)));
}

/* exp(a) for a <= 0 in Q5.26, result in Q0.31. */
static int32_t tg_softmax_exp(int32_t a)
{
    static const int32_t multipliers[7] = {1672461947, 1302514674, 790015084, 290630308,
                                           39332535,   720401,     242};
    const int32_t fractional = 31 - TG_SOFTMAX_DIFF_BITS;
    const int32_t quarter = (int32_t)1 << (fractional - 2);
    const int32_t mod_quarter = (int32_t)((uint32_t)(a & (quarter - 1)) - (uint32_t)quarter);
    const int32_t remainder = (int32_t)((uint32_t)mod_quarter - (uint32_t)a);
    int32_t result =
        tg_softmax_exp_quarter(tg_softmax_shift_left_sat(mod_quarter, TG_SOFTMAX_DIFF_BITS));
    int32_t k;
    if (a == 0) {
        return INT32_MAX;
    }
    for (k = 0; k < 7; ++k) {
        const int32_t bit = fractional + k - 2;
        if ((uint32_t)remainder & ((uint32_t)1 << bit)) {
            result = tg_high_mul(result, multipliers[k]);
        }
    }
    return result;
}

/* 1 / (1 + a) for a in [0, 1), Q0.31 in and out. */
static int32_t tg_softmax_reciprocal(int32_t a)
{
    const int64_t sum = (int64_t)a + INT32_MAX;
    const int32_t half = (int32_t)((sum + 1) / 2);
    int32_t x = tg_softmax_wrap_add(1515870810, tg_high_mul(half, -1010580540));
    int32_t i;
    for (i = 0; i < 3; ++i) {
        const int32_t one_minus =
            (int32_t)((uint32_t)((int32_t)1 << 29) - (uint32_t)tg_high_mul(half, x));
        x = tg_softmax_wrap_add(x, tg_softmax_shift_left_sat(tg_high_mul(x, one_minus), 2));
    }
    return tg_softmax_shift_left_sat(x, 1);
}

static int32_t tg_softmax_leading_zeros(uint32_t x)
{
    int32_t n = 0;
    if (x == 0) {
        return 32;
    }
    while (!(x & 0x80000000u)) {
        x <<= 1;
        ++n;
    }
    return n;
}

static int32_t tg_softmax_scaled_diff(const tg_softmax_params *p, int32_t diff)
{
    return tg_high_mul((int32_t)((uint32_t)diff << p->input_left_shift), p->input_multiplier);
}

/* Element `at` of the output: its int8 or int16 value, clamped. */
static void tg_softmax_store(const tg_softmax_params *p, void *output, int32_t at, int32_t v)
{
    if (p->output_bits == 16) {
        ((int16_t *)output)[at] = (int16_t)tg_clamp(v, INT16_MIN, INT16_MAX);
    } else {
        ((int8_t *)output)[at] = (int8_t)tg_clamp(v, -128, 127);
    }
}

void tg_softmax_s8(const tg_softmax_params *p, const int8_t *input, void *output)
{
    const int32_t lowest = p->output_bits == 16 ? INT16_MIN : -128;
    int32_t r, c;
    for (r = 0; r < p->rows; ++r) {
        const int8_t *in = input + r * p->depth;
        const int32_t row = r * p->depth;
        int32_t max = -128;
        int32_t sum = 0;
        int32_t headroom, scale, exponent;
        for (c = 0; c < p->depth; ++c) {
            max = in[c] > max ? in[c] : max;
        }
        for (c = 0; c < p->depth; ++c) {
            const int32_t diff = in[c] - max;
            if (diff >= p->diff_min) {
                const int32_t e = tg_softmax_exp(tg_softmax_scaled_diff(p, diff));
                sum = tg_softmax_wrap_add(sum, tg_round_shift_right(e, TG_SOFTMAX_SUM_BITS));
            }
        }
        headroom = tg_softmax_leading_zeros((uint32_t)sum);
        scale = tg_softmax_reciprocal(
            (int32_t)(((uint32_t)sum << headroom) - ((uint32_t)1 << 31)));
        exponent = TG_SOFTMAX_SUM_BITS - headroom + 31 - p->output_bits;
        for (c = 0; c < p->depth; ++c) {
            const int32_t diff = in[c] - max;
            if (diff >= p->diff_min) {
                const int32_t e = tg_softmax_exp(tg_softmax_scaled_diff(p, diff));
                const int32_t v = tg_round_shift_right(tg_high_mul(scale, e), exponent);
                tg_softmax_store(p, output, row + c, v + lowest);
            } else {
                tg_softmax_store(p, output, row + c, lowest);
            }
        }
    }
}
