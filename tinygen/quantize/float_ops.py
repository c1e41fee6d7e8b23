"""float32 numpy kernels of the operators the quantization pass handles, for calibration.

Each kernel takes the operator's attributes and its input arrays with a leading batch of
``B`` samples (the model's batch of 1 widened) and returns the output with the same
leading batch (the runner gives the broadcasting ones their inputs with the output's
rank). The data-movement operators are index maps (:mod:`float_movement`). Window
geometry (SAME / VALID, strides, dilation) is TensorFlow Lite's, from
:mod:`tinygen.geometry`; SAME average pooling divides by the number of input elements
under the window, as TensorFlow Lite does. RESIZE_BILINEAR interpolates as TensorFlow
Lite's float kernel does. TRANSPOSE_CONV scatters as TensorFlow Lite's reference kernel;
ARG_MAX and ARG_MIN give their indices as float32 (the runner's arrays; the pass leaves
their int32 / int64 outputs unquantized).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tinygen.errors import TinygenError
from tinygen.geometry import effective_size, output_size, padding_before

Attrs = dict[str, Any]

#: Fused activations the pass understands, as clamps (None: unbounded).
ACTIVATION_CLAMPS: dict[str, tuple[float | None, float | None]] = {
    "NONE": (None, None),
    "RELU": (0.0, None),
    "RELU6": (0.0, 6.0),
    "RELU_N1_TO_1": (-1.0, 1.0),
}


def activate(x: np.ndarray, activation: str) -> np.ndarray:
    low, high = ACTIVATION_CLAMPS[activation]
    if low is None and high is None:
        return x
    return np.clip(x, low, high)


def _windows(
    x: np.ndarray, a: Attrs, filt: tuple[int, int], fill: float
) -> tuple[np.ndarray, tuple[int, int]]:
    """(B, out_h, out_w, filter_h, filter_w, C) windows of ``x``, padded with ``fill``."""
    _, in_h, in_w, _ = x.shape
    dh, dw = a.get("dilation_h", 1), a.get("dilation_w", 1)
    sh, sw = a["stride_h"], a["stride_w"]
    out_h = output_size(a["padding"], in_h, filt[0], sh, dh)
    out_w = output_size(a["padding"], in_w, filt[1], sw, dw)
    pad_h = padding_before(sh, dh, in_h, filt[0], out_h)
    pad_w = padding_before(sw, dw, in_w, filt[1], out_w)
    need_h = max((out_h - 1) * sh + effective_size(filt[0], dh), pad_h + in_h)
    need_w = max((out_w - 1) * sw + effective_size(filt[1], dw), pad_w + in_w)
    padded = np.full((x.shape[0], need_h, need_w, x.shape[3]), fill, x.dtype)
    padded[:, pad_h : pad_h + in_h, pad_w : pad_w + in_w] = x
    rows = (np.arange(out_h) * sh)[:, None] + np.arange(filt[0]) * dh
    cols = (np.arange(out_w) * sw)[:, None] + np.arange(filt[1]) * dw
    win = padded[:, rows][:, :, :, cols]  # B, oh, fh, ow, fw, C
    return win.transpose(0, 1, 3, 2, 4, 5), (out_h, out_w)


def conv2d(a: Attrs, x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    out_c, fh, fw, filter_c = w.shape
    win, (oh, ow) = _windows(x, a, (fh, fw), 0.0)
    groups = x.shape[3] // filter_c
    per_group = out_c // groups
    out = np.empty((x.shape[0], oh, ow, out_c), np.float32)
    for g in range(groups):
        cols = win[..., g * filter_c : (g + 1) * filter_c].reshape(x.shape[0], oh, ow, -1)
        wg = w[g * per_group : (g + 1) * per_group].reshape(per_group, -1)
        out[..., g * per_group : (g + 1) * per_group] = cols @ wg.T
    if b is not None:
        out += b
    return activate(out, a["activation"])


def depthwise_conv2d(a: Attrs, x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    _, fh, fw, out_c = w.shape
    win, _ = _windows(x, a, (fh, fw), 0.0)
    multiplier = out_c // x.shape[3]
    if multiplier > 1:
        win = np.repeat(win, multiplier, axis=-1)  # output channel c * m + j reads channel c
    out = np.einsum("bhwijc,ijc->bhwc", win, w.reshape(fh, fw, out_c)).astype(np.float32)
    if b is not None:
        out += b
    return activate(out, a["activation"])


def fully_connected(a: Attrs, x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    out = x.reshape(-1, w.shape[1]) @ w.T
    if b is not None:
        out = out + b
    return activate(out.astype(np.float32), a["activation"])


def average_pool(a: Attrs, x: np.ndarray) -> np.ndarray:
    filt = (a["filter_h"], a["filter_w"])
    win, _ = _windows(x, a, filt, 0.0)
    ones, _ = _windows(np.ones((1, *x.shape[1:3], 1), np.float32), a, filt, 0.0)
    count = ones.sum(axis=(3, 4))
    return activate((win.sum(axis=(3, 4)) / count).astype(np.float32), a["activation"])


def max_pool(a: Attrs, x: np.ndarray) -> np.ndarray:
    win, _ = _windows(x, a, (a["filter_h"], a["filter_w"]), -np.inf)
    return activate(win.max(axis=(3, 4)), a["activation"])


def softmax(a: Attrs, x: np.ndarray) -> np.ndarray:
    z = (x - x.max(axis=-1, keepdims=True)) * np.float32(a.get("beta", 1.0))
    e = np.exp(z)
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)


def add(a: Attrs, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return activate((x + y).astype(np.float32), a["activation"])


def sub(a: Attrs, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return activate((x - y).astype(np.float32), a.get("activation", "NONE"))


def mul(a: Attrs, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return activate((x * y).astype(np.float32), a.get("activation", "NONE"))


def maximum(_: Attrs, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.maximum(x, y).astype(np.float32)


def minimum(_: Attrs, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.minimum(x, y).astype(np.float32)


def logistic(_: Attrs, x: np.ndarray) -> np.ndarray:
    return (0.5 + 0.5 * np.tanh(0.5 * x.astype(np.float64))).astype(np.float32)  # no overflow


def tanh(_: Attrs, x: np.ndarray) -> np.ndarray:
    return np.tanh(x).astype(np.float32)


def hard_swish(_: Attrs, x: np.ndarray) -> np.ndarray:
    return (x * np.clip(x + 3.0, 0.0, 6.0) / 6.0).astype(np.float32)


def _interpolation(in_size: int, out_size: int, a: Attrs) -> tuple[np.ndarray, ...]:
    """Lower and upper input index and the upper one's weight of each output index, as
    TensorFlow Lite's float kernel computes them (float32)."""
    f32 = np.float32
    align, half = bool(a.get("align_corners", False)), bool(a.get("half_pixel_centers", False))
    if align and out_size > 1:
        scale = f32(in_size - 1) / f32(out_size - 1)
    else:
        scale = f32(in_size) / f32(out_size)
    at = np.arange(out_size).astype(np.float32)
    at = (at + f32(0.5)) * scale - f32(0.5) if half else at * scale
    lower = np.maximum(np.floor(at), 0).astype(np.int64)
    upper = np.minimum(np.ceil(at).astype(np.int64), in_size - 1)
    return lower, upper, (at - lower).astype(np.float32)


