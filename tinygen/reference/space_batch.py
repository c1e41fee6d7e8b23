"""Reference SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND (TensorFlow Lite's semantics).

Written the way TensorFlow defines the operators: pad, split each spatial
dimension into (size / block, block), move the block axes in front of the batch;
and the inverse, then crop. Tensors are [N, H, W, C] (a 3-D tensor is [N, H, 1, C]).
"""

from __future__ import annotations

import numpy as np

from tinygen.lowering.space_batch import BatchToSpaceParams, SpaceToBatchParams


def space_to_batch_nd_s8(p: SpaceToBatchParams, x: np.ndarray) -> np.ndarray:
    x = x.reshape(p.in_batches, p.in_h, p.in_w, p.channels)
    padded_h, padded_w = p.out_h * p.block_h, p.out_w * p.block_w
    padded = np.full((p.in_batches, padded_h, padded_w, p.channels), p.pad_value, x.dtype)
    padded[:, p.pad_top : p.pad_top + p.in_h, p.pad_left : p.pad_left + p.in_w] = x
    # (n, oh, shift_h, ow, shift_w, c) -> (shift_h, shift_w, n, oh, ow, c)
    split = padded.reshape(p.in_batches, p.out_h, p.block_h, p.out_w, p.block_w, p.channels)
    phases = split.transpose(2, 4, 0, 1, 3, 5)
    return phases.reshape(p.out_batches, p.out_h, p.out_w, p.channels)


def batch_to_space_nd_s8(p: BatchToSpaceParams, x: np.ndarray) -> np.ndarray:
    phases = x.reshape(p.block_h, p.block_w, p.out_batches, p.in_h, p.in_w, p.channels)
    # (shift_h, shift_w, n, ih, iw, c) -> (n, ih, shift_h, iw, shift_w, c)
    full = phases.transpose(2, 3, 0, 4, 1, 5).reshape(
        p.out_batches, p.in_h * p.block_h, p.in_w * p.block_w, p.channels
    )
    return full[:, p.crop_top : p.crop_top + p.out_h, p.crop_left : p.crop_left + p.out_w].copy()
