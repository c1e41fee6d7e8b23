"""Reference int8 MAXIMUM, MINIMUM and SQUARED_DIFFERENCE with broadcasting (TensorFlow
Lite's arithmetic)."""

from __future__ import annotations

import numpy as np

from tinygen.lowering.add import AddParams
from tinygen.lowering.elementwise import MinMaxParams
from tinygen.reference.fixedpoint import multiply_by_quantized_multiplier, wrap_int32


def maximum_s8(_: MinMaxParams, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.maximum(a.astype(np.int8), b.astype(np.int8))


def minimum_s8(_: MinMaxParams, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.minimum(a.astype(np.int8), b.astype(np.int8))


def squared_difference_s8(p: AddParams, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    def scaled(x: np.ndarray, offset: int, multiplier: int, shift: int) -> np.ndarray:
        shifted = (x.astype(np.int64) + offset) << p.left_shift
        return multiply_by_quantized_multiplier(shifted, multiplier, shift)

    diff = scaled(a, p.input1_offset, p.input1_multiplier, p.input1_shift) - scaled(
        b, p.input2_offset, p.input2_multiplier, p.input2_shift)
    squared = wrap_int32(diff * diff)
    out = multiply_by_quantized_multiplier(squared, p.output_multiplier, p.output_shift)
    return np.clip(out + p.output_offset, p.act_min, p.act_max).astype(np.int8)
