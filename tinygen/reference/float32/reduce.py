"""numpy references of the float32 reductions (tg_f32_reduce.h): MEAN and SUM summed in
float64 and rounded once, REDUCE_MAX and REDUCE_MIN from the lowest (highest) float32 as
TensorFlow Lite starts, ARG_MAX and ARG_MIN with the first of equal values."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygen.lowering.arg_minmax import index_dtype

_FLOAT_MAX = np.float64(np.finfo(np.float32).max)


def reduce_f32(p: Any, x: np.ndarray) -> np.ndarray:
    shape = [k * r for k, r in zip(p.kept_shape, p.reduced_shape, strict=True)]
    values = x.reshape(shape).astype(np.float64)
    axes = tuple(i for i, r in enumerate(p.reduced_shape) if r > 1 or p.kept_shape[i] == 1)
    if p.op in (0, 1):
        total = values.sum(axis=axes)
        with np.errstate(divide="ignore", invalid="ignore"):
            result = total / np.float64(np.float32(p.count)) if p.op == 1 else total
    elif p.op == 2:
        result = values.max(axis=axes, initial=-_FLOAT_MAX)
    else:
        result = values.min(axis=axes, initial=_FLOAT_MAX)
    return np.asarray(result).reshape(-1).astype(np.float32)


def arg_minmax_f32(p: Any, x: np.ndarray) -> np.ndarray:
    values = x.reshape(p.outer, p.axis_size, p.inner)
    # numpy's argmax and argmin return the first index of equal values, as the kernel does
    found = values.argmin(axis=1) if p.minimum else values.argmax(axis=1)
    return found.reshape(-1).astype(index_dtype(p))


REDUCE_KERNELS = {
    "sum_f32": reduce_f32,
    "mean_f32": reduce_f32,
    "reduce_max_f32": reduce_f32,
    "reduce_min_f32": reduce_f32,
    "arg_max_f32": arg_minmax_f32,
    "arg_min_f32": arg_minmax_f32,
}
