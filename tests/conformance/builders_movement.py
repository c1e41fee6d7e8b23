"""Random builders of the data-movement operators of the second round-robin set.

PAD (1-D to 5-D, the converter's limit; any dimension, the batch too), PADV2 (the same, a
constant inside or outside the input's range, never 0, which converts to PAD), MIRROR_PAD
(1-D to 6-D, REFLECT up to size - 1, SYMMETRIC up to size), TRANSPOSE (2-D to 6-D, any
permutation but the identity), SLICE (1-D to 5-D, sizes of -1), STRIDED_SLICE (1-D to 5-D
Python indexing: negative and out-of-range bounds, strides -3..3, omitted bounds, shrunk
axes, an ellipsis, a new axis, which the converter writes as RESHAPE + STRIDED_SLICE),
GATHER (1-D to 5-D, constant int32 or int64 indices of rank 0 to 2, negative axes,
batch_dims), SPACE_TO_DEPTH and DEPTH_TO_SPACE (blocks 2 to 4, batches 1 and 2),
SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND (1 or 2 spatial dims, blocks 1 to 3 with one above 1,
pads that fill each padded extent to a multiple of its block, crops up to all rows but one).

TFLite Micro runs no 6-D TRANSPOSE, no STRIDED_SLICE beyond 4-D and no int64 GATHER
indices; TensorFlow Lite's reference kernels have no int8 DEPTH_TO_SPACE: those cases
are judged against the other interpreter (``Spec.missing``). TFLite Micro pads
SPACE_TO_BATCH_ND with raw 0, not the zero point: ``tinygen.verify`` takes TensorFlow
Lite as the truth there.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from conformance.factory_core import (
    TFLITE,
    TFLM,
    Builder,
    Shape,
    Spec,
    choice,
    nd_shape,
    tf_module,
    value_range,
)


def _axis(rng: np.random.Generator, axis: int, rank: int) -> int:
    """``axis``, spelled negative half the time."""
    return axis - rank if rng.random() < 0.5 else axis


def _paddings(rng: np.random.Generator, shape: Shape, limits: list[int]) -> list[list[int]]:
    """(before, after) per dim, each in 0..limit (0 half the time), not all 0 if possible."""
    pads = [[int(rng.integers(0, lim + 1)) if rng.random() < 0.5 else 0 for _ in range(2)]
            for lim in limits]
    if not any(any(p) for p in pads):
        wide = [d for d, lim in enumerate(limits) if lim > 0]
        if wide:
            d = int(choice(rng, wide))
            pads[d][int(rng.integers(2))] = int(rng.integers(1, limits[d] + 1))
    return pads


def _build_pad(kind: str) -> Builder:
    def build(rng: np.random.Generator) -> Spec:
        tf = tf_module()
        shape = nd_shape(rng, int(rng.integers(1, 6)))
        # the batch dim padded now and then, every other dim by up to 3
        limits = [3 if d or rng.random() < 0.2 else 0 for d in range(len(shape))]
        pads = _paddings(rng, shape, limits)
        in_range = value_range(rng)
        p: dict[str, Any] = {"input": shape, "paddings": pads}
        if kind == "PADV2":
            lo, hi = in_range
            inside = bool(rng.random() < 0.5)
            value = float(rng.uniform(lo, hi)) if inside else float(
                choice(rng, (lo, hi)) + choice(rng, (-1.0, 1.0)) * float(rng.uniform(0.5, 5.0)))
            value = round(value, 3)
            if abs(value) < 1e-3:
                value = 0.5
            p["value"] = value
        p["ranges"] = [in_range]

        def fn(x: Any) -> Any:
            if kind == "PADV2":
                return tf.pad(x, pads, constant_values=p["value"])
            return tf.pad(x, pads)

        return Spec(p, fn, [shape], [in_range])

    return build


def _build_mirror_pad(rng: np.random.Generator) -> Spec:
    tf = tf_module()
    shape = nd_shape(rng, int(rng.integers(1, 7)))
    mode = choice(rng, ("REFLECT", "SYMMETRIC"))
    if mode == "REFLECT" and max(shape) == 1:
        mode = "SYMMETRIC"
    limits = [d - 1 if mode == "REFLECT" else d for d in shape]
    pads = _paddings(rng, shape, limits)
    in_range = value_range(rng)
    p = {"input": shape, "mode": mode, "paddings": pads, "ranges": [in_range]}

    def fn(x: Any) -> Any:
        return tf.pad(x, pads, mode=mode)

    return Spec(p, fn, [shape], [in_range])


def _build_transpose(rng: np.random.Generator) -> Spec:
    tf = tf_module()
    rank = int(rng.integers(2, 7))
    shape = nd_shape(rng, rank)
    perm = list(range(rank))
    while perm == list(range(rank)):
        perm = [int(v) for v in rng.permutation(rank)]
    in_range = value_range(rng)
    p = {"input": shape, "perm": perm, "ranges": [in_range]}

    def fn(x: Any) -> Any:
        return tf.transpose(x, perm)

    return Spec(p, fn, [shape], [in_range], missing=(TFLM,) if rank > 5 else ())


def _build_slice(rng: np.random.Generator) -> Spec:
    tf = tf_module()
    shape = nd_shape(rng, int(rng.integers(1, 6)))
    begin = [int(rng.integers(0, d)) for d in shape]
    size = [int(rng.integers(1, d - b + 1)) if rng.random() < 0.8 else -1
            for d, b in zip(shape, begin, strict=True)]
    in_range = value_range(rng)
    p = {"input": shape, "begin": begin, "size": size, "ranges": [in_range]}

    def fn(x: Any) -> Any:
        return tf.slice(x, begin, size)

    return Spec(p, fn, [shape], [in_range])


def _bound(rng: np.random.Generator, size: int) -> int | None:
    """A slice bound: omitted, inside, negative or beyond the dim."""
    if rng.random() < 0.25:
        return None
    return int(rng.integers(-size - 2, size + 3))


def _slice_item(rng: np.random.Generator, size: int, shrink: bool) -> Any:
    """One dim's index: an integer (shrinks the axis) or a non-empty slice."""
    if shrink:
        return int(rng.integers(-size, size))
    if rng.random() < 0.2:
        return slice(None)
    while True:
        item = slice(_bound(rng, size), _bound(rng, size),
                     choice(rng, (None, 1, 1, 2, 3, -1, -2, -3)))
        if len(range(size)[item]):
            return item


