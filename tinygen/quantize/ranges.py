"""From a calibrated range to int8 parameters, and the three ways of choosing the range.

Parameters follow TensorFlow Lite's post-training quantizer (the MLIR quantizer with its
default "legacy float scale", which keeps the numbers bit-compatible with the older TOCO
quantizer): the range is widened to include 0, a range narrower than 1e-6 is widened to
1e-6 around 0, the scale is ``(float32(max) - float32(min)) / 255`` computed in float32,
and the zero point is ``-128 - min / scale`` rounded half away from zero and kept in
[-128, 127], so that 0.0 is exactly representable. One deviation: a tensor whose range is
narrower than 1e-6 (a dead activation, 0 on every sample) gets the range [0, 1e-3]
instead, because the 1e-6 range gives later layers requantization multipliers that
TFLite Micro refuses.

Range choices (``choose_range``):

* ``minmax``: the smallest and largest value seen, as TensorFlow's calibrator records them;
* ``percentile``: both ends clipped at the ``p``-th percentile of ``|value|``;
* ``mse``: the range, a shrinking of the min/max range at each end, whose quantization
  (with exactly the nudged parameters above) has the least mean squared error on the
  calibration values.
"""

from __future__ import annotations

import numpy as np

from tinygen.errors import TinygenError
from tinygen.ir import Quantization
from tinygen.quantize.calibrate import TensorStats
from tinygen.reference.fixedpoint import round_half_away

QMIN, QMAX = -128, 127
NEAR_ZERO = 1e-6
DEAD_RANGE = 1e-3
METHODS = ("minmax", "percentile", "mse")

_COARSE = np.linspace(0.05, 1.0, 39)
_MSE_VALUES = 1 << 15  # values the MSE search evaluates (an even spread of the subsample)
_FINE = np.linspace(0.7, 1.0, 31)


def affine_params(low: float, high: float) -> tuple[float, int]:
    """(scale, zero point) of an asymmetric int8 tensor holding [low, high]."""
    low, high = min(float(low), 0.0), max(float(high), 0.0)
    if high - low <= NEAR_ZERO:
        low, high = (0.0, DEAD_RANGE) if high >= -low else (-DEAD_RANGE, 0.0)
    scale = np.float32(np.float32(high) - np.float32(low)) / np.float32(QMAX - QMIN)
    zero_from_min = float(np.float32(QMIN - low / float(scale)))
    zero = min(max(round_half_away(zero_from_min), QMIN), QMAX)
    return float(scale), int(zero)


def quantization(low: float, high: float) -> Quantization:
    scale, zero = affine_params(low, high)
    return Quantization(np.array([scale], np.float32), np.array([zero], np.int64))


def round_away(x: np.ndarray) -> np.ndarray:
    """Round half away from zero, elementwise (TensorFlow Lite's ``TfLiteRound``)."""
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def quantize_values(values: np.ndarray, scale: float, zero: int) -> np.ndarray:
    """``values`` as int8 with (scale, zero), rounded half away from zero and saturated."""
    return np.clip(round_away(values / np.float32(scale)) + zero, QMIN, QMAX).astype(np.int8)


def fake_quantize(values: np.ndarray, scale: float, zero: int) -> np.ndarray:
    """``values`` quantized to int8 with (scale, zero) and back to float."""
    q = quantize_values(values, scale, zero).astype(np.float32)
    return ((q - zero) * np.float32(scale)).astype(np.float32)


def _mse(values: np.ndarray, low: float, high: float) -> float:
    scale, zero = affine_params(low, high)
    return float(np.mean((fake_quantize(values, scale, zero) - values) ** 2))


def _mse_range(values: np.ndarray, low: float, high: float) -> tuple[float, float]:
    """Coarse search of one shrink factor for both ends, then each end on its own."""
    if values.size == 0 or high - low <= NEAR_ZERO:
        return low, high
    if values.size > _MSE_VALUES:
        values = values[:: -(-values.size // _MSE_VALUES)]
    best = min(_COARSE, key=lambda f: _mse(values, f * low, f * high))
    low, high = best * low, best * high
    for _ in range(2):
        low = min((f * low for f in _FINE), key=lambda lo: _mse(values, lo, high))
        high = min((f * high for f in _FINE), key=lambda hi: _mse(values, low, hi))
    return float(low), float(high)


def choose_range(stats: TensorStats, method: str, percentile: float) -> tuple[float, float]:
    """The range to quantize a tensor with, always holding 0."""
    low, high = min(stats.minimum, 0.0), max(stats.maximum, 0.0)
    if method == "minmax":
        return low, high
    if method == "percentile":
        values = stats.values
        if values.size == 0:
            return low, high
        limit = float(np.percentile(np.abs(values), percentile))
        return max(low, -limit), min(high, limit)
    if method == "mse":
        return _mse_range(stats.values, low, high)
    raise TinygenError(f"unknown range choice '{method}'; choose one of {', '.join(METHODS)}")
