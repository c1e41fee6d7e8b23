"""Reference int8 REDUCE_MAX and REDUCE_MIN: the largest or smallest value of each group
(no requantization: input and output share their quantization). SUM runs on MEAN's
reference (``tinygen.reference.mean``)."""

from __future__ import annotations

import numpy as np

from tinygen.lowering.reduce import ReduceMinMaxParams


def reduce_minmax_s8(p: ReduceMinMaxParams, x: np.ndarray) -> np.ndarray:
    shape = [k * r for k, r in zip(p.kept_shape, p.reduced_shape, strict=True)]
    values = x.reshape(shape)
    axes = tuple(i for i, r in enumerate(p.reduced_shape) if r > 1 or p.kept_shape[i] == 1)
    if not axes:
        return values.reshape(-1).astype(np.int8)
    pick = values.min if p.minimum else values.max
    return pick(axis=axes).reshape(-1).astype(np.int8)
