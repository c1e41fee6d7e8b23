"""Reference int8 multiplication with broadcasting (TensorFlow Lite's arithmetic)."""

from __future__ import annotations

import numpy as np

from tinygen.lowering.mul import MulParams
from tinygen.reference.fixedpoint import multiply_by_quantized_multiplier


def mul_s8(p: MulParams, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    product = (a.astype(np.int64) + p.input1_offset) * (b.astype(np.int64) + p.input2_offset)
    out = multiply_by_quantized_multiplier(product, p.output_multiplier, p.output_shift)
    return np.clip(out + p.output_offset, p.act_min, p.act_max).astype(np.int8)
