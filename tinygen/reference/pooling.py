"""Reference int8 average and max pooling (TFLM arithmetic)."""

from __future__ import annotations

import numpy as np

from tinygen.lowering.pooling import PoolParams


def _windows(p: PoolParams, x: np.ndarray, fill: int) -> tuple[np.ndarray, np.ndarray]:
    """Windows (b, oh, ow, fh, fw, c) padded with ``fill``, and their valid mask."""
    x = x.reshape(p.batches, p.in_h, p.in_w, p.channels).astype(np.int64)
    need_h = max((p.out_h - 1) * p.stride_h + p.filter_h, p.pad_h + p.in_h)
    need_w = max((p.out_w - 1) * p.stride_w + p.filter_w, p.pad_w + p.in_w)
    padded = np.full((p.batches, need_h, need_w, p.channels), fill, np.int64)
    valid = np.zeros((need_h, need_w), bool)
    padded[:, p.pad_h : p.pad_h + p.in_h, p.pad_w : p.pad_w + p.in_w] = x
    valid[p.pad_h : p.pad_h + p.in_h, p.pad_w : p.pad_w + p.in_w] = True
    rows = (np.arange(p.out_h) * p.stride_h)[:, None] + np.arange(p.filter_h)
    cols = (np.arange(p.out_w) * p.stride_w)[:, None] + np.arange(p.filter_w)
    win = padded[:, rows][:, :, :, cols].transpose(0, 1, 3, 2, 4, 5)
    mask = valid[rows][:, :, cols].transpose(0, 2, 1, 3)  # oh, ow, fh, fw
    return win, mask


def avg_pool_s8(p: PoolParams, x: np.ndarray) -> np.ndarray:
    win, mask = _windows(p, x, 0)
    total = win.sum(axis=(3, 4))
    count = mask.sum(axis=(2, 3))[None, :, :, None].astype(np.int64)
    half = count // 2
    # C division truncates toward zero; both branches are exact that way.
    pos = (total + half) // count
    neg = -((-(total - half)) // count)
    avg = np.where(total > 0, pos, neg)
    return np.clip(avg, p.act_min, p.act_max).astype(np.int8)


def max_pool_s8(p: PoolParams, x: np.ndarray) -> np.ndarray:
    win, _ = _windows(p, x, -(1 << 40))
    return np.clip(win.max(axis=(3, 4)), p.act_min, p.act_max).astype(np.int8)