def _describe(item: Any) -> str:
    if item is Ellipsis:
        return "..."
    if item is None:
        return "new"
    if isinstance(item, int):
        return str(item)
    parts = ["" if v is None else str(v) for v in (item.start, item.stop, item.step)]
    return ":".join(parts).rstrip(":") or ":"


def _build_strided_slice(rng: np.random.Generator) -> Spec:
    rank = int(rng.integers(1, 6))
    shape = nd_shape(rng, rank)
    shrinks = {int(d) for d in np.flatnonzero(rng.random(rank) < 0.2)}
    if len(shrinks) == rank:
        shrinks.discard(int(choice(rng, sorted(shrinks))))
    items: list[Any] = [_slice_item(rng, d, d_i in shrinks) for d_i, d in enumerate(shape)]
    if rank > 1 and rng.random() < 0.2:  # an ellipsis standing for a run of whole dims
        start = int(rng.integers(0, rank))
        stop = int(rng.integers(start, rank + 1))
        items[start:stop] = [Ellipsis]
    new_axes = 0
    if rng.random() < 0.15:
        items.insert(int(rng.integers(0, len(items) + 1)), None)
        new_axes = 1
    index = tuple(items)
    in_range = value_range(rng)
    p = {"input": shape, "index": ",".join(_describe(i) for i in items), "ranges": [in_range]}

    def fn(x: Any) -> Any:
        return x[index]

    missing = (TFLM,) if rank + new_axes > 4 else ()
    return Spec(p, fn, [shape], [in_range], missing=missing)


def _build_gather(rng: np.random.Generator) -> Spec:
    tf = tf_module()
    rank = int(rng.integers(1, 6))
    shape = nd_shape(rng, rank)
    axis = int(rng.integers(0, rank))
    batch_dims = int(rng.integers(1, axis + 1)) if axis and rng.random() < 0.3 else 0
    extra = [int(v) for v in rng.integers(1, 5, size=int(rng.integers(0, 3)))]
    indices_shape = shape[:batch_dims] + extra
    indices = rng.integers(0, shape[axis], size=indices_shape)
    wide = bool(rng.random() < 0.25)
    in_range = value_range(rng)
    p = {"input": shape, "axis": _axis(rng, axis, rank), "batch_dims": batch_dims,
         "indices": indices_shape, "int64": wide, "ranges": [in_range]}

    def fn(x: Any) -> Any:
        coords = tf.constant(indices, tf.int64 if wide else tf.int32)
        return tf.gather(x, coords, axis=p["axis"], batch_dims=batch_dims)

    return Spec(p, fn, [shape], [in_range], missing=(TFLM,) if wide else ())


