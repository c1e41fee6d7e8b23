"""Reference int8 table lookup (LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU, one-alpha PRELU) and
PRELU with broadcast alphas, with TensorFlow Lite's arithmetic."""

from __future__ import annotations

import numpy as np

from tinygen.lowering.activations import LutParams, PreluParams
from tinygen.reference.lut import lut_s8 as lookup
from tinygen.reference.lut import prelu_values


def lut_s8(p: LutParams, x: np.ndarray) -> np.ndarray:
    return lookup(p.table, x)


def prelu_s8(p: PreluParams, x: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    value = x.astype(np.int64) + p.input_offset
    offset_alpha = np.asarray(alpha).astype(np.int64) + p.alpha_offset
    return prelu_values(
        value,
        offset_alpha,
        p.output_offset,
        (p.output_multiplier_1, p.output_shift_1),
        (p.output_multiplier_2, p.output_shift_2),
    )
