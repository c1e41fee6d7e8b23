"""Reference PAD / PADV2 (constant padding), as TensorFlow Lite defines it."""

from __future__ import annotations

import numpy as np

from tinygen.lowering.pad import PadParams


def pad_s8(p: PadParams, x: np.ndarray) -> np.ndarray:
    widths = [(b, o - i - b) for b, i, o in zip(p.before, p.in_shape, p.out_shape, strict=True)]
    return np.pad(x.reshape(p.in_shape), widths, constant_values=p.pad_value).astype(np.int8)
