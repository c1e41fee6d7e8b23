"""Random builders of ADD, RESHAPE, SQUEEZE, EXPAND_DIMS, RELU and RELU6 (the factory's
first round-robin set; their RNG draws must stay as they are)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from conformance.factory_core import (
    ACTIVATIONS,
    Builder,
    Spec,
    apply_activation,
    choice,
    factorize,
    random_shape,
    tf_module,
    value_range,
)


def _build_add(rng: np.random.Generator) -> Spec:
    tf = tf_module()
    variant = choice(rng, ("same", "broadcast", "broadcast", "constant"))
    rank = int(choice(rng, (2, 3, 4, 4, 5)))
    shape = random_shape(rng, rank, max_dim=6 if rank == 5 else 8)
    activation = choice(rng, ACTIVATIONS)
    if variant == "same":
        other = list(shape)
    else:
        # Each non-batch dim either kept or broadcast; at least one broadcast when possible.
        other = [1] + [d if rng.random() < 0.5 else 1 for d in shape[1:]]
        if other == shape and any(d > 1 for d in shape[1:]):
            i = int(rng.choice([i for i, d in enumerate(shape) if d > 1]))
            other[i] = 1
        if variant == "constant" and rng.random() < 0.4:
            other = [shape[-1]]  # bias-style lower-rank constant
    swap = bool(rng.random() < 0.3)
    ranges = [value_range(rng), value_range(rng)]
    p: dict[str, Any] = {
        "variant": variant,
        "shapes": [shape, other],
        "swap": swap,
        "activation": activation,
    }
    if variant == "constant":
        lo, hi = ranges[1]
        const = rng.uniform(lo, hi, size=other).astype(np.float32)

        def fn_const(x: Any) -> Any:
            c = tf.constant(const)
            return apply_activation(tf, c + x if swap else x + c, activation)

        p["ranges"] = ranges
        return Spec(p, fn_const, [shape], ranges[:1])

    shapes = [other, shape] if swap else [shape, other]
    p["shapes"] = shapes
    p["ranges"] = ranges

    def fn(x: Any, y: Any) -> Any:
        return apply_activation(tf, x + y, activation)

    return Spec(p, fn, shapes, ranges)


def _build_reshape(rng: np.random.Generator) -> Spec:
    tf = tf_module()
    shape = random_shape(rng, int(rng.integers(2, 5)))
    total = math.prod(shape)
    target = shape
    for _ in range(10):
        target = factorize(total, int(rng.integers(1, 5)), rng)
        if target != shape:
            break
    in_range = value_range(rng)
    p = {"input": shape, "target": target, "ranges": [in_range]}

    def fn(x: Any) -> Any:
        return tf.reshape(x, target)

    return Spec(p, fn, [shape], [in_range])


def _build_squeeze(rng: np.random.Generator) -> Spec:
    tf = tf_module()
    rank = int(rng.integers(3, 6))
    shape = random_shape(rng, rank, max_dim=6)
    ones = [
        int(i) for i in rng.choice(np.arange(1, rank), size=int(rng.integers(1, 3)), replace=False)
    ]
    for i in ones:
        shape[i] = 1
    axes = sorted(ones)
    in_range = value_range(rng)
    p = {"input": shape, "axis": axes, "ranges": [in_range]}

    def fn(x: Any) -> Any:
        return tf.squeeze(x, axis=axes)

    return Spec(p, fn, [shape], [in_range])


def _build_expand_dims(rng: np.random.Generator) -> Spec:
    tf = tf_module()
    rank = int(rng.integers(1, 5))
    shape = random_shape(rng, rank) if rank > 1 else [int(rng.integers(1, 17))]
    axis = int(rng.integers(-rank - 1, rank + 1))
    in_range = value_range(rng)
    p = {"input": shape, "axis": axis, "ranges": [in_range]}

    def fn(x: Any) -> Any:
        return tf.expand_dims(x, axis)

    return Spec(p, fn, [shape], [in_range])


def _build_relu(kind: str) -> Callable[[np.random.Generator], Spec]:
    def build(rng: np.random.Generator) -> Spec:
        tf = tf_module()
        shape = random_shape(rng, int(rng.integers(2, 5)))
        target = [1, math.prod(shape)]
        after_reshape = len(shape) > 2 and bool(rng.random() < 0.5)
        act = tf.nn.relu if kind == "RELU" else tf.nn.relu6
        in_range = value_range(rng)
        p: dict[str, Any] = {"input": shape, "after_reshape": after_reshape, "ranges": [in_range]}
        if after_reshape:
            p["target"] = target

        def fn(x: Any) -> Any:
            return act(tf.reshape(x, target) if after_reshape else x)

        return Spec(p, fn, [shape], [in_range])

    return build


BUILDERS: dict[str, Builder] = {
    "ADD": _build_add,
    "RESHAPE": _build_reshape,
    "SQUEEZE": _build_squeeze,
    "EXPAND_DIMS": _build_expand_dims,
    "RELU": _build_relu("RELU"),
    "RELU6": _build_relu("RELU6"),
}
