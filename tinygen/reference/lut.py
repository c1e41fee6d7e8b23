"""The 256-entry tables of the int8 operators whose output is a function of one input byte.

For an int8 input, LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU and a PRELU with one alpha
value give each output byte from its input byte alone. tinygen evaluates that function at
generation time for all 256 bytes, with TensorFlow Lite's reference arithmetic, and the
generated kernel only looks the result up.

- LOGISTIC and TANH: TensorFlow Lite's reference kernels fill this very table while
  preparing, in float32: dequantize the byte, apply ``1 / (1 + expf(-x))`` or ``tanhf``,
  multiply by the output's inverse scale, round half away from zero, add the zero point,
  clamp. The float functions are the C library's (``expf``, ``tanhf`` through ctypes),
  the ones TensorFlow Lite's kernel calls, so the table is TensorFlow Lite's own on the
  same machine. (A C library's tanhf need not be correctly rounded, glibc 2.36's is not:
  float64 rounded to float32 then differs from TensorFlow Lite on a byte now and then.)
  Without a loadable C math library they are float64 rounded to float32. TFLite Micro
  computes both in gemmlowp fixed point instead, and its TANH assumes an output scale of
  1/128 and zero point 0 whatever the model says: on the converter's quantizations the
  two differ by one step on one or two bytes for about one input quantization in 1,500.
- HARD_SWISH: TensorFlow Lite's int16 fixed-point kernel, every int16 rounding and wrap
  included (:func:`hard_swish_table`).
- LEAKY_RELU and PRELU: the input byte less its zero point, requantized by one multiplier
  when it is at least 0 and by the alpha multiplier (times the offset alpha byte, PRELU)
  when it is below.

Tables are indexed by the input byte read as unsigned: entries 0..127 are the outputs of
inputs 0..127, entries 128..255 those of -128..-1, as in TensorFlow Lite's tables.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np

from tinygen.reference.fixedpoint import multiply_by_quantized_multiplier

#: The input value at each table index (the index's byte read as int8).
TABLE_INPUTS = np.arange(256, dtype=np.uint8).view(np.int8)
INT8_MIN, INT8_MAX = -128, 127


def lut_s8(table: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``table`` applied to every byte of ``x``."""
    return np.asarray(table, np.int8)[np.asarray(x, np.int8).view(np.uint8)]


# -- float32 tables (LOGISTIC, TANH) -------------------------------------------------------


@cache
def _c_math() -> tuple[Callable[[float], float], Callable[[float], float]] | None:
    """The C library's ``expf`` and ``tanhf``, or None where no math library loads."""
    for name in ("m", "c"):
        path = ctypes.util.find_library(name)
        if path is None:
            continue
        try:
            lib = ctypes.CDLL(path)
            functions = (lib.expf, lib.tanhf)
        except (OSError, AttributeError):
            continue
        for f in functions:
            f.restype = ctypes.c_float
            f.argtypes = [ctypes.c_float]
        return functions
    return None


def _float_function(name: str) -> Callable[[np.ndarray], np.ndarray]:
    """``expf`` or ``tanhf`` on a float32 array, as the C library computes it."""
    functions = _c_math()
    if functions is None:  # float64, rounded once to float32
        f64 = np.exp if name == "expf" else np.tanh

        def rounded(x: np.ndarray) -> np.ndarray:
            with np.errstate(over="ignore"):
                return f64(x.astype(np.float64)).astype(np.float32)

        return rounded
    c_function = functions[0] if name == "expf" else functions[1]

    def call(x: np.ndarray) -> np.ndarray:
        return np.array([c_function(float(v)) for v in x.reshape(-1)], np.float32)

    return call


def logistic_f32(x: np.ndarray) -> np.ndarray:
    """``1.0f / (1.0f + expf(-x))`` in float32."""
    e = _float_function("expf")(-x.astype(np.float32))
    with np.errstate(over="ignore", divide="ignore"):
        return np.float32(1.0) / (np.float32(1.0) + e)


def tanh_f32(x: np.ndarray) -> np.ndarray:
    """``tanhf(x)`` in float32."""
    return _float_function("tanhf")(x.astype(np.float32))


def float_table(
    transform: Callable[[np.ndarray], np.ndarray],
    input_scale: float,
    input_zero_point: int,
    output_scale: float,
    output_zero_point: int,
) -> np.ndarray:
    """TensorFlow Lite's int8 lookup table of a float32 ``transform`` (LUTPopulate).

    The caller keeps ``transform(x) / output_scale`` within int32 (the C++ conversion of
    a larger float is undefined)."""
    offsets = (TABLE_INPUTS.astype(np.int32) - input_zero_point).astype(np.float32)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        dequantized = np.float32(input_scale) * offsets
        inverse_scale = np.float32(1.0) / np.float32(output_scale)
        scaled = transform(dequantized).astype(np.float32) * inverse_scale
    # std::round of a float32, exactly: float64 holds the float32 value plus one half.
    wide = scaled.astype(np.float64)
    rounded = np.where(wide >= 0, np.floor(wide + 0.5), -np.floor(-wide + 0.5))
    # rescaled + zero point is a float32 sum, then truncated to int32.
    shifted = (rounded.astype(np.float32) + np.float32(output_zero_point)).astype(np.float64)
    quantized = np.trunc(shifted).astype(np.int64)
    return np.clip(quantized, INT8_MIN, INT8_MAX).astype(np.int8)


