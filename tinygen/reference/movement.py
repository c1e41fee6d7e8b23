"""Reference int8 data movement: strided views (TRANSPOSE, SLICE, STRIDED_SLICE,
SPACE_TO_DEPTH, DEPTH_TO_SPACE), splits (SPLIT, SPLIT_V, UNPACK), PACK, GATHER, MIRROR_PAD.

Written with numpy's own indexing, not the kernels' loops: a view is numpy's strided view
of the flat input, a split is ``np.split``, a pack ``np.stack``, a gather ``np.take`` along
the axis, a mirror pad ``np.pad`` in its "reflect" or "symmetric" mode.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from tinygen.lowering.concatenation import ConcatenationParams
from tinygen.lowering.gather import GatherParams
from tinygen.lowering.mirror_pad import MirrorPadParams
from tinygen.lowering.movement import StridedCopyParams
from tinygen.lowering.movement_split import SplitParams


def strided_copy_s8(p: StridedCopyParams, x: np.ndarray) -> np.ndarray:
    flat = np.ascontiguousarray(x).reshape(-1)
    steps = [(n - 1) * s for n, s in zip(p.out_shape, p.in_strides, strict=True)]
    if p.start + sum(min(s, 0) for s in steps) < 0 or (
            p.start + sum(max(s, 0) for s in steps) >= flat.size):
        raise ValueError("the view reaches outside the input")
    base = flat[p.start:]  # a view whose first element is output element 0
    item = flat.itemsize
    view = as_strided(base, shape=p.out_shape, strides=[s * item for s in p.in_strides],
                      writeable=False)
    return view.copy().astype(np.int8)


def split_s8(p: SplitParams, x: np.ndarray) -> tuple[np.ndarray, ...]:
    inner_of_axis = int(np.prod(x.shape[p.axis + 1:], dtype=np.int64))
    sizes = [int(n) // inner_of_axis for n in p.inner]
    return tuple(np.split(x, np.cumsum(sizes)[:-1], axis=p.axis))


def pack_s8(p: ConcatenationParams, *inputs: np.ndarray) -> np.ndarray:
    return np.stack(inputs, axis=p.axis).astype(np.int8)


def gather_s8(p: GatherParams, x: np.ndarray, indices: np.ndarray | None) -> np.ndarray:
    coords = (p.indices if indices is None else np.asarray(indices)).reshape(
        p.batch_size, p.coord_size).astype(np.int64)
    table = x.reshape(p.batch_size, p.outer_size, p.axis_size, p.inner_size)
    inside = (coords >= 0) & (coords < p.axis_size)
    out = np.full((p.batch_size, p.outer_size, p.coord_size, p.inner_size), p.fill, np.int8)
    for b in range(p.batch_size):
        picked = np.take(table[b], np.where(inside[b], coords[b], 0), axis=1)
        out[b] = np.where(inside[b][None, :, None], picked, out[b])
    return out


def mirror_pad_s8(p: MirrorPadParams, x: np.ndarray) -> np.ndarray:
    widths = [(b, o - i - b) for b, i, o in zip(p.before, p.in_shape, p.out_shape, strict=True)]
    mode = "reflect" if p.offset == 1 else "symmetric"
    return np.pad(x.reshape(p.in_shape), widths, mode=mode).astype(np.int8)
