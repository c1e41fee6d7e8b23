"""Reference ARG_MAX and ARG_MIN on int8: the first index of the largest (smallest) value."""

from __future__ import annotations

import numpy as np

from tinygen.lowering.arg_minmax import ArgMinMaxParams, index_dtype


def arg_minmax_s8(p: ArgMinMaxParams, x: np.ndarray) -> np.ndarray:
    values = x.reshape(p.outer, p.axis_size, p.inner)
    # numpy's argmax and argmin return the first index of equal values, as the kernels do
    found = values.argmin(axis=1) if p.minimum else values.argmax(axis=1)
    return found.reshape(-1).astype(index_dtype(p))