def logistic_table(input_scale: float, input_zero_point: int) -> np.ndarray:
    """LOGISTIC onto TensorFlow Lite's int8 output (scale 1/256, zero point -128)."""
    return float_table(logistic_f32, input_scale, input_zero_point, 1.0 / 256, -128)


def tanh_table(
    input_scale: float, input_zero_point: int, output_scale: float, output_zero_point: int
) -> np.ndarray:
    return float_table(tanh_f32, input_scale, input_zero_point, output_scale,
                       output_zero_point)


# -- HARD_SWISH: int16 fixed point -----------------------------------------------------------


@dataclass(frozen=True)
class HardSwishConstants:
    """What TensorFlow Lite's HARD_SWISH prepares: zero points, int16 multipliers and the
    exponents that go with them (``output_exponent`` is at most 0)."""

    input_zero_point: int
    output_zero_point: int
    output_multiplier: int  # int16
    output_exponent: int
    reluish_multiplier: int  # int16
    reluish_exponent: int


def _i16(v: int) -> int:
    """The int16 that a C++ conversion of ``v`` gives (two's complement)."""
    return ((v + 0x8000) & 0xFFFF) - 0x8000


def _sat16(v: int) -> int:
    return max(-0x8000, min(0x7FFF, v))


def _c_div(a: int, b: int) -> int:
    """C++ integer division: truncated toward zero."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _rounding_high_mul16(a: int, b: int) -> int:
    """gemmlowp's SaturatingRoundingDoublingHighMul on int16."""
    if a == b == -0x8000:
        return 0x7FFF
    ab = a * b
    nudge = (1 << 14) if ab >= 0 else 1 - (1 << 14)
    return _i16(_c_div(ab + nudge, 1 << 15))


def _high_mul16(a: int, b: int) -> int:
    """TensorFlow Lite's SaturatingDoublingHighMul on int16: truncated, not rounded."""
    if a == b == -0x8000:
        return 0x7FFF
    return _i16(_c_div(a * b, 1 << 15))


def _rounding_divide16(x: int, exponent: int) -> int:
    """gemmlowp's RoundingDivideByPOT on int16, its int16 mask and sums included."""
    mask = _i16((1 << exponent) - 1)
    remainder = _i16(x & mask)
    threshold = _i16((mask >> 1) + (1 if x < 0 else 0))
    return _i16((x >> exponent) + (1 if remainder > threshold else 0))


def hard_swish_value(c: HardSwishConstants, byte: int) -> int:
    """TensorFlow Lite's int8 HARD_SWISH of one input byte."""
    value = _i16(byte - c.input_zero_point)
    hires = _i16(value * (1 << 7))
    preshift_output = _rounding_high_mul16(hires, c.output_multiplier)
    reluish = hires
    if c.reluish_exponent > 0:
        reluish = _sat16(reluish * (1 << (c.reluish_exponent - 1)))
    reluish = _rounding_high_mul16(reluish, c.reluish_multiplier)
    if c.reluish_exponent > 0:
        reluish = _sat16(reluish * 2)
    if c.reluish_exponent < 0:
        reluish = _rounding_divide16(reluish, -c.reluish_exponent)
    reluish = _i16((reluish + (1 << 15)) >> 1)
    output = _high_mul16(reluish, preshift_output)
    output = _rounding_divide16(output, -c.output_exponent)
    output = _i16(output + c.output_zero_point)
    return max(INT8_MIN, min(INT8_MAX, output))


def hard_swish_table(c: HardSwishConstants) -> np.ndarray:
    return np.array([hard_swish_value(c, int(v)) for v in TABLE_INPUTS], np.int8)


# -- LEAKY_RELU and PRELU: two requantizations -------------------------------------------------


def leaky_relu_table(
    input_zero_point: int,
    output_zero_point: int,
    identity: tuple[int, int],
    alpha: tuple[int, int],
) -> np.ndarray:
    """LEAKY_RELU: ``identity`` and ``alpha`` are (multiplier, shift); a negative alpha has a
    negative multiplier, which the rounding treats symmetrically."""
    value = TABLE_INPUTS.astype(np.int64) - input_zero_point
    positive = multiply_by_quantized_multiplier(value, *identity)
    negative = multiply_by_quantized_multiplier(value, *alpha)
    out = np.where(value >= 0, positive, negative) + output_zero_point
    return np.clip(out, INT8_MIN, INT8_MAX).astype(np.int8)


def prelu_values(
    value: np.ndarray,
    alpha: np.ndarray,
    output_zero_point: int,
    positive: tuple[int, int],
    negative: tuple[int, int],
) -> np.ndarray:
    """PRELU of offset inputs ``value`` with offset alphas ``alpha`` (int64, broadcasting):
    ``positive`` and ``negative`` are the (multiplier, shift) of the two branches."""
    kept = multiply_by_quantized_multiplier(value, *positive)
    scaled = multiply_by_quantized_multiplier(value * alpha, *negative)
    out = np.where(value >= 0, kept, scaled) + output_zero_point
    return np.clip(out, INT8_MIN, INT8_MAX).astype(np.int8)


def prelu_table(
    input_zero_point: int,
    alpha: int,
    output_zero_point: int,
    positive: tuple[int, int],
    negative: tuple[int, int],
) -> np.ndarray:
    """PRELU with one alpha value (``alpha``: the alpha byte less its zero point)."""
    value = TABLE_INPUTS.astype(np.int64) - input_zero_point
    return prelu_values(value, np.int64(alpha), output_zero_point, positive, negative)
