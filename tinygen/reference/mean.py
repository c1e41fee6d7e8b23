"""Reference int8 MEAN (TFLM arithmetic): integer sum, then one requantization."""

from __future__ import annotations

import numpy as np

from tinygen.lowering.mean import MeanParams
from tinygen.reference.fixedpoint import multiply_by_quantized_multiplier, wrap_int32


def mean_s8(p: MeanParams, x: np.ndarray) -> np.ndarray:
    shape = [k * r for k, r in zip(p.kept_shape, p.reduced_shape, strict=True)]
    values = x.reshape(shape).astype(np.int64)
    axes = tuple(i for i, r in enumerate(p.reduced_shape) if r > 1 or p.kept_shape[i] == 1)
    total = values.sum(axis=axes) if axes else values
    shifted = wrap_int32(total.reshape(-1) - p.input_zero_point * p.count)
    out = multiply_by_quantized_multiplier(shifted, p.multiplier, p.shift)
    return np.clip(out + p.output_zero_point, -128, 127).astype(np.int8)
