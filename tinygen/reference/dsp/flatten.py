"""Flatten block in float64, as Edge Impulse's flatten block (implementation version 1).

Per axis of the scaled input, the enabled statistics in this order: average, minimum,
maximum, RMS, standard deviation (biased), skewness and kurtosis (Fisher, biased).
Where scipy's skewness and kurtosis are NaN (a constant axis) this returns 0.
"""

from __future__ import annotations

import numpy as np

from tinygen.dsp_definitions.flatten import STATISTICS, FlattenParams
from tinygen.reference.dsp.spectral import moments


def flatten_features(raw: np.ndarray, params: FlattenParams, *, axes: int = 1) -> np.ndarray:
    """The enabled statistics of each axis of ``raw`` (interleaved axes), axis by axis."""
    data = np.asarray(raw, dtype=np.float64).reshape(-1, axes) * params.scale_axes
    features = []
    for x in data.T:
        rms, skewness, kurtosis = moments(x)
        values = {
            "average": np.mean(x),
            "minimum": np.min(x),
            "maximum": np.max(x),
            "rms": rms,
            "stdev": np.std(x),
            "skewness": skewness,
            "kurtosis": kurtosis,
        }
        features += [float(values[s]) for s in STATISTICS if getattr(params, s)]
    return np.array(features)
