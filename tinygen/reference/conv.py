"""Reference int8 convolution and depthwise convolution (TFLM arithmetic)."""

from __future__ import annotations

import numpy as np

from tinygen.lowering.conv import ConvParams
from tinygen.reference.fixedpoint import multiply_by_quantized_multiplier, wrap_int32


def _patches(p: ConvParams, x: np.ndarray) -> np.ndarray:
    """(batches, out_h, out_w, filter_h, filter_w, in_c) of offset inputs, 0 where padded."""
    x = x.reshape(p.batches, p.in_h, p.in_w, p.in_c).astype(np.int64) + p.input_offset
    eff_h = (p.filter_h - 1) * p.dilation_h + 1
    eff_w = (p.filter_w - 1) * p.dilation_w + 1
    need_h = (p.out_h - 1) * p.stride_h + eff_h
    need_w = (p.out_w - 1) * p.stride_w + eff_w
    padded = np.zeros(
        (p.batches, max(need_h, p.pad_h + p.in_h), max(need_w, p.pad_w + p.in_w), p.in_c),
        np.int64,
    )
    padded[:, p.pad_h : p.pad_h + p.in_h, p.pad_w : p.pad_w + p.in_w, :] = x
    rows = (np.arange(p.out_h) * p.stride_h)[:, None] + np.arange(p.filter_h) * p.dilation_h
    cols = (np.arange(p.out_w) * p.stride_w)[:, None] + np.arange(p.filter_w) * p.dilation_w
    # -> (b, out_h, filter_h, out_w, filter_w, c) then reorder
    gathered = padded[:, rows][:, :, :, cols]
    return gathered.transpose(0, 1, 3, 2, 4, 5)


def _requantize(p: ConvParams, acc: np.ndarray) -> np.ndarray:
    acc = wrap_int32(acc)
    out = multiply_by_quantized_multiplier(acc, p.multiplier.astype(np.int64), p.shift)
    out = out + p.output_offset
    return np.clip(out, p.act_min, p.act_max).astype(np.int8)


def conv2d_s8(p: ConvParams, x: np.ndarray, w: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    patches = _patches(p, x)  # b, oh, ow, kh, kw, c
    groups = p.in_c // p.filter_c
    per_group = p.out_c // groups
    w = w.astype(np.int64).reshape(p.out_c, p.filter_h, p.filter_w, p.filter_c)
    acc = np.zeros((p.batches, p.out_h, p.out_w, p.out_c), np.int64)
    for g in range(groups):
        cols = patches[..., g * p.filter_c : (g + 1) * p.filter_c]
        cols = cols.reshape(p.batches, p.out_h, p.out_w, -1)
        wg = w[g * per_group : (g + 1) * per_group].reshape(per_group, -1)
        acc[..., g * per_group : (g + 1) * per_group] = cols @ wg.T
    if bias is not None:
        acc += bias.astype(np.int64)
    return _requantize(p, acc)


def depthwise_conv2d_s8(
    p: ConvParams, x: np.ndarray, w: np.ndarray, bias: np.ndarray | None
) -> np.ndarray:
    patches = _patches(p, x)  # b, oh, ow, kh, kw, in_c
    patches = np.repeat(patches, p.depth_multiplier, axis=-1)  # channel ic*m + j
    w = w.astype(np.int64).reshape(p.filter_h, p.filter_w, p.out_c)
    acc = np.einsum("bhwijc,ijc->bhwc", patches, w)
    if bias is not None:
        acc += bias.astype(np.int64)
    return _requantize(p, acc)