def _build_space_depth(kind: str) -> Builder:
    def build(rng: np.random.Generator) -> Spec:
        tf = tf_module()
        block = int(rng.integers(2, 5))
        batch = int(choice(rng, (1, 1, 2)))
        if kind == "SPACE_TO_DEPTH":
            h, w = (block * int(v) for v in rng.integers(1, 4, size=2))
            shape = [batch, h, w, int(rng.integers(1, 5))]
        else:
            h, w = (int(v) for v in rng.integers(1, 5, size=2))
            shape = [batch, h, w, block * block * int(rng.integers(1, 4))]
        in_range = value_range(rng)
        p = {"input": shape, "block": block, "ranges": [in_range]}
        op = tf.nn.space_to_depth if kind == "SPACE_TO_DEPTH" else tf.nn.depth_to_space

        def fn(x: Any) -> Any:
            return op(x, block)

        # TensorFlow Lite's reference kernels lack int8 DEPTH_TO_SPACE (version 2).
        missing = (TFLITE,) if kind == "DEPTH_TO_SPACE" else ()
        return Spec(p, fn, [shape], [in_range], missing=missing)

    return build


def _build_space_batch(kind: str) -> Builder:
    def build(rng: np.random.Generator) -> Spec:
        tf = tf_module()
        spatial_dims = int(choice(rng, (1, 2, 2)))
        block = [int(v) for v in rng.integers(1, 4, size=spatial_dims)]
        if max(block) == 1:
            block[int(rng.integers(spatial_dims))] = 2
        batch, channels = int(choice(rng, (1, 1, 2))), int(rng.integers(1, 4))
        if kind == "SPACE_TO_BATCH_ND":
            # pads making each padded extent a multiple of its block
            sizes = [int(v) for v in rng.integers(1, 8, size=spatial_dims)]
            amounts = [int(rng.integers(0, 2)) * b + (-d) % b
                       for d, b in zip(sizes, block, strict=True)]
            before = [int(rng.integers(0, a + 1)) for a in amounts]
            edges = [[b, a - b] for b, a in zip(before, amounts, strict=True)]
            shape = [batch, *sizes, channels]
        else:
            sizes = [int(v) for v in rng.integers(1, 5, size=spatial_dims)]
            edges = []
            for d, b in zip(sizes, block, strict=True):
                total = int(rng.integers(0, d * b))  # crop fewer than all rows
                first = int(rng.integers(0, total + 1))
                edges.append([first, total - first])
            shape = [batch * math.prod(block), *sizes, channels]
        in_range = value_range(rng)
        p = {"input": shape, "block": block, "pads" if kind == "SPACE_TO_BATCH_ND" else "crops":
             edges, "ranges": [in_range]}

        def fn(x: Any) -> Any:
            if kind == "SPACE_TO_BATCH_ND":
                return tf.space_to_batch_nd(x, block, edges)
            return tf.batch_to_space(x, block, edges)

        return Spec(p, fn, [shape], [in_range])

    return build


BUILDERS: dict[str, Builder] = {
    "PAD": _build_pad("PAD"),
    "PADV2": _build_pad("PADV2"),
    "MIRROR_PAD": _build_mirror_pad,
    "TRANSPOSE": _build_transpose,
    "SLICE": _build_slice,
    "STRIDED_SLICE": _build_strided_slice,
    "GATHER": _build_gather,
    "SPACE_TO_DEPTH": _build_space_depth("SPACE_TO_DEPTH"),
    "DEPTH_TO_SPACE": _build_space_depth("DEPTH_TO_SPACE"),
    "SPACE_TO_BATCH_ND": _build_space_batch("SPACE_TO_BATCH_ND"),
    "BATCH_TO_SPACE_ND": _build_space_batch("BATCH_TO_SPACE_ND"),
}
