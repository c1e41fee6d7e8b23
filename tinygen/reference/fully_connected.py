"""Reference int8 fully connected layer (TensorFlow Lite's reference arithmetic: one rounding)."""

from __future__ import annotations

import numpy as np

from tinygen.lowering.fully_connected import FullyConnectedParams
from tinygen.reference.fixedpoint import multiply_by_quantized_multiplier_single, wrap_int32


def fully_connected_s8(p: FullyConnectedParams, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``p.bias`` already holds the input offset times the weight sums (see lowering)."""
    x = x.reshape(p.batches, p.accum_depth).astype(np.int64)
    w = w.reshape(p.out_depth, p.accum_depth).astype(np.int64) + p.filter_offset
    acc = wrap_int32(x @ w.T + p.bias.astype(np.int64))
    out = multiply_by_quantized_multiplier_single(acc, p.multiplier.astype(np.int64), p.shift)
    out = out + p.output_offset
    return np.clip(out, p.act_min, p.act_max).astype(np.int8)
