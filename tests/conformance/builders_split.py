"""Random builders of the operators that join or cut tensors, of the second round-robin set.

CONCATENATION (2 to 4 model inputs of their own ranges, 1-D to 6-D, any axis spelled either
way; sometimes one input twice), PACK (2 to 4 inputs of 0-D to 5-D, axes -(rank + 1)..rank),
SPLIT (1 to 4 equal pieces), SPLIT_V (2 to 4 pieces, one of them -1 at times) and UNPACK,
each of 1-D to 6-D along any axis, every piece a model output.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from conformance.factory_core import Builder, Spec, nd_shape, tf_module, value_range


def _axis(rng: np.random.Generator, axis: int, rank: int) -> int:
    """``axis``, spelled negative half the time."""
    return axis - rank if rng.random() < 0.5 else axis


def _build_concatenation(rng: np.random.Generator) -> Spec:
    tf = tf_module()
    rank = int(rng.integers(1, 7))
    base = nd_shape(rng, rank)
    axis = int(rng.integers(0, rank))
    count = int(rng.integers(2, 5))
    shapes = []
    for _ in range(count):
        shape = list(base)
        shape[axis] = int(rng.integers(1, 5))
        shapes.append(shape)
    # one input twice: the model takes one input less
    repeat = bool(rng.random() < 0.2)
    order = list(range(count))
    if repeat:
        order[-1] = 0
        shapes[-1] = shapes[0]
    inputs = shapes[:-1] if repeat else shapes
    ranges = [value_range(rng) for _ in inputs]
    spelled = _axis(rng, axis, rank)
    p = {"shapes": shapes, "axis": spelled, "repeat": repeat, "ranges": ranges}

    def fn(*xs: Any) -> Any:
        return tf.concat([xs[k] for k in order], axis=spelled)

    return Spec(p, fn, inputs, ranges)


def _build_pack(rng: np.random.Generator) -> Spec:
    tf = tf_module()
    rank = int(rng.integers(0, 6))
    shape = nd_shape(rng, rank)
    count = int(rng.integers(2, 5))
    axis = _axis(rng, int(rng.integers(0, rank + 1)), rank + 1)
    ranges = [value_range(rng) for _ in range(count)]
    p = {"input": shape, "count": count, "axis": axis, "ranges": ranges}

    def fn(*xs: Any) -> Any:
        return tf.stack(list(xs), axis=axis)

    return Spec(p, fn, [shape] * count, ranges)


def _build_split(kind: str) -> Builder:
    def build(rng: np.random.Generator) -> Spec:
        tf = tf_module()
        rank = int(rng.integers(1, 7))
        shape = nd_shape(rng, rank)
        axis = int(rng.integers(0, rank))
        if kind == "SPLIT":
            pieces: Any = int(rng.integers(1, 5))
            shape[axis] = pieces * int(rng.integers(1, 4))
        elif kind == "SPLIT_V":
            sizes = [int(v) for v in rng.integers(1, 4, size=int(rng.integers(2, 5)))]
            shape[axis] = sum(sizes)
            if rng.random() < 0.3:
                sizes[int(rng.integers(len(sizes)))] = -1
            pieces = sizes
        else:
            shape[axis] = int(rng.integers(1, 5))
        spelled = _axis(rng, axis, rank)
        in_range = value_range(rng)
        p: dict[str, Any] = {"input": shape, "axis": spelled}
        if kind != "UNPACK":
            p["pieces"] = pieces
        p["ranges"] = [in_range]

        def fn(x: Any) -> Any:
            if kind == "UNPACK":
                return tf.unstack(x, axis=spelled)
            return tf.split(x, pieces, axis=spelled)

        return Spec(p, fn, [shape], [in_range])

    return build


BUILDERS: dict[str, Builder] = {
    "CONCATENATION": _build_concatenation,
    "PACK": _build_pack,
    "SPLIT": _build_split("SPLIT"),
    "SPLIT_V": _build_split("SPLIT_V"),
    "UNPACK": _build_split("UNPACK"),
}
