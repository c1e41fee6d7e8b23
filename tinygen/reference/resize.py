"""Reference int8 RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR (TensorFlow Lite's integer
kernels), on the row and column tables lowering computed."""

from __future__ import annotations

import numpy as np

from tinygen.lowering.resize import ONE, ResizeBilinearParams, ResizeNearestParams


def resize_nearest_s8(p: ResizeNearestParams, x: np.ndarray) -> np.ndarray:
    x = x.reshape(p.batches, p.in_h, p.in_w, p.channels)
    return x[:, p.rows.astype(np.int64)][:, :, p.cols.astype(np.int64)].astype(np.int8)


def resize_bilinear_s8(p: ResizeBilinearParams, x: np.ndarray) -> np.ndarray:
    """Each output value: the four neighbours weighted in 1/2**20ths, summed, then divided
    by 2**20 rounding halves away from zero (TFLite's default, double-rounding build)."""
    x = x.reshape(p.batches, p.in_h, p.in_w, p.channels).astype(np.int64)
    y0, y1, fy = (p.rows[:, k].astype(np.int64) for k in range(3))
    x0, x1, fx = (p.cols[:, k].astype(np.int64) for k in range(3))
    wy = [(ONE - fy)[:, None, None], fy[:, None, None]]  # out_h, 1, 1
    wx = [(ONE - fx)[None, :, None], fx[None, :, None]]  # 1, out_w, 1
    total = np.zeros((p.batches, p.out_h, p.out_w, p.channels), np.int64)
    for rows, weight_y in zip((y0, y1), wy, strict=True):
        for cols, weight_x in zip((x0, x1), wx, strict=True):
            total += x[:, rows][:, :, cols] * (weight_y * weight_x)
    half = 1 << 19
    rounded = np.where(total > 0, total + half, total - half)
    out = np.sign(rounded) * (np.abs(rounded) >> 20)  # C's division truncates toward zero
    return out.astype(np.int8)
