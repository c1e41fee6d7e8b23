"""Reference int8 L2_NORMALIZATION: TensorFlow Lite's integer inverse square root per row."""

from __future__ import annotations

import numpy as np

from tinygen.lowering.l2_normalization import L2NormalizationParams
from tinygen.reference.fixedpoint import (
    INT32_MAX,
    multiply_by_quantized_multiplier,
    rounding_divide_by_pot,
    saturating_rounding_doubling_high_mul,
    wrap_int32,
)

#: Fractional bits added to the requantization: the output's scale is 1/128.
OUTPUT_BITS = 7
_HALF_THREE = (1 << 28) + (1 << 27)  # 1.5 with 3 integer bits
_ONE = 1 << 28  # 1.0 with 3 integer bits
_HALF_SQRT_2 = 1518500250  # sqrt(2)/2 with 0 integer bits


def _mul(a: int, b: int) -> int:
    return int(saturating_rounding_doubling_high_mul(np.int64(a), np.int64(b)))


def _saturating_shift_left(x: int, exponent: int) -> int:
    """gemmlowp's SaturatingRoundingMultiplyByPOT for a positive exponent."""
    threshold = (1 << (31 - exponent)) - 1
    if x > threshold:
        return INT32_MAX
    if x < -threshold:
        return -(1 << 31)
    return x << exponent


def inv_sqrt_multiplier(total: int) -> tuple[int, int]:
    """1/sqrt(total) as (multiplier, left shift) for ``multiply_by_quantized_multiplier``:
    TensorFlow Lite's GetInvSqrtQuantizedMultiplierExp with its reverse shift applied."""
    if total <= 1:  # 0 and 1 as 1, as TensorFlow Lite does
        return INT32_MAX, 0
    shift = 11
    while total >= 1 << 29:
        total //= 4
        shift += 1
    leading_zeros = 32 - total.bit_length()
    pairs = (leading_zeros - 1) // 2 - 1
    shift -= pairs
    total <<= 2 * pairs
    value = total >> 1  # 3 integer bits
    half = int(rounding_divide_by_pot(np.int64(value), 1))
    x = _ONE
    for _ in range(5):  # Newton-Raphson on 1/sqrt, from 1
        x3 = _saturating_shift_left(_mul(_mul(x, x), x), 6)
        step = int(wrap_int32(np.int64(_mul(_HALF_THREE, x) - _mul(half, x3))))
        x = _saturating_shift_left(step, 3)
    result = _mul(x, _HALF_SQRT_2)
    if shift < 0:
        result <<= -shift
        shift = 0
    return result, -shift


def l2_normalization_s8(p: L2NormalizationParams, x: np.ndarray) -> np.ndarray:
    rows = x.reshape(p.outer, p.depth).astype(np.int64) - p.input_zero_point
    out = np.empty(rows.shape, np.int64)
    for r in range(p.outer):
        total = int(wrap_int32(np.int64(np.sum(rows[r] * rows[r]))))
        multiplier, shift = inv_sqrt_multiplier(total)
        out[r] = multiply_by_quantized_multiplier(rows[r], multiplier, shift + OUTPUT_BITS)
    return np.clip(out, -128, 127).astype(np.int8).reshape(x.shape)
