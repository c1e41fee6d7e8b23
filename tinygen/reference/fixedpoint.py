"""Fixed-point arithmetic of TFLite Micro's integer kernels, in numpy.

These functions define the rounding that the generated C reproduces: the
double-rounding ``MultiplyByQuantizedMultiplier`` (TFLM's default build, and TensorFlow
Lite's reference kernels for most operators), the gemmlowp helpers it is made of, the
single-rounding form TensorFlow Lite's reference FULLY_CONNECTED uses, and
``QuantizeMultiplier`` that turns a real multiplier into a 31-bit fixed-point multiplier
and a shift.

All array functions take and return int64 arrays holding int32 values.
"""

from __future__ import annotations

import math

import numpy as np

INT32_MIN = -(1 << 31)
INT32_MAX = (1 << 31) - 1


def round_half_away(x: float) -> int:
    """C's ``round()``: halves go away from zero (Python's ``round`` goes to even)."""
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


def round_half_away_array(x: np.ndarray) -> np.ndarray:
    return np.where(x >= 0, np.floor(x + 0.5), -np.floor(-x + 0.5))


def quantize_multiplier(real: float) -> tuple[int, int]:
    """A real multiplier as ``(q, shift)`` with ``real ≈ q * 2**(shift - 31)``."""
    if real == 0.0:
        return 0, 0
    mantissa, shift = math.frexp(real)
    q = round_half_away(mantissa * (1 << 31))
    if q == 1 << 31:
        q //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    return int(q), int(shift)


def wrap_int32(x: np.ndarray) -> np.ndarray:
    """Two's-complement wrap of int64 values to the int32 range."""
    return ((x.astype(np.int64) + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def saturating_rounding_doubling_high_mul(a: np.ndarray, b: np.ndarray | int) -> np.ndarray:
    a = np.asarray(a, np.int64)
    b = np.asarray(b, np.int64)
    overflow = (a == INT32_MIN) & (b == INT32_MIN)
    ab = a * b
    nudge = np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
    total = ab + nudge
    # C++ integer division truncates toward zero.
    high = np.where(total >= 0, total >> 31, -((-total) >> 31))
    return np.where(overflow, INT32_MAX, high)


def rounding_divide_by_pot(x: np.ndarray, exponent: np.ndarray | int) -> np.ndarray:
    x = np.asarray(x, np.int64)
    exponent = np.asarray(exponent, np.int64)
    mask = (np.int64(1) << exponent) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (x < 0)
    return (x >> exponent) + (remainder > threshold)


def multiply_by_quantized_multiplier(
    x: np.ndarray, multiplier: np.ndarray | int, shift: np.ndarray | int
) -> np.ndarray:
    """TFLM's default (double-rounding) ``MultiplyByQuantizedMultiplier``."""
    shift = np.asarray(shift, np.int64)
    left = np.maximum(shift, 0)
    right = np.maximum(-shift, 0)
    shifted = wrap_int32(np.asarray(x, np.int64) << left)
    return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, multiplier), right)


def multiply_by_quantized_multiplier_single(
    x: np.ndarray, multiplier: np.ndarray | int, shift: np.ndarray | int
) -> np.ndarray:
    """``x * multiplier * 2**(shift - 31)`` rounded once, halves up (64-bit product).

    TensorFlow Lite's reference FULLY_CONNECTED requantizes this way, where TFLM rounds
    twice (``multiply_by_quantized_multiplier``); the two differ by one on about one
    value in 2**(1 - shift). The result wraps to int32 as the C cast does.
    """
    total = 31 - np.asarray(shift, np.int64)
    product = np.asarray(x, np.int64) * np.asarray(multiplier, np.int64)
    # x * multiplier fits in 62 bits, so the int64 arithmetic below is exact.
    return wrap_int32((product + (np.int64(1) << (total - 1))) >> total)
