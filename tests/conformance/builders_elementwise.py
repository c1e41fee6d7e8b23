"""Random builders of the element-wise operators of the second round-robin set.

Binary (two model inputs of their own ranges, or one and a constant, or a scalar constant;
either operand first): SUB and MUL (1-D to 6-D, broadcast on both sides and across ranks,
fused NONE/RELU/RELU6), SQUARED_DIFFERENCE (broadcast up to 4-D: the converter writes a 5-D
or 6-D broadcast as SUB + SQUARE), MAXIMUM and MINIMUM (broadcast up to 5-D: the converter
adds BROADCAST_TO beyond). Same-shape operands go up to 6-D for all five.

Unary (1-D to 6-D): LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU (alphas from -1.5 to 2.5, negative
and above 1), and PRELU (1-D to 4-D, the converter's limit; alpha per element, per channel,
along any dims or one for all, from ``relu(x) - alpha * relu(-x)``, Keras' PReLU form).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from conformance.factory_core import (
    ACTIVATIONS,
    Builder,
    Shape,
    Spec,
    apply_activation,
    choice,
    nd_shape,
    tf_module,
    value_range,
)

#: kind -> (TensorFlow function, largest rank of a broadcast, fused activations drawn)
_BINARY: dict[str, tuple[Callable[[Any], Callable[[Any, Any], Any]], int, tuple[str, ...]]] = {
    "SUB": (lambda tf: lambda a, b: a - b, 6, ACTIVATIONS),
    "MUL": (lambda tf: lambda a, b: a * b, 6, ACTIVATIONS),
    "SQUARED_DIFFERENCE": (lambda tf: tf.math.squared_difference, 4, ("NONE",)),
    "MAXIMUM": (lambda tf: tf.maximum, 5, ("NONE",)),
    "MINIMUM": (lambda tf: tf.minimum, 5, ("NONE",)),
}


def broadcast_pair(rng: np.random.Generator, shape: Shape) -> tuple[Shape, Shape]:
    """Two shapes broadcasting to ``shape`` (either side may hold the 1s), not both equal;
    the second sometimes of lower rank."""
    a, b = list(shape), list(shape)
    for i, d in enumerate(shape):
        r = rng.random()
        if d > 1 and r < 0.35:
            b[i] = 1
        elif d > 1 and r < 0.55:
            a[i] = 1
    if a == b:
        wide = [i for i, d in enumerate(shape) if d > 1]
        if wide:
            b[int(choice(rng, wide))] = 1
        else:
            a[int(rng.integers(len(a)))] = int(rng.integers(2, 5))
    if len(b) > 1 and rng.random() < 0.3:
        lead = 0
        while lead < len(b) - 1 and b[lead] == 1:
            lead += 1
        b = b[int(rng.integers(0, lead + 1)):]
    return a, b


def _build_binary(kind: str) -> Builder:
    op_of, max_broadcast, activations = _BINARY[kind]

    def build(rng: np.random.Generator) -> Spec:
        tf = tf_module()
        variant = choice(rng, ("same", "broadcast", "broadcast", "constant", "scalar"))
        top = 6 if variant == "same" else max_broadcast
        rank = int(rng.integers(1, top + 1))
        shape = nd_shape(rng, rank)
        if variant == "same":
            other = list(shape)
        elif variant == "scalar":
            other = []
        else:
            shape, other = broadcast_pair(rng, shape)
        activation = choice(rng, activations)
        swap = bool(rng.random() < 0.3)
        ranges = [value_range(rng), value_range(rng)]
        p: dict[str, Any] = {"variant": variant, "shapes": [shape, other], "swap": swap}
        if len(activations) > 1:
            p["activation"] = activation
        op = op_of(tf)
        if variant in ("constant", "scalar"):
            lo, hi = ranges[1]
            const = rng.uniform(lo, hi, size=other).astype(np.float32)
            p["ranges"] = ranges

            def fn_const(x: Any) -> Any:
                c = tf.constant(const)
                return apply_activation(tf, op(c, x) if swap else op(x, c), activation)

            return Spec(p, fn_const, [shape], ranges[:1])

        shapes = [other, shape] if swap else [shape, other]
        p["shapes"], p["ranges"] = shapes, ranges

        def fn(x: Any, y: Any) -> Any:
            return apply_activation(tf, op(x, y), activation)

        return Spec(p, fn, shapes, ranges)

    return build


def _leaky_alpha(rng: np.random.Generator) -> float:
    """An alpha in [-1.5, 2.5], away from 1 (no-op) and 0 (RELU), which the converter folds."""
    while True:
        alpha = round(float(rng.uniform(-1.5, 2.5)), 3)
        if abs(alpha - 1.0) > 0.05 and abs(alpha) > 0.01:
            return alpha


def _build_unary(kind: str) -> Builder:
    def build(rng: np.random.Generator) -> Spec:
        tf = tf_module()
        shape = nd_shape(rng, int(rng.integers(1, 7)))
        in_range = value_range(rng)
        p: dict[str, Any] = {"input": shape}
        if kind == "LEAKY_RELU":
            p["alpha"] = _leaky_alpha(rng)
        p["ranges"] = [in_range]

        def fn(x: Any) -> Any:
            if kind == "LOGISTIC":
                return tf.sigmoid(x)
            if kind == "TANH":
                return tf.tanh(x)
            if kind == "HARD_SWISH":
                return x * tf.nn.relu6(x + 3.0) / 6.0
            return tf.nn.leaky_relu(x, p["alpha"])

        return Spec(p, fn, [shape], [in_range])

    return build


def _build_prelu(rng: np.random.Generator) -> Spec:
    tf = tf_module()
    rank = int(rng.integers(1, 5))
    shape = nd_shape(rng, rank)
    # The converter finds PRELU for an alpha of the input's rank less one (or a scalar).
    sharing = "shared" if rank == 1 else choice(rng, ("element", "channel", "dims", "shared"))
    rest = shape[1:]
    if sharing == "element":
        alpha_shape = list(rest)
    elif sharing == "channel":
        alpha_shape = [1] * (len(rest) - 1) + rest[-1:]
    elif sharing == "dims":
        alpha_shape = [d if rng.random() < 0.5 else 1 for d in rest]
    else:
        alpha_shape = [1] * len(rest)
    alpha = rng.uniform(-0.8, 1.5, size=alpha_shape).astype(np.float32)
    in_range = value_range(rng)
    p = {"input": shape, "alpha": alpha_shape, "sharing": sharing, "ranges": [in_range]}

    def fn(x: Any) -> Any:
        return tf.nn.relu(x) + tf.constant(-alpha) * tf.nn.relu(-x)

    return Spec(p, fn, [shape], [in_range])


BUILDERS: dict[str, Builder] = {
    **{kind: _build_binary(kind) for kind in _BINARY},
    "LOGISTIC": _build_unary("LOGISTIC"),
    "TANH": _build_unary("TANH"),
    "HARD_SWISH": _build_unary("HARD_SWISH"),
    "LEAKY_RELU": _build_unary("LEAKY_RELU"),
    "PRELU": _build_prelu,
}
