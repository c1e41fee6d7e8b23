"""Reference CONCATENATION of int8 tensors that share their quantization."""

from __future__ import annotations

import numpy as np

from tinygen.lowering.concatenation import ConcatenationParams


def concatenation_s8(p: ConcatenationParams, *inputs: np.ndarray) -> np.ndarray:
    return np.concatenate(inputs, axis=p.axis).astype(np.int8)
