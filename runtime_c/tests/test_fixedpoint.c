/* tg_fixedpoint.h against values worked out by hand (a * b / 2^31 and friends). */
#include "tg_check.h"
#include "tg_fixedpoint.h"

static void high_mul(void)
{
    /* round(a * b / 2^31), halves up (toward +infinity), saturated */
    TG_CHECK_INT(tg_high_mul(1 << 30, 1 << 30), 1 << 29);
    TG_CHECK_INT(tg_high_mul(3, 1 << 30), 2);   /* 1.5 */
    TG_CHECK_INT(tg_high_mul(-3, 1 << 30), -1); /* -1.5 */
    TG_CHECK_INT(tg_high_mul(-5, 1 << 30), -2); /* -2.5 */
    TG_CHECK_INT(tg_high_mul(-7, 1 << 29), -2); /* -1.75 */
    TG_CHECK_INT(tg_high_mul(INT32_MAX, INT32_MAX), 2147483646);
    TG_CHECK_INT(tg_high_mul(INT32_MIN, INT32_MAX), -2147483647);
    TG_CHECK_INT(tg_high_mul(INT32_MIN, INT32_MIN), INT32_MAX); /* 2^31 saturates */
}

static void round_shift_right(void)
{
    /* round(x / 2^exponent), halves away from zero */
    TG_CHECK_INT(tg_round_shift_right(5, 1), 3);   /* 2.5 */
    TG_CHECK_INT(tg_round_shift_right(-5, 1), -3); /* -2.5 */
    TG_CHECK_INT(tg_round_shift_right(4, 1), 2);
    TG_CHECK_INT(tg_round_shift_right(7, 2), 2);   /* 1.75 */
    TG_CHECK_INT(tg_round_shift_right(-6, 2), -2); /* -1.5 */
    TG_CHECK_INT(tg_round_shift_right(-7, 2), -2); /* -1.75 */
    TG_CHECK_INT(tg_round_shift_right(-5, 2), -1); /* -1.25 */
    TG_CHECK_INT(tg_round_shift_right(123, 0), 123);
    TG_CHECK_INT(tg_round_shift_right(-123, 0), -123);
    TG_CHECK_INT(tg_round_shift_right(INT32_MAX, 31), 1);
}

static void requantize(void)
{
    /* x * 0.5 * 2^shift, rounded twice (the high multiply, then the shift) */
    TG_CHECK_INT(tg_requantize(100, 1 << 30, 0), 50);
    TG_CHECK_INT(tg_requantize(100, 1 << 30, 1), 100);
    TG_CHECK_INT(tg_requantize(100, 1 << 30, -2), 13);   /* 12.5 */
    TG_CHECK_INT(tg_requantize(-100, 1 << 30, -2), -13); /* -12.5 */
    TG_CHECK_INT(tg_requantize(5, 1 << 30, -1), 2);      /* 1.25: 2.5 -> 3, 1.5 -> 2 */
    /* the left shift wraps as the reference's (2^30 << 1 is INT32_MIN) */
    TG_CHECK_INT(tg_requantize(1 << 30, 1 << 30, 1), -(1 << 30));
}

static void requantize_single(void)
{
    /* x * 0.5 * 2^shift, rounded once, halves up */
    TG_CHECK_INT(tg_requantize_single(100, 1 << 30, 0), 50);
    TG_CHECK_INT(tg_requantize_single(3, 1 << 30, 0), 2);   /* 1.5 */
    TG_CHECK_INT(tg_requantize_single(-3, 1 << 30, 0), -1); /* -1.5 */
    TG_CHECK_INT(tg_requantize_single(-5, 1 << 30, 0), -2); /* -2.5 */
    TG_CHECK_INT(tg_requantize_single(5, 1 << 30, -1), 1);  /* 1.25, where tg_requantize gives 2 */
    TG_CHECK_INT(tg_requantize_single(7, 1 << 30, 1), 7);
    TG_CHECK_INT(tg_requantize_single(3, 1 << 30, 30), 1610612736); /* 3 * 2^29 */
}

static void clamp(void)
{
    TG_CHECK_INT(tg_clamp(5, -3, 3), 3);
    TG_CHECK_INT(tg_clamp(-5, -3, 3), -3);
    TG_CHECK_INT(tg_clamp(1, -3, 3), 1);
    TG_CHECK_INT(tg_clamp(-128, -128, 127), -128);
}

int main(void)
{
    high_mul();
    round_shift_right();
    requantize();
    requantize_single();
    clamp();
    return tg_check_report("tg_fixedpoint.h");
}
