"""Random builders of the reductions of the second round-robin set.

SUM, MEAN, REDUCE_MAX and REDUCE_MIN over 1-D to 6-D tensors: one axis to all of them (or
``axis=None``), spelled negative at times, now and then one axis twice, keep_dims or not.
ARG_MAX and ARG_MIN: 1-D to 6-D, any axis either way, int32 or int64 indices (TFLite Micro
computes no int64 indices: judged against TensorFlow Lite). L2_NORMALIZATION: the last
axis of 1-D to 4-D tensors (TensorFlow Lite's limit).

TensorFlow Lite's reference SUM reads int8 as uint8; ``tinygen.verify`` then takes TFLite
Micro as the truth for the whole model (``truth.TFLITE_WRONG``), nothing to do here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from conformance.factory_core import TFLM, Builder, Spec, nd_shape, tf_module, value_range


def _axes(rng: np.random.Generator, rank: int) -> list[int] | None:
    """A non-empty set of axes in random order and spelling, one maybe twice; or None."""
    if rng.random() < 0.1:
        return None
    count = int(rng.integers(1, rank + 1))
    axes = [int(a) for a in rng.permutation(rank)[:count]]
    axes = [a - rank if rng.random() < 0.4 else a for a in axes]
    if rng.random() < 0.15:
        a = axes[int(rng.integers(len(axes)))]
        axes.append(a - rank if a >= 0 else a + rank)
    return axes


def _build_reduce(kind: str) -> Builder:
    def build(rng: np.random.Generator) -> Spec:
        tf = tf_module()
        rank = int(rng.integers(1, 7))
        shape = nd_shape(rng, rank)
        axes = _axes(rng, rank)
        keep = bool(rng.random() < 0.5)
        in_range = value_range(rng)
        p = {"input": shape, "axes": "all" if axes is None else axes, "keep_dims": keep,
             "ranges": [in_range]}
        op = {"SUM": tf.reduce_sum, "MEAN": tf.reduce_mean, "REDUCE_MAX": tf.reduce_max,
              "REDUCE_MIN": tf.reduce_min}[kind]

        def fn(x: Any) -> Any:
            return op(x, axis=axes, keepdims=keep)

        return Spec(p, fn, [shape], [in_range])

    return build


def _build_arg(kind: str) -> Builder:
    def build(rng: np.random.Generator) -> Spec:
        tf = tf_module()
        rank = int(rng.integers(1, 7))
        shape = nd_shape(rng, rank)
        axis = int(rng.integers(0, rank))
        if shape[axis] == 1:  # the converter folds an index into one element to a constant
            shape[axis] = int(rng.integers(2, 6))
        axis = axis - rank if rng.random() < 0.5 else axis
        wide = bool(rng.random() < 0.3)
        in_range = value_range(rng)
        p = {"input": shape, "axis": axis, "int64": wide, "ranges": [in_range]}
        op = tf.argmax if kind == "ARG_MAX" else tf.argmin

        def fn(x: Any) -> Any:
            return op(x, axis=axis, output_type=tf.int64 if wide else tf.int32)

        return Spec(p, fn, [shape], [in_range], missing=(TFLM,) if wide else ())

    return build


def _build_l2_normalization(rng: np.random.Generator) -> Spec:
    tf = tf_module()
    rank = int(rng.integers(1, 5))
    shape = nd_shape(rng, rank)
    axis = -1 if rng.random() < 0.5 else rank - 1
    in_range = value_range(rng)
    p = {"input": shape, "axis": axis, "ranges": [in_range]}

    def fn(x: Any) -> Any:
        return tf.math.l2_normalize(x, axis=axis)

    return Spec(p, fn, [shape], [in_range])


BUILDERS: dict[str, Builder] = {
    "SUM": _build_reduce("SUM"),
    "REDUCE_MAX": _build_reduce("REDUCE_MAX"),
    "REDUCE_MIN": _build_reduce("REDUCE_MIN"),
    "ARG_MAX": _build_arg("ARG_MAX"),
    "ARG_MIN": _build_arg("ARG_MIN"),
    "L2_NORMALIZATION": _build_l2_normalization,
    "MEAN": _build_reduce("MEAN"),
}
