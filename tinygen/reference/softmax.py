"""Reference int8 softmax: gemmlowp fixed-point exp and reciprocal, as in TFLM."""

from __future__ import annotations

import numpy as np

from tinygen.lowering.softmax import SCALED_DIFF_INTEGER_BITS, SoftmaxParams
from tinygen.reference.fixedpoint import (
    INT32_MAX,
    INT32_MIN,
    rounding_divide_by_pot,
    saturating_rounding_doubling_high_mul,
    wrap_int32,
)

ACCUMULATION_INTEGER_BITS = 12
_mul = saturating_rounding_doubling_high_mul


def saturating_shift_left(x: np.ndarray, exponent: int) -> np.ndarray:
    """gemmlowp's SaturatingRoundingMultiplyByPOT for a positive exponent."""
    threshold = (1 << (31 - exponent)) - 1
    shifted = wrap_int32(x << exponent)
    return np.where(x > threshold, INT32_MAX, np.where(x < -threshold, INT32_MIN, shifted))


def _exp_on_quarter_interval(a: np.ndarray) -> np.ndarray:
    """exp(a) for a in [-1/4, 0), Q0.31 in and out: Taylor series around -1/8."""
    exp_minus_eighth = 1895147668
    one_third = 715827883
    x = wrap_int32(a + (1 << 28))
    x2 = _mul(x, x)
    x3 = _mul(x2, x)
    x4 = _mul(x2, x2)
    x4_over_4 = rounding_divide_by_pot(x4, 2)
    poly = rounding_divide_by_pot(wrap_int32(_mul(wrap_int32(x4_over_4 + x3), one_third) + x2), 1)
    return wrap_int32(exp_minus_eighth + _mul(exp_minus_eighth, wrap_int32(x + poly)))


_BARREL = (
    (-2, 1672461947),
    (-1, 1302514674),
    (0, 790015084),
    (1, 290630308),
    (2, 39332535),
    (3, 720401),
    (4, 242),
)


def exp_on_negative_values(a: np.ndarray) -> np.ndarray:
    """exp(a) for a ≤ 0 in Q5.26, result in Q0.31."""
    fractional = 31 - SCALED_DIFF_INTEGER_BITS
    quarter = 1 << (fractional - 2)
    mod_quarter = wrap_int32((a & (quarter - 1)) - quarter)
    result = _exp_on_quarter_interval(saturating_shift_left(mod_quarter, SCALED_DIFF_INTEGER_BITS))
    remainder = wrap_int32(mod_quarter - a)
    for exponent, multiplier in _BARREL:
        if exponent < SCALED_DIFF_INTEGER_BITS:
            bit = 1 << (fractional + exponent)
            result = np.where(remainder & bit, _mul(result, multiplier), result)
    return np.where(a == 0, INT32_MAX, result)


def one_over_one_plus_x(a: np.ndarray) -> np.ndarray:
    """1/(1+a) for a in [0, 1), Q0.31 in and out: Newton-Raphson in Q2.29."""
    total = a.astype(np.int64) + INT32_MAX
    half_denominator = np.where(total >= 0, (total + 1) // 2, -((-(total - 1)) // 2))
    x = wrap_int32(1515870810 + _mul(half_denominator, -1010580540))
    one_q2 = 1 << 29
    for _ in range(3):
        one_minus = wrap_int32(one_q2 - _mul(half_denominator, x))
        x = wrap_int32(x + saturating_shift_left(_mul(x, one_minus), 2))
    return saturating_shift_left(x, 1)


def _count_leading_zeros(x: int) -> int:
    return 32 - int(x).bit_length() if x > 0 else 32


def softmax_s8(p: SoftmaxParams, x: np.ndarray) -> np.ndarray:
    rows = x.reshape(p.rows, p.depth).astype(np.int64)
    low, high = -(1 << (p.output_bits - 1)), (1 << (p.output_bits - 1)) - 1
    out = np.full(rows.shape, low, np.int64)
    for r in range(p.rows):
        diff = rows[r] - rows[r].max()
        keep = diff >= p.diff_min
        shifted = wrap_int32(diff << p.input_left_shift)
        scaled = _mul(shifted, p.input_multiplier)
        exps = exp_on_negative_values(scaled)
        terms = rounding_divide_by_pot(exps, ACCUMULATION_INTEGER_BITS)
        total = int(wrap_int32(np.array(np.sum(np.where(keep, terms, 0)))))
        headroom = _count_leading_zeros(total)
        bits_over_unit = ACCUMULATION_INTEGER_BITS - headroom
        shifted_minus_one = ((total << headroom) & 0xFFFFFFFF) - (1 << 31)
        scale = one_over_one_plus_x(np.array([shifted_minus_one], np.int64))[0]
        exponent = bits_over_unit + 31 - p.output_bits
        value = rounding_divide_by_pot(_mul(np.int64(scale), exps), exponent) + low
        out[r] = np.where(keep, np.clip(value, low, high), low)
    return out.reshape(x.shape).astype(np.int16 if p.output_bits == 16 else np.int8)
