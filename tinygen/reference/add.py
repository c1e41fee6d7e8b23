"""Reference int8 addition and subtraction with broadcasting (TFLM arithmetic)."""

from __future__ import annotations

import numpy as np

from tinygen.lowering.add import AddParams
from tinygen.reference.fixedpoint import multiply_by_quantized_multiplier, wrap_int32


def add_s8(p: AddParams, a: np.ndarray, b: np.ndarray, sign: int = 1) -> np.ndarray:
    def scaled(x: np.ndarray, offset: int, multiplier: int, shift: int) -> np.ndarray:
        shifted = wrap_int32((x.astype(np.int64) + offset) << p.left_shift)
        return multiply_by_quantized_multiplier(shifted, multiplier, shift)

    s1 = scaled(a, p.input1_offset, p.input1_multiplier, p.input1_shift)
    s2 = scaled(b, p.input2_offset, p.input2_multiplier, p.input2_shift)
    raw = wrap_int32(s1 + sign * s2)
    out = multiply_by_quantized_multiplier(raw, p.output_multiplier, p.output_shift)
    return np.clip(out + p.output_offset, p.act_min, p.act_max).astype(np.int8)


def sub_s8(p: AddParams, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return add_s8(p, a, b, sign=-1)
