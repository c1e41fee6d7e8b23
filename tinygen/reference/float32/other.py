"""numpy references of the remaining float32 kernels (tg_f32_other.h): the resizes read
the lowering's tables, the products sum in float64 and round once to float32."""

from __future__ import annotations

from typing import Any

import numpy as np


def resize_nearest_f32(p: Any, x: np.ndarray) -> np.ndarray:
    x = x.reshape(p.batches, p.in_h, p.in_w, p.channels)
    return x[:, p.rows.astype(np.int64)][:, :, p.cols.astype(np.int64)].astype(np.float32)


def resize_bilinear_f32(p: Any, x: np.ndarray) -> np.ndarray:
    x = x.reshape(p.batches, p.in_h, p.in_w, p.channels).astype(np.float64)
    total = np.zeros((p.batches, p.out_h, p.out_w, p.channels))
    for a in range(2):
        rows = p.rows[:, a].astype(np.int64)
        wy = p.row_weights[:, a].astype(np.float64)[:, None, None]
        for b in range(2):
            cols = p.cols[:, b].astype(np.int64)
            wx = p.col_weights[:, b].astype(np.float64)[None, :, None]
            total += x[:, rows][:, :, cols] * (wy * wx)
    return total.astype(np.float32)


def batch_matmul_f32(p: Any, lhs: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    lhs_flat = lhs.reshape(-1).astype(np.float64)
    rhs_flat = rhs.reshape(-1).astype(np.float64)
    i = np.arange(p.rows)[:, None]
    j = np.arange(p.cols)[None, :]
    k = np.arange(p.depth)
    lhs_at = i * p.lhs_row_stride  # rows, 1
    rhs_at = j * p.rhs_col_stride  # 1, cols
    out = np.zeros((*p.batch_shape, p.rows, p.cols))
    for b in np.ndindex(*p.batch_shape):
        lb = sum(x * s for x, s in zip(b, p.lhs_batch_strides, strict=True))
        rb = sum(x * s for x, s in zip(b, p.rhs_batch_strides, strict=True))
        a = lhs_flat[lb + lhs_at + k[None, :] * p.lhs_depth_stride]  # rows, depth
        w = rhs_flat[rb + k[:, None] * p.rhs_depth_stride + rhs_at]  # depth, cols
        out[b] = a @ w
    return out.astype(np.float32)


def transpose_conv_f32(p: Any, x: np.ndarray, w: np.ndarray,
                       bias: np.ndarray | None) -> np.ndarray:
    """Input pixel (iy, ix) scattered through tap (ky, kx) onto output pixel
    (iy * stride_h - pad_h + ky, ix * stride_w - pad_w + kx), then the bias and the clamp."""
    image = x.reshape(p.batches, p.in_h, p.in_w, p.in_c).astype(np.float64)
    w64 = w.reshape(p.out_c, p.filter_h, p.filter_w, p.in_c).astype(np.float64)
    full_h = (p.in_h - 1) * p.stride_h + p.filter_h
    full_w = (p.in_w - 1) * p.stride_w + p.filter_w
    big_h = max(full_h, p.pad_h + p.out_h)
    big_w = max(full_w, p.pad_w + p.out_w)
    total = np.zeros((p.batches, big_h, big_w, p.out_c))
    for ky in range(p.filter_h):
        for kx in range(p.filter_w):
            rows = slice(ky, ky + (p.in_h - 1) * p.stride_h + 1, p.stride_h)
            cols = slice(kx, kx + (p.in_w - 1) * p.stride_w + 1, p.stride_w)
            total[:, rows, cols, :] += image @ w64[:, ky, kx, :].T
    out = total[:, p.pad_h:p.pad_h + p.out_h, p.pad_w:p.pad_w + p.out_w, :]
    if bias is not None:
        out = out + bias.astype(np.float64)
    out = np.minimum(np.maximum(out, np.float64(p.act_min)), np.float64(p.act_max))
    return out.astype(np.float32)


OTHER_KERNELS = {
    "transpose_conv_f32": transpose_conv_f32,
    "batch_matmul_f32": batch_matmul_f32,
    "resize_nearest_f32": resize_nearest_f32,
    "resize_bilinear_f32": resize_bilinear_f32,
}
