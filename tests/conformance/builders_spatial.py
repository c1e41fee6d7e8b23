"""Random builders of BATCH_MATMUL, TRANSPOSE_CONV, RESIZE_NEAREST_NEIGHBOR and
RESIZE_BILINEAR, of the second round-robin set.

BATCH_MATMUL: both operands model inputs (2-D to 5-D, batch dims broadcast either way), or a
constant right-hand side (per batch or broadcast) or left-hand side (3-D to 5-D; a 2-D
constant converts to FULLY_CONNECTED); adj_x and adj_y. TRANSPOSE_CONV (tf.nn.conv2d_transpose):
batches 1 and 2, windows 1x1 to 5x5, strides 1 to 3 per axis, SAME and VALID with every
output size they allow, bias or none, ReLU / ReLU6 (fused after a bias, an operator of its
own without), per-channel or per-tensor weights. RESIZE_*: TensorFlow's raw resize ops, up
and down to 1..16 rows and columns, align_corners, half_pixel_centers or neither.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from conformance.factory_core import (
    ACTIVATIONS,
    Builder,
    Spec,
    apply_activation,
    choice,
    tf_module,
    value_range,
    weights,
)


def _build_batch_matmul(rng: np.random.Generator) -> Spec:
    variant = choice(rng, ("runtime", "runtime", "constant_rhs", "constant_lhs"))
    rank = int(rng.integers(2 if variant == "runtime" else 3, 6))
    m, k, n = (int(v) for v in rng.integers(1, 7, size=3))
    adj_x, adj_y = (bool(v) for v in rng.random(2) < 0.4)
    batch = [int(v) for v in rng.integers(1, 4, size=rank - 2)]
    lhs_batch, rhs_batch = list(batch), list(batch)
    for i, d in enumerate(batch):
        r = rng.random()
        if d > 1 and r < 0.25:
            rhs_batch[i] = 1
        elif d > 1 and r < 0.4 and variant == "runtime":
            lhs_batch[i] = 1
    lhs = lhs_batch + ([k, m] if adj_x else [m, k])
    rhs = rhs_batch + ([n, k] if adj_y else [k, n])
    ranges = [value_range(rng), value_range(rng)]
    p = {"variant": variant, "shapes": [lhs, rhs], "adj_x": adj_x, "adj_y": adj_y,
         "ranges": ranges}
    return batch_matmul_spec(p, rng)


def batch_matmul_spec(p: dict[str, Any], rng: np.random.Generator) -> Spec:
    """The BATCH_MATMUL of parameters ``p`` (variant, shapes, adj_x, adj_y, ranges)."""
    tf = tf_module()
    variant, (lhs, rhs), ranges = p["variant"], p["shapes"], p["ranges"]

    def matmul(a: Any, b: Any) -> Any:
        return tf.linalg.matmul(a, b, transpose_a=p["adj_x"], transpose_b=p["adj_y"])

    if variant == "runtime":
        return Spec(p, matmul, [lhs, rhs], ranges)
    lo, hi = ranges[1]
    const = rng.uniform(lo, hi, size=rhs if variant == "constant_rhs" else lhs)
    const = const.astype(np.float32)
    if variant == "constant_rhs":
        return Spec(p, lambda x: matmul(x, tf.constant(const)), [lhs], ranges[:1])
    return Spec(p, lambda x: matmul(tf.constant(const), x), [rhs], ranges[:1])


def _transposed_size(rng: np.random.Generator, size: int, window: int, stride: int,
                     padding: str) -> int:
    """An output size whose forward convolution gives ``size`` back (any of them)."""
    if padding == "SAME":
        return int(rng.integers((size - 1) * stride + 1, size * stride + 1))
    return int(rng.integers((size - 1) * stride + window, size * stride + window))


def _build_transpose_conv(rng: np.random.Generator) -> Spec:
    tf = tf_module()
    batch = int(choice(rng, (1, 1, 2)))
    h, w, in_c, out_c = (int(v) for v in rng.integers(1, 7, size=4))
    kernel = [int(v) for v in rng.integers(1, 6, size=2)]
    strides = [int(v) for v in rng.integers(1, 4, size=2)]
    padding = choice(rng, ("SAME", "VALID"))
    out = [batch, *(_transposed_size(rng, s, k, st, padding)
                    for s, k, st in zip((h, w), kernel, strides, strict=True)), out_c]
    bias = bool(rng.random() < 0.6)
    activation = choice(rng, ACTIVATIONS)
    per_channel = bool(rng.random() < 0.7)
    filt = weights(rng, (kernel[0], kernel[1], out_c, in_c))
    b = weights(rng, (out_c,)) if bias else None
    in_range = value_range(rng)
    p = {"input": [batch, h, w, in_c], "output": out, "kernel": kernel, "strides": strides,
         "padding": padding, "bias": bias, "activation": activation,
         "per_channel": per_channel, "ranges": [in_range]}

    def fn(x: Any) -> Any:
        y = tf.nn.conv2d_transpose(x, tf.constant(filt), out, strides, padding)
        if b is not None:
            y = tf.nn.bias_add(y, tf.constant(b))
        return apply_activation(tf, y, activation)

    return Spec(p, fn, [p["input"]], [in_range], per_channel=per_channel)


def _build_resize(kind: str) -> Builder:
    def build(rng: np.random.Generator) -> Spec:
        tf = tf_module()
        shape = [int(choice(rng, (1, 1, 2))), *(int(v) for v in rng.integers(1, 9, size=2)),
                 int(rng.integers(1, 5))]
        size = [int(v) for v in rng.integers(1, 17, size=2)]
        mode = choice(rng, ("align_corners", "half_pixel_centers", "neither"))
        in_range = value_range(rng)
        p = {"input": shape, "size": size, "mode": mode, "ranges": [in_range]}
        op = (tf.raw_ops.ResizeBilinear if kind == "RESIZE_BILINEAR"
              else tf.raw_ops.ResizeNearestNeighbor)

        def fn(x: Any) -> Any:
            return op(images=x, size=size, align_corners=mode == "align_corners",
                      half_pixel_centers=mode == "half_pixel_centers")

        return Spec(p, fn, [shape], [in_range])

    return build


#: Specs from given parameters (for pinned cases: ``model_factory.pinned_case``).
SPECS: dict[str, Callable[[dict[str, Any], np.random.Generator], Spec]] = {
    "BATCH_MATMUL": batch_matmul_spec,
}

BUILDERS: dict[str, Builder] = {
    "BATCH_MATMUL": _build_batch_matmul,
    "TRANSPOSE_CONV": _build_transpose_conv,
    "RESIZE_NEAREST_NEIGHBOR": _build_resize("RESIZE_NEAREST_NEIGHBOR"),
    "RESIZE_BILINEAR": _build_resize("RESIZE_BILINEAR"),
}