def resize_bilinear(a: Attrs, x: np.ndarray, size: np.ndarray) -> np.ndarray:
    out_h, out_w = (int(v) for v in np.asarray(size).reshape(-1))
    y0, y1, fy = _interpolation(x.shape[1], out_h, a)
    x0, x1, fx = _interpolation(x.shape[2], out_w, a)
    fy, fx = fy[None, :, None, None], fx[None, None, :, None]
    top = x[:, y0][:, :, x0] * (1 - fx) + x[:, y0][:, :, x1] * fx
    bottom = x[:, y1][:, :, x0] * (1 - fx) + x[:, y1][:, :, x1] * fx
    return (top * (1 - fy) + bottom * fy).astype(np.float32)


def _reduced_axes(x: np.ndarray, axes: np.ndarray, samples: bool) -> tuple[int, ...]:
    """The axes to reduce; with ``samples`` (stacked along axis 0, where the model's batch
    of 1 is) axis 0 is each sample's own and reduces to itself."""
    rank = x.ndim
    picked = {int(d) + rank if int(d) < 0 else int(d) for d in axes.reshape(-1)}
    return tuple(sorted(picked - {0} if samples else picked))


def mean(_: Attrs, x: np.ndarray, axes: np.ndarray, samples: bool = True) -> np.ndarray:
    """Mean over ``axes`` of each sample (the runner gives the output its shape)."""
    return x.mean(axis=_reduced_axes(x, axes, samples), keepdims=True).astype(np.float32)


