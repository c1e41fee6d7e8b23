"""When two outputs are the same: int8 (and every integer type) byte for byte; float32
within ``FLOAT_TOLERANCE`` of the largest magnitude of the truth.

A float32 kernel that adds in TensorFlow Lite's order gives the same floats where the
compiler keeps that order and the C library's ``expf`` agrees; elsewhere (numpy's
references sum in float64, a device's libm) the results part by rounding, which the
relative bound covers: ``|a - b| <= FLOAT_TOLERANCE * max(|b|)`` element by element,
NaN where the truth has NaN.
"""

from __future__ import annotations

import numpy as np

#: Largest difference of two float32 outputs, relative to the truth's largest magnitude.
FLOAT_TOLERANCE = 1e-5


def _floating(a: np.ndarray) -> bool:
    return np.issubdtype(a.dtype, np.floating)


def differing(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per element of ``b`` (the truth): whether ``a`` differs from it (same size and type)."""
    x, y = a.reshape(-1), b.reshape(-1)
    if not _floating(y):
        return x != y
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    finite = y64[np.isfinite(y64)]
    scale = float(np.abs(finite).max()) if finite.size else 0.0
    with np.errstate(invalid="ignore"):
        far = np.abs(x64 - y64) > FLOAT_TOLERANCE * scale
    both_nan = np.isnan(x64) & np.isnan(y64)
    same_inf = np.isinf(y64) & (x64 == y64)
    return (far | (np.isnan(x64) != np.isnan(y64))) & ~both_nan & ~same_inf


def same_values(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    """Same element type and count, and equal values: bytes for integers, within the
    tolerance for floats (shapes may be spelled differently)."""
    if a is None or b is None or a.dtype != b.dtype or a.size != b.size:
        return False
    if not _floating(b):
        return a.tobytes() == b.tobytes()
    return not differing(a, b).any()


def count_differing(a: np.ndarray | None, b: np.ndarray | None) -> int:
    if a is None or b is None:
        return max(0 if a is None else a.size, 0 if b is None else b.size)
    if a.size != b.size or a.dtype != b.dtype:
        return max(a.size, b.size)
    return int(np.count_nonzero(differing(a, b)))
