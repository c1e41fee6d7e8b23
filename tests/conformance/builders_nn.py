"""Random builders of the neural-network operators: CONV_2D, DEPTHWISE_CONV_2D,
FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D, SOFTMAX, QUANTIZE and QUANTIZE_DEQUANTIZE.

Every builder draws its parameters from the RNG it is given, in a fixed order: the factory's
first round-robin set (``model_factory.ops()``) must keep giving the same models."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from conformance.factory_core import (
    ACTIVATIONS,
    MAX_CHANNELS,
    Builder,
    Spec,
    apply_activation,
    choice,
    distinct_range,
    random_shape,
    spatial,
    tf_module,
    value_range,
    weights,
)


def _conv_common(rng: np.random.Generator) -> dict[str, Any]:
    kh, kw = (int(v) for v in rng.integers(1, 6, size=2))
    padding = choice(rng, ("SAME", "VALID"))
    if rng.random() < 0.4:
        # Dilation only with stride 1 (TF rejects dilation with stride > 1). Keep the
        # effective kernel within the spatial limit.
        strides = [1, 1]
        dilations = [
            int(rng.integers(1, min(3, 11 // (k - 1)) + 1)) if k > 1 else int(rng.integers(1, 4))
            for k in (kh, kw)
        ]
    else:
        strides = [int(v) for v in rng.integers(1, 4, size=2)]
        dilations = [1, 1]
    eff = [(k - 1) * d + 1 for k, d in zip((kh, kw), dilations, strict=True)]
    return {
        "input": [
            1,
            spatial(rng, padding, eff[0]),
            spatial(rng, padding, eff[1]),
            int(rng.integers(1, MAX_CHANNELS + 1)),
        ],
        "kernel": [kh, kw],
        "strides": strides,
        "dilations": dilations,
        "padding": padding,
        "bias": bool(rng.random() < 0.7),
        "activation": choice(rng, ACTIVATIONS),
    }


def _build_conv2d(rng: np.random.Generator) -> Spec:
    tf = tf_module()
    p = _conv_common(rng)
    p["out_channels"] = int(rng.integers(1, MAX_CHANNELS + 1))
    kh, kw = p["kernel"]
    w = weights(rng, (kh, kw, p["input"][3], p["out_channels"]))
    b = weights(rng, (p["out_channels"],)) if p["bias"] else None

    def fn(x: Any) -> Any:
        y = tf.nn.conv2d(
            x, tf.constant(w), strides=p["strides"], padding=p["padding"], dilations=p["dilations"]
        )
        if b is not None:
            y = tf.nn.bias_add(y, tf.constant(b))
        return apply_activation(tf, y, p["activation"])

    in_range = value_range(rng)
    p["ranges"] = [in_range]
    return Spec(p, fn, [p["input"]], [in_range])


def _build_depthwise(rng: np.random.Generator) -> Spec:
    tf = tf_module()
    p = _conv_common(rng)
    p["depth_multiplier"] = int(rng.integers(1, 4))
    kh, kw = p["kernel"]
    cin = p["input"][3]
    w = weights(rng, (kh, kw, cin, p["depth_multiplier"]))
    b = weights(rng, (cin * p["depth_multiplier"],)) if p["bias"] else None
    sh, sw = p["strides"]
    dh, dw = p["dilations"]

    def fn(x: Any) -> Any:
        # The raw op carries dilations as an attribute (tf.nn.depthwise_conv2d would wrap
        # the op in space_to_batch for dilation > 1).
        y = tf.raw_ops.DepthwiseConv2dNative(
            input=x,
            filter=tf.constant(w),
            strides=[1, sh, sw, 1],
            padding=p["padding"],
            dilations=[1, dh, dw, 1],
        )
        if b is not None:
            y = tf.nn.bias_add(y, tf.constant(b))
        return apply_activation(tf, y, p["activation"])

    in_range = value_range(rng)
    p["ranges"] = [in_range]
    return Spec(p, fn, [p["input"]], [in_range])


def _fc_params(rng: np.random.Generator, rank: int) -> dict[str, Any]:
    # A [1, t, 1] input with a fused activation converts to MUL + ADD (outer product), so
    # the 3D form uses n >= 2.
    n = int(rng.integers(1 if rank == 2 else 2, 33))
    shape = [1, n] if rank == 2 else [1, int(rng.integers(1, 9)), n]
    return {
        "input": shape,
        "units": int(rng.integers(1, 33)),
        "bias": bool(rng.random() < 0.7),
        "activation": choice(rng, ACTIVATIONS),
        "per_channel": bool(rng.random() < 0.5),
    }


def _fc_fn(rng: np.random.Generator, p: dict[str, Any]) -> Callable[[Any], Any]:
    tf = tf_module()
    w = weights(rng, (p["input"][-1], p["units"]))
    b = weights(rng, (p["units"],)) if p["bias"] else None

    def fn(x: Any) -> Any:
        # matmul of a [1, t, n] input with a constant [n, u] matrix converts to a single
        # FULLY_CONNECTED with keep_num_dims=True (no RESHAPE around it).
        y = tf.matmul(x, tf.constant(w))
        if b is not None:
            y = y + tf.constant(b)
        return apply_activation(tf, y, p["activation"])

    return fn


def _build_fully_connected(rng: np.random.Generator) -> Spec:
    p = _fc_params(rng, rank=int(choice(rng, (2, 3))))
    fn = _fc_fn(rng, p)
    in_range = value_range(rng)
    p["ranges"] = [in_range]
    return Spec(p, fn, [p["input"]], [in_range], dense_per_channel=p["per_channel"])


def _build_pool(kind: str) -> Callable[[np.random.Generator], Spec]:
    def build(rng: np.random.Generator) -> Spec:
        tf = tf_module()
        pool = [int(v) for v in rng.integers(1, 5, size=2)]
        strides = [int(v) for v in rng.integers(1, 4, size=2)]
        padding = choice(rng, ("SAME", "VALID"))
        shape = [
            1,
            spatial(rng, padding, pool[0]),
            spatial(rng, padding, pool[1]),
            int(rng.integers(1, MAX_CHANNELS + 1)),
        ]
        op = tf.nn.avg_pool2d if kind == "AVERAGE_POOL_2D" else tf.nn.max_pool2d
        in_range = value_range(rng)
        p = {
            "input": shape,
            "pool": pool,
            "strides": strides,
            "padding": padding,
            "ranges": [in_range],
        }

        def fn(x: Any) -> Any:
            return op(x, ksize=pool, strides=strides, padding=padding)

        return Spec(p, fn, [shape], [in_range])

    return build


def _build_softmax(rng: np.random.Generator) -> Spec:
    tf = tf_module()
    rank = int(choice(rng, (1, 2, 2, 3)))
    n = int(rng.integers(1, 33))
    shape = {1: [n], 2: [1, n], 3: [1, int(rng.integers(1, 7)), n]}[rank]
    beta = float(choice(rng, (1.0, 0.5, 2.0)))
    in_range = value_range(rng)
    p = {"input": shape, "beta": beta, "ranges": [in_range]}

    def fn(x: Any) -> Any:
        return tf.nn.softmax(x)

    return Spec(p, fn, [shape], [in_range], softmax_beta=beta)


def _build_quantize(rng: np.random.Generator) -> Spec:
    tf = tf_module()
    carrier = choice(rng, ("fake_quant", "softmax"))
    fq = tf.quantization.fake_quant_with_min_max_args
    if carrier == "fake_quant":
        shape = random_shape(rng, 4)
        in_range = value_range(rng)
        out_range = distinct_range(rng, in_range)
        p = {"carrier": carrier, "input": shape, "ranges": [in_range, out_range]}

        def fn(x: Any) -> Any:
            y = fq(x, min=in_range[0], max=in_range[1])
            y = tf.nn.max_pool2d(y, ksize=1, strides=1, padding="VALID")
            return fq(y, min=out_range[0], max=out_range[1])

        return Spec(p, fn, [shape], [in_range], qat=True)

    n = int(rng.integers(2, 33))
    in_range = value_range(rng)
    lo = float(rng.uniform(-1.0, 0.0))
    hi = float(rng.uniform(0.5, 2.0))
    out_range = (round(lo, 4), round(hi, 4))
    p = {"carrier": carrier, "input": [1, n], "ranges": [in_range, out_range]}

    def fn_softmax(x: Any) -> Any:
        y = tf.reshape(tf.nn.softmax(x), [1, 1, n])
        return fq(y, min=out_range[0], max=out_range[1])

    return Spec(p, fn_softmax, [[1, n]], [in_range])


def _build_quantize_dequantize(rng: np.random.Generator) -> Spec:
    p = _fc_params(rng, rank=2)
    fn = _fc_fn(rng, p)
    in_range = value_range(rng)
    p["ranges"] = [in_range]
    return Spec(p, fn, [p["input"]], [in_range], float_io=True, dense_per_channel=p["per_channel"])


BUILDERS: dict[str, Builder] = {
    "CONV_2D": _build_conv2d,
    "DEPTHWISE_CONV_2D": _build_depthwise,
    "FULLY_CONNECTED": _build_fully_connected,
    "AVERAGE_POOL_2D": _build_pool("AVERAGE_POOL_2D"),
    "MAX_POOL_2D": _build_pool("MAX_POOL_2D"),
    "SOFTMAX": _build_softmax,
}
QUANTIZE_BUILDERS: dict[str, Builder] = {
    "QUANTIZE": _build_quantize,
    "QUANTIZE_DEQUANTIZE": _build_quantize_dequantize,
}