def sum_(_: Attrs, x: np.ndarray, axes: np.ndarray, samples: bool = True) -> np.ndarray:
    return x.sum(axis=_reduced_axes(x, axes, samples), keepdims=True).astype(np.float32)


def reduce_max(_: Attrs, x: np.ndarray, axes: np.ndarray, samples: bool = True) -> np.ndarray:
    return x.max(axis=_reduced_axes(x, axes, samples), keepdims=True).astype(np.float32)


def reduce_min(_: Attrs, x: np.ndarray, axes: np.ndarray, samples: bool = True) -> np.ndarray:
    return x.min(axis=_reduced_axes(x, axes, samples), keepdims=True).astype(np.float32)


def leaky_relu(a: Attrs, x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, x, x * np.float32(a.get("alpha", 0.0))).astype(np.float32)


def squared_difference(_: Attrs, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.square(x - y).astype(np.float32)


def l2_normalization(_: Attrs, x: np.ndarray) -> np.ndarray:
    """``x`` over the L2 norm of its last axis, the norm at least 1e-6 (TensorFlow Lite)."""
    norm = np.sqrt(np.sum(np.square(x.astype(np.float64)), axis=-1, keepdims=True))
    return (x / np.maximum(norm, 1e-6)).astype(np.float32)


def relu(_: Attrs, x: np.ndarray) -> np.ndarray:
    return activate(x, "RELU")


def relu6(_: Attrs, x: np.ndarray) -> np.ndarray:
    return activate(x, "RELU6")


def pad(_: Attrs, x: np.ndarray, paddings: np.ndarray) -> np.ndarray:
    """Zero padding of each sample (samples stack along the batch axis, never padded)."""
    widths = np.asarray(paddings, dtype=np.int64).reshape(-1, 2)
    if widths[0].any():
        raise TinygenError("PAD of the batch dimension cannot be calibrated sample by sample")
    return np.pad(x, [tuple(w) for w in widths]).astype(np.float32)


def pad_v2(_: Attrs, x: np.ndarray, paddings: np.ndarray,
           value: np.ndarray | None) -> np.ndarray:
    """Padding with PADV2's constant (0.0 without one), of each sample as PAD's."""
    widths = np.asarray(paddings, dtype=np.int64).reshape(-1, 2)
    if widths[0].any():
        raise TinygenError("PADV2 of the batch dimension cannot be calibrated sample by sample")
    fill = 0.0 if value is None else float(np.asarray(value, np.float32).reshape(-1)[0])
    return np.pad(x, [tuple(w) for w in widths], constant_values=fill).astype(np.float32)


def prelu(_: Attrs, x: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """``x`` where it is at least 0, ``alpha · x`` elsewhere (``alpha`` broadcasts)."""
    return np.where(x >= 0, x, x * alpha).astype(np.float32)


def transpose_conv(a: Attrs, shape: np.ndarray, w: np.ndarray, x: np.ndarray,
                   b: np.ndarray | None) -> np.ndarray:
    """Input pixel (iy, ix) scatters ``x · w[oc, ky, kx, :]`` onto output pixel
    (iy · stride_h - pad_h + ky, ix · stride_w - pad_w + kx), the padding TensorFlow Lite
    takes from the output's size as if it were a convolution's input."""
    out_c, fh, fw, _ = w.shape
    count, in_h, in_w, _ = x.shape
    out_h, out_w = (int(v) for v in np.asarray(shape).reshape(-1)[1:3])
    sh, sw = a["stride_h"], a["stride_w"]
    pad_h = padding_before(sh, 1, out_h, fh, output_size(a["padding"], out_h, fh, sh, 1))
    pad_w = padding_before(sw, 1, out_w, fw, output_size(a["padding"], out_w, fw, sw, 1))
    full_h = max((in_h - 1) * sh + fh, pad_h + out_h)
    full_w = max((in_w - 1) * sw + fw, pad_w + out_w)
    full = np.zeros((count, full_h, full_w, out_c), np.float32)
    taps = np.einsum("bhwi,oyxi->bhwyxo", x, w).astype(np.float32)
    for ky in range(fh):
        for kx in range(fw):
            full[:, ky : ky + (in_h - 1) * sh + 1 : sh, kx : kx + (in_w - 1) * sw + 1 : sw] += (
                taps[:, :, :, ky, kx]
            )
    out = full[:, pad_h : pad_h + out_h, pad_w : pad_w + out_w]
    if b is not None:
        out = out + b
    return activate(out.astype(np.float32), a.get("activation", "NONE"))


def batch_matmul(a: Attrs, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x @ y`` over broadcast batch dimensions, either side transposed (adj_x, adj_y)."""
    if a.get("adj_x", False):
        x = np.swapaxes(x, -1, -2)
    if a.get("adj_y", False):
        y = np.swapaxes(y, -1, -2)
    return np.matmul(x, y).astype(np.float32)


def _arg(pick: Callable[..., np.ndarray], x: np.ndarray, axis: np.ndarray,
         samples: bool) -> np.ndarray:
    d = int(np.asarray(axis).reshape(-1)[0])
    d = d + x.ndim if d < 0 else d
    if samples and d == 0:  # each sample's own batch of 1: index 0
        return np.zeros((x.shape[0], *x.shape[2:]), np.float32)
    return pick(x, axis=d).astype(np.float32)


def arg_max(_: Attrs, x: np.ndarray, axis: np.ndarray, samples: bool = True) -> np.ndarray:
    """The first index of the largest value along ``axis`` (as float32, for the runner)."""
    return _arg(np.argmax, x, axis, samples)


def arg_min(_: Attrs, x: np.ndarray, axis: np.ndarray, samples: bool = True) -> np.ndarray:
    return _arg(np.argmin, x, axis, samples)


def reshape(_: Attrs, x: np.ndarray) -> np.ndarray:
    return x  # the runner gives every output its per-sample shape


#: Operator kind → kernel and how many leading inputs it reads.
KERNELS: dict[str, tuple[Callable[..., np.ndarray], int]] = {
    "CONV_2D": (conv2d, 3),
    "DEPTHWISE_CONV_2D": (depthwise_conv2d, 3),
    "FULLY_CONNECTED": (fully_connected, 3),
    "AVERAGE_POOL_2D": (average_pool, 1),
    "MAX_POOL_2D": (max_pool, 1),
    "SOFTMAX": (softmax, 1),
    "ADD": (add, 2),
    "MEAN": (mean, 2),
    "RELU": (relu, 1),
    "RELU6": (relu6, 1),
    "RESHAPE": (reshape, 1),
    "SQUEEZE": (reshape, 1),
    "EXPAND_DIMS": (reshape, 1),
    "PAD": (pad, 2),
    "SUB": (sub, 2),
    "MUL": (mul, 2),
    "MAXIMUM": (maximum, 2),
    "MINIMUM": (minimum, 2),
    "LOGISTIC": (logistic, 1),
    "TANH": (tanh, 1),
    "HARD_SWISH": (hard_swish, 1),
    "RESIZE_BILINEAR": (resize_bilinear, 2),
    "SUM": (sum_, 2),
    "REDUCE_MAX": (reduce_max, 2),
    "REDUCE_MIN": (reduce_min, 2),
    "LEAKY_RELU": (leaky_relu, 1),
    "SQUARED_DIFFERENCE": (squared_difference, 2),
    "L2_NORMALIZATION": (l2_normalization, 1),
    "PADV2": (pad_v2, 3),
    "PRELU": (prelu, 2),
    "TRANSPOSE_CONV": (transpose_conv, 4),
    "BATCH_MATMUL": (batch_matmul, 2),
    "ARG_MAX": (arg_max, 2),
    "ARG_MIN": (arg_min, 2),
}
#: Kernels that broadcast their inputs against each other (numpy's rules, TFLite's too).
BROADCASTING = frozenset({"ADD", "SUB", "MUL", "MAXIMUM", "MINIMUM", "SQUARED_DIFFERENCE",
                          "PRELU", "BATCH_MATMUL"})
#: Kernels that reduce axes: told whether axis 0 stacks the samples (``samples``).
REDUCING = frozenset({"MEAN", "SUM", "REDUCE_MAX", "REDUCE_MIN", "ARG_MAX", "ARG_MIN"})
