"""numpy references of the float32 convolutions, fully connected layers, pooling, softmax
and binary operators (tg_kernels_f32.h).

They sum in float64 and round once to float32, so they are the exact result rounded,
which the C kernels' float32 sums (TensorFlow Lite's order) approach within the
tolerance of :mod:`tinygen.verify.tolerance`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_BINARY = {
    0: np.add,
    1: np.subtract,
    2: np.multiply,
    3: np.maximum,
    4: np.minimum,
    5: lambda a, b: (a - b) * (a - b),
    6: np.divide,
}


#: The binary operators with a fused activation: ADD, SUB, MUL, DIV.
_ACTIVATED = (0, 1, 2, 6)


def _clamp(x: np.ndarray, p: Any) -> np.ndarray:
    return np.minimum(np.maximum(x, np.float64(p.act_min)), np.float64(p.act_max))


def _padded(p: Any, x: np.ndarray, fill: float) -> np.ndarray:
    """The input with enough ``fill`` around it for every tap of every window."""
    reach_h = (p.out_h - 1) * p.stride_h + (p.filter_h - 1) * getattr(p, "dilation_h", 1) + 1
    reach_w = (p.out_w - 1) * p.stride_w + (p.filter_w - 1) * getattr(p, "dilation_w", 1) + 1
    after_h = max(reach_h - p.pad_h - p.in_h, 0)
    after_w = max(reach_w - p.pad_w - p.in_w, 0)
    return np.pad(x, ((0, 0), (p.pad_h, after_h), (p.pad_w, after_w), (0, 0)),
                  constant_values=fill)


def _tap(p: Any, padded: np.ndarray, ky: int, kx: int) -> np.ndarray:
    """The input value each output pixel reads at tap (ky, kx): batches, out_h, out_w, c."""
    y0, x0 = ky * getattr(p, "dilation_h", 1), kx * getattr(p, "dilation_w", 1)
    return padded[:, y0:y0 + (p.out_h - 1) * p.stride_h + 1:p.stride_h,
                  x0:x0 + (p.out_w - 1) * p.stride_w + 1:p.stride_w, :]


def conv2d_f32(p: Any, x: np.ndarray, w: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    padded = _padded(p, x.reshape(p.batches, p.in_h, p.in_w, p.in_c).astype(np.float64), 0.0)
    w64 = w.reshape(p.out_c, p.filter_h, p.filter_w, p.filter_c).astype(np.float64)
    groups = p.in_c // p.filter_c
    per_group = p.out_c // groups
    total = np.zeros((p.batches, p.out_h, p.out_w, p.out_c))
    for ky in range(p.filter_h):
        for kx in range(p.filter_w):
            tap = _tap(p, padded, ky, kx)
            for g in range(groups):
                lanes = slice(g * per_group, (g + 1) * per_group)
                inputs = tap[..., g * p.filter_c:(g + 1) * p.filter_c]
                total[..., lanes] += inputs @ w64[lanes, ky, kx, :].T
    if bias is not None:
        total += bias.astype(np.float64)
    return _clamp(total, p).astype(np.float32)


def depthwise_conv2d_f32(p: Any, x: np.ndarray, w: np.ndarray,
                         bias: np.ndarray | None) -> np.ndarray:
    padded = _padded(p, x.reshape(p.batches, p.in_h, p.in_w, p.in_c).astype(np.float64), 0.0)
    padded = np.repeat(padded, p.depth_multiplier, axis=3)
    w64 = w.reshape(p.filter_h, p.filter_w, p.out_c).astype(np.float64)
    total = np.zeros((p.batches, p.out_h, p.out_w, p.out_c))
    for ky in range(p.filter_h):
        for kx in range(p.filter_w):
            total += _tap(p, padded, ky, kx) * w64[ky, kx]
    if bias is not None:
        total += bias.astype(np.float64)
    return _clamp(total, p).astype(np.float32)


def fully_connected_f32(p: Any, x: np.ndarray, w: np.ndarray,
                        bias: np.ndarray | None) -> np.ndarray:
    rows = x.reshape(p.batches, p.accum_depth).astype(np.float64)
    total = rows @ w.reshape(p.out_depth, p.accum_depth).astype(np.float64).T
    if bias is not None:
        total += bias.astype(np.float64)
    return _clamp(total, p).astype(np.float32)


def _pool(p: Any, x: np.ndarray, average: bool) -> np.ndarray:
    image = x.reshape(p.batches, p.in_h, p.in_w, p.channels).astype(np.float64)
    padded = _padded(p, image, 0.0 if average else -np.inf)
    inside = _padded(p, np.ones((1, p.in_h, p.in_w, 1)), 0.0)
    total = np.zeros((p.batches, p.out_h, p.out_w, p.channels))
    count = np.zeros((1, p.out_h, p.out_w, 1))
    best = np.full_like(total, -np.inf)
    for ky in range(p.filter_h):
        for kx in range(p.filter_w):
            tap = _tap(p, padded, ky, kx)
            total += tap
            best = np.maximum(best, tap)
            count += _tap(p, inside, ky, kx)
    result = total / count if average else best
    return _clamp(result, p).astype(np.float32)


def avg_pool_f32(p: Any, x: np.ndarray) -> np.ndarray:
    return _pool(p, x, True)


def max_pool_f32(p: Any, x: np.ndarray) -> np.ndarray:
    return _pool(p, x, False)


def softmax_f32(p: Any, x: np.ndarray) -> np.ndarray:
    rows = x.reshape(p.rows, p.depth).astype(np.float64)
    e = np.exp((rows - rows.max(axis=1, keepdims=True)) * np.float64(p.beta))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def binary_f32(p: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    shape = tuple(p.out_shape)
    first = broadcast_view(a, p.in1_strides, shape)
    second = broadcast_view(b, p.in2_strides, shape)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        result = _BINARY[p.op](first.astype(np.float64), second.astype(np.float64))
    if p.op in _ACTIVATED:  # MAXIMUM, MINIMUM and SQUARED_DIFFERENCE keep infinities
        result = _clamp(result, p)
    return result.astype(np.float32)


def broadcast_view(x: np.ndarray, strides: tuple[int, ...], shape: tuple[int, ...]) -> np.ndarray:
    """``x`` read with element ``strides`` (0 where it broadcasts) as an array of ``shape``."""
    flat = np.ascontiguousarray(x).reshape(-1)
    item = flat.itemsize
    return np.lib.stride_tricks.as_strided(
        flat, shape=shape, strides=tuple(s * item for s in strides), writeable=False
    )


CORE_KERNELS = {
    "conv2d_f32": conv2d_f32,
    "depthwise_conv2d_f32": depthwise_conv2d_f32,
    "fully_connected_f32": fully_connected_f32,
    "avg_pool_f32": avg_pool_f32,
    "max_pool_f32": max_pool_f32,
    "softmax_f32": softmax_f32,
    "binary_f32": binary_f32,
}
