"""Raw block in float64, as Edge Impulse's raw block (implementation version 1).

The features are the input values times ``scale_axes``, in the input's order.
"""

from __future__ import annotations

import numpy as np

from tinygen.dsp_definitions.raw import RawParams


def raw_features(raw: np.ndarray, params: RawParams, *, axes: int = 1) -> np.ndarray:
    """``raw`` (interleaved axes) scaled; ``axes`` only checks the shape."""
    data = np.asarray(raw, dtype=np.float64).reshape(-1, axes)
    return data.reshape(-1) * params.scale_axes
