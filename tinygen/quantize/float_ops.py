"""float32 numpy kernels of the operators the quantization pass handles, for calibration.

Each kernel takes the operator's attributes and its input arrays with a leading batch of
``B`` samples (the model's batch of 1 widened) and returns the output with the same
leading batch. Window geometry (SAME / VALID, strides, dilation) is TensorFlow Lite's,
from :mod:`tinygen.geometry`; SAME average pooling divides by the number of input
elements under the window, as TensorFlow Lite does.
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


def mean(a: Attrs, x: np.ndarray, axes: np.ndarray) -> np.ndarray:
    """Mean over ``axes`` of each sample (the batch axis, of size 1 per sample, is kept)."""
    rank = x.ndim
    picked = sorted({int(d) + rank if int(d) < 0 else int(d) for d in axes.reshape(-1)} - {0})
    return x.mean(axis=tuple(picked), keepdims=True).astype(np.float32)


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
}
