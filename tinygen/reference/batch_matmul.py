"""Reference int8 BATCH_MATMUL (TensorFlow Lite's arithmetic), read through the strides."""

from __future__ import annotations

import numpy as np

from tinygen.lowering.batch_matmul import BatchMatMulParams
from tinygen.reference.fixedpoint import multiply_by_quantized_multiplier, wrap_int32


def _batch_offsets(shape: tuple[int, ...], strides: tuple[int, ...]) -> np.ndarray:
    grids = np.meshgrid(*[np.arange(d) for d in shape], indexing="ij")
    return sum((g * s for g, s in zip(grids, strides, strict=True)), np.zeros(shape, np.int64))


def batch_matmul_s8(p: BatchMatMulParams, lhs: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    i = np.arange(p.rows)[:, None]
    k = np.arange(p.depth)[None, :]
    j = np.arange(p.cols)[None, :]
    lhs_index = i * p.lhs_row_stride + k * p.lhs_depth_stride  # [M, K]
    rhs_index = k.T * p.rhs_depth_stride + j * p.rhs_col_stride  # [K, N]
    lb = _batch_offsets(p.batch_shape, p.lhs_batch_strides).reshape(-1)
    rb = _batch_offsets(p.batch_shape, p.rhs_batch_strides).reshape(-1)
    a = lhs.reshape(-1).astype(np.int64)[lb[:, None, None] + lhs_index] + p.lhs_offset
    b = rhs.reshape(-1).astype(np.int64)[rb[:, None, None] + rhs_index] + p.rhs_offset
    total = wrap_int32(np.matmul(a, b))
    out = multiply_by_quantized_multiplier(total, p.multiplier, p.shift) + p.output_offset
    return np.clip(out, -128, 127).astype(np.int8)
