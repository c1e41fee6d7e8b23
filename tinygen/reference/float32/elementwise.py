"""numpy references of the float32 element-wise and activation kernels and of
L2_NORMALIZATION (runtime_c/include/tg_f32_elementwise.h).

They compute in float64 and round once to float32, following TensorFlow Lite's float
reference kernels' formulas (LOGISTIC's cut-offs included); MAXIMUM, MINIMUM and
SQUARED_DIFFERENCE run ``binary_f32`` of :mod:`tinygen.reference.float32.core`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygen.reference.float32.core import broadcast_view

#: TensorFlow Lite's float LOGISTIC: 1 above this, exp(x) below LOGISTIC_LOWER.
LOGISTIC_UPPER = np.float32(16.619047164916992188)
LOGISTIC_LOWER = np.float32(-9.0)


def _flat64(x: np.ndarray) -> np.ndarray:
    return np.asarray(x).reshape(-1).astype(np.float64)


def relu_f32(p: Any, x: np.ndarray) -> np.ndarray:
    v = _flat64(x)
    result = np.maximum(v, 0.0)
    if p.bounded:
        result = np.minimum(result, np.float64(p.upper))
    return result.astype(np.float32)


def logistic_f32(p: Any, x: np.ndarray) -> np.ndarray:
    v32 = np.asarray(x, np.float32).reshape(-1)
    v = v32.astype(np.float64)
    with np.errstate(over="ignore"):
        middle = 1.0 / (1.0 + np.exp(-v))
        result = np.where(v32 > LOGISTIC_UPPER, 1.0,
                          np.where(v32 < LOGISTIC_LOWER, np.exp(v), middle))
    return result.astype(np.float32)


def tanh_f32(p: Any, x: np.ndarray) -> np.ndarray:
    return np.tanh(_flat64(x)).astype(np.float32)


def hard_swish_f32(p: Any, x: np.ndarray) -> np.ndarray:
    v = _flat64(x)
    return (v * np.minimum(6.0, np.maximum(0.0, v + 3.0)) / 6.0).astype(np.float32)


def leaky_relu_f32(p: Any, x: np.ndarray) -> np.ndarray:
    v = _flat64(x)
    return np.where(v > 0, v, v * np.float64(p.alpha)).astype(np.float32)


def prelu_f32(p: Any, x: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    shape = tuple(p.out_shape)
    v = broadcast_view(x, p.in1_strides, shape).astype(np.float64)
    a = broadcast_view(alpha, p.in2_strides, shape).astype(np.float64)
    return np.where(v >= 0, v, v * a).astype(np.float32)


def l2_normalization_f32(p: Any, x: np.ndarray) -> np.ndarray:
    rows = _flat64(x).reshape(p.outer, p.depth)
    norm = np.sqrt((rows * rows).sum(axis=1, keepdims=True))
    norm = np.maximum(norm, np.float64(p.epsilon))
    return (rows / norm).astype(np.float32)


ELEMENTWISE_KERNELS = {
    "relu_f32": relu_f32,
    "logistic_f32": logistic_f32,
    "tanh_f32": tanh_f32,
    "hard_swish_f32": hard_swish_f32,
    "leaky_relu_f32": leaky_relu_f32,
    "prelu_f32": prelu_f32,
    "l2_normalization_f32": l2_normalization_f32,
}
