"""Reference QUANTIZE, requantize and DEQUANTIZE (TFLM arithmetic)."""

from __future__ import annotations

import numpy as np

from tinygen.lowering.quantize import DequantizeParams, QuantizeParams, RequantizeParams
from tinygen.reference.fixedpoint import (
    multiply_by_quantized_multiplier,
    round_half_away_array,
    wrap_int32,
)


def quantize_f32_s8(p: QuantizeParams, x: np.ndarray) -> np.ndarray:
    ratio = x.astype(np.float32) / np.float32(p.scale)  # float32 division, as TFLM
    rounded = round_half_away_array(ratio.astype(np.float32))
    # Out-of-range values saturate on every target tinygen supports.
    rounded = np.clip(np.nan_to_num(rounded, nan=0.0), -(2.0**31), 2.0**31 - 1)
    return np.clip(rounded.astype(np.int64) + p.zero_point, -128, 127).astype(np.int8)


def requantize_s8(p: RequantizeParams, x: np.ndarray) -> np.ndarray:
    values = x.astype(np.int64) + p.input_offset
    out = multiply_by_quantized_multiplier(values, p.multiplier, p.shift) + p.output_offset
    return np.clip(out, p.act_min, p.act_max).astype(np.int8)


def requantize_s16_s32(p: RequantizeParams, x: np.ndarray) -> np.ndarray:
    """int16 to int32: rescaled, the output's zero point added in wrapping int32."""
    values = x.astype(np.int64) + p.input_offset
    out = multiply_by_quantized_multiplier(values, p.multiplier, p.shift) + p.output_offset
    return wrap_int32(out).astype(np.int32)


def dequantize_s8_f32(p: DequantizeParams, x: np.ndarray) -> np.ndarray:
    return (p.scale * (x.astype(np.float64) - p.zero_point)).astype(np.float32)
