"""Random single-operator int8 TFLite models for conformance tests.

Every case is built from a ``tf.function`` with a fixed input signature (batch 1, static
shapes) and converted with full-integer post-training quantization (int8 inputs and
outputs, ``TFLITE_BUILTINS_INT8``, representative data drawn from the case's seeded RNG),
so generating the same ``(count, seed)`` twice gives the same models.

What the converter (TF 2.21) emits for each factory op is recorded in ``EXPECTED_TFLITE_OPS``.
Notes on the ops that are not a plain one-to-one mapping:

* ``SQUEEZE`` and ``EXPAND_DIMS`` are folded into ``RESHAPE`` by the converter.
* ``RELU``/``RELU6`` optionally follow a reshape; the converter moves the activation in
  front of the ``RESHAPE``. The standalone activation gets its own output scale; TFLM's
  int8 RELU6 clamps without requantizing (TFLite's reference kernel requantizes), so the two
  interpreters disagree on these models; tinygen follows TensorFlow Lite.
* ``FULLY_CONNECTED`` weights are per-channel (the converter default) or per-tensor
  (``params["per_channel"]``). A ``[1, t, n]`` input gives one FULLY_CONNECTED with
  ``keep_num_dims``; a bias-less layer has no bias input (index -1), while a bias-less
  convolution gets a zero bias tensor from the converter.
* ``SOFTMAX`` beta: ``tf.nn.softmax(x * beta)`` converts to ``MUL`` + ``SOFTMAX`` (beta 1),
  so beta != 1 is written into the converted model's ``SoftmaxOptions.beta`` in place.
  The int8 softmax output quantization is fixed (scale 1/256, zero point -128), so the
  patched model is what the converter would produce if it could express beta.
* ``QUANTIZE`` (int8 -> int8 requantize) has no single-op TF source. Two carriers:
  ``fake_quant``: fake-quant(range a) -> 1x1 max pool -> fake-quant(range b), converted
  quantization-aware (no representative data), giving ``MAX_POOL_2D`` + ``QUANTIZE``;
  ``softmax``: softmax -> reshape -> fake-quant, giving ``SOFTMAX`` + ``QUANTIZE`` +
  ``RESHAPE``.
* ``QUANTIZE_DEQUANTIZE`` keeps float32 model inputs/outputs, giving ``QUANTIZE`` (float ->
  int8) + ``FULLY_CONNECTED`` + ``DEQUANTIZE`` (int8 -> float).
"""

from __future__ import annotations

import contextlib
import math
import os
import struct
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tinygen.verify.native_output import quiet_native_output

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

Shape = list[int]
Range = tuple[float, float]

_MAX_SPATIAL = 12
_MAX_CHANNELS = 16
_REPRESENTATIVE_SAMPLES = 16
_ACTIVATIONS = ("NONE", "RELU", "RELU6")
_MAX_ATTEMPTS = 10
_MIN_ACTIVATION_SCALE = 1e-6


@dataclass(frozen=True)
class OpCase:
    op: str  # factory op kind, e.g. "CONV_2D"
    params: dict[str, Any]  # the random parameters chosen, for test ids/debugging
    model: bytes  # the .tflite flatbuffer

    @property
    def id(self) -> str:
        """A short readable id for pytest parametrisation."""
        parts = [f"{k}={_fmt(v)}" for k, v in self.params.items() if k != "ranges"]
        return f"{self.op}[{','.join(parts)}]"


# TFLite builtin operators each factory op converts to (TF 2.21), in execution order.
# ``make_case`` redraws parameters if the converted model holds any operator not listed here
# for its op kind (or in ``_EXTRA_ALLOWED_OPS``).
EXPECTED_TFLITE_OPS: dict[str, tuple[str, ...]] = {
    "CONV_2D": ("CONV_2D",),
    "DEPTHWISE_CONV_2D": ("DEPTHWISE_CONV_2D",),
    "FULLY_CONNECTED": ("FULLY_CONNECTED",),
    "AVERAGE_POOL_2D": ("AVERAGE_POOL_2D",),
    "MAX_POOL_2D": ("MAX_POOL_2D",),
    "SOFTMAX": ("SOFTMAX",),
    "ADD": ("ADD",),
    "RESHAPE": ("RESHAPE",),
    "SQUEEZE": ("RESHAPE",),
    "EXPAND_DIMS": ("RESHAPE",),
    "RELU": ("RELU",),  # plus RESHAPE when params["after_reshape"]
    "RELU6": ("RELU6",),  # plus RESHAPE when params["after_reshape"]
    "QUANTIZE": ("QUANTIZE",),  # plus the carrier ops, see the module docstring
    "QUANTIZE_DEQUANTIZE": ("QUANTIZE", "FULLY_CONNECTED", "DEQUANTIZE"),
}
_EXTRA_ALLOWED_OPS: dict[str, tuple[str, ...]] = {
    "RELU": ("RESHAPE",),
    "RELU6": ("RESHAPE",),
    "QUANTIZE": ("MAX_POOL_2D", "SOFTMAX", "RESHAPE"),
}


def ops() -> list[str]:
    """The op kinds the factory can build."""
    return list(_BUILDERS)


def make_case(op: str, rng: np.random.Generator) -> OpCase:
    """Build one model of kind ``op`` with parameters drawn from ``rng``."""
    try:
        builder = _BUILDERS[op]
    except KeyError:
        raise ValueError(f"unknown factory op {op!r}; known: {ops()}") from None
    allowed = {*EXPECTED_TFLITE_OPS[op], *_EXTRA_ALLOWED_OPS.get(op, ())}
    # Redraw (deterministically) when calibration collapses an activation range, e.g. an
    # ADD+RELU6 whose sum is always negative (TFLM aborts on such a model in Prepare), or
    # when the converter rewrote the op into something else.
    for _ in range(_MAX_ATTEMPTS):
        spec = builder(rng)
        model = _convert(spec, rng)
        if spec.softmax_beta is not None and spec.softmax_beta != 1.0:
            model = _patch_softmax_beta(model, spec.softmax_beta)
        emitted, min_scale = _inspect(model)
        if set(emitted) <= allowed and min_scale >= _MIN_ACTIVATION_SCALE:
            return OpCase(op=op, params=spec.params, model=model)
    raise RuntimeError(f"{op}: no usable model in {_MAX_ATTEMPTS} attempts")


def generate_cases(count: int, seed: int) -> list[OpCase]:
    """``count`` cases, round-robin over ``ops()``, all drawn from one RNG seeded by ``seed``."""
    rng = np.random.default_rng(seed)
    kinds = ops()
    return [make_case(kinds[i % len(kinds)], rng) for i in range(count)]


# --------------------------------------------------------------------------------------
# Model specs


@dataclass
class _Spec:
    params: dict[str, Any]
    fn: Callable[..., Any]  # traced with float32 tensors of ``input_shapes``
    input_shapes: list[Shape]
    input_ranges: list[Range]
    float_io: bool = False
    # Quantization-aware conversion: ranges come from fake-quant ops, no representative data.
    qat: bool = False
    softmax_beta: float | None = None
    # False: per-tensor FULLY_CONNECTED weights (the converter's default is per-channel).
    dense_per_channel: bool = True


def _tf() -> Any:
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    return tf


def _value_range(rng: np.random.Generator) -> Range:
    """A random float range: half-width 0.1..10 (log-uniform), centre offset up to 0.8x."""
    half = float(10.0 ** rng.uniform(-1.0, 1.0))
    centre = float(rng.uniform(-0.8, 0.8)) * half
    return (round(centre - half, 4), round(centre + half, 4))


def _weights(rng: np.random.Generator, shape: Sequence[int]) -> np.ndarray:
    scale = 10.0 ** rng.uniform(-1.5, 0.5)
    return (rng.normal(size=tuple(shape)) * scale).astype(np.float32)


def _apply_activation(tf: Any, x: Any, activation: str) -> Any:
    if activation == "RELU":
        return tf.nn.relu(x)
    if activation == "RELU6":
        return tf.nn.relu6(x)
    return x


def _choice(rng: np.random.Generator, options: Sequence[Any]) -> Any:
    return options[int(rng.integers(len(options)))]


def _spatial(rng: np.random.Generator, padding: str, window: int) -> int:
    """An input extent for ``window`` (effective kernel/pool size); VALID needs >= window."""
    low = window if padding == "VALID" else 1
    return int(rng.integers(low, max(_MAX_SPATIAL, low) + 1))


def _conv_common(rng: np.random.Generator) -> dict[str, Any]:
    kh, kw = (int(v) for v in rng.integers(1, 6, size=2))
    padding = _choice(rng, ("SAME", "VALID"))
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
            _spatial(rng, padding, eff[0]),
            _spatial(rng, padding, eff[1]),
            int(rng.integers(1, _MAX_CHANNELS + 1)),
        ],
        "kernel": [kh, kw],
        "strides": strides,
        "dilations": dilations,
        "padding": padding,
        "bias": bool(rng.random() < 0.7),
        "activation": _choice(rng, _ACTIVATIONS),
    }


def _build_conv2d(rng: np.random.Generator) -> _Spec:
    tf = _tf()
    p = _conv_common(rng)
    p["out_channels"] = int(rng.integers(1, _MAX_CHANNELS + 1))
    kh, kw = p["kernel"]
    w = _weights(rng, (kh, kw, p["input"][3], p["out_channels"]))
    b = _weights(rng, (p["out_channels"],)) if p["bias"] else None

    def fn(x: Any) -> Any:
        y = tf.nn.conv2d(
            x, tf.constant(w), strides=p["strides"], padding=p["padding"], dilations=p["dilations"]
        )
        if b is not None:
            y = tf.nn.bias_add(y, tf.constant(b))
        return _apply_activation(tf, y, p["activation"])

    in_range = _value_range(rng)
    p["ranges"] = [in_range]
    return _Spec(p, fn, [p["input"]], [in_range])


def _build_depthwise(rng: np.random.Generator) -> _Spec:
    tf = _tf()
    p = _conv_common(rng)
    p["depth_multiplier"] = int(rng.integers(1, 4))
    kh, kw = p["kernel"]
    cin = p["input"][3]
    w = _weights(rng, (kh, kw, cin, p["depth_multiplier"]))
    b = _weights(rng, (cin * p["depth_multiplier"],)) if p["bias"] else None
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
        return _apply_activation(tf, y, p["activation"])

    in_range = _value_range(rng)
    p["ranges"] = [in_range]
    return _Spec(p, fn, [p["input"]], [in_range])


def _fc_params(rng: np.random.Generator, rank: int) -> dict[str, Any]:
    # A [1, t, 1] input with a fused activation converts to MUL + ADD (outer product), so
    # the 3D form uses n >= 2.
    n = int(rng.integers(1 if rank == 2 else 2, 33))
    shape = [1, n] if rank == 2 else [1, int(rng.integers(1, 9)), n]
    return {
        "input": shape,
        "units": int(rng.integers(1, 33)),
        "bias": bool(rng.random() < 0.7),
        "activation": _choice(rng, _ACTIVATIONS),
        "per_channel": bool(rng.random() < 0.5),
    }


def _fc_fn(rng: np.random.Generator, p: dict[str, Any]) -> Callable[[Any], Any]:
    tf = _tf()
    w = _weights(rng, (p["input"][-1], p["units"]))
    b = _weights(rng, (p["units"],)) if p["bias"] else None

    def fn(x: Any) -> Any:
        # matmul of a [1, t, n] input with a constant [n, u] matrix converts to a single
        # FULLY_CONNECTED with keep_num_dims=True (no RESHAPE around it).
        y = tf.matmul(x, tf.constant(w))
        if b is not None:
            y = y + tf.constant(b)
        return _apply_activation(tf, y, p["activation"])

    return fn


def _build_fully_connected(rng: np.random.Generator) -> _Spec:
    p = _fc_params(rng, rank=int(_choice(rng, (2, 3))))
    fn = _fc_fn(rng, p)
    in_range = _value_range(rng)
    p["ranges"] = [in_range]
    return _Spec(p, fn, [p["input"]], [in_range], dense_per_channel=p["per_channel"])


def _build_pool(kind: str) -> Callable[[np.random.Generator], _Spec]:
    def build(rng: np.random.Generator) -> _Spec:
        tf = _tf()
        pool = [int(v) for v in rng.integers(1, 5, size=2)]
        strides = [int(v) for v in rng.integers(1, 4, size=2)]
        padding = _choice(rng, ("SAME", "VALID"))
        shape = [
            1,
            _spatial(rng, padding, pool[0]),
            _spatial(rng, padding, pool[1]),
            int(rng.integers(1, _MAX_CHANNELS + 1)),
        ]
        op = tf.nn.avg_pool2d if kind == "AVERAGE_POOL_2D" else tf.nn.max_pool2d
        in_range = _value_range(rng)
        p = {
            "input": shape,
            "pool": pool,
            "strides": strides,
            "padding": padding,
            "ranges": [in_range],
        }

        def fn(x: Any) -> Any:
            return op(x, ksize=pool, strides=strides, padding=padding)

        return _Spec(p, fn, [shape], [in_range])

    return build


def _build_softmax(rng: np.random.Generator) -> _Spec:
    tf = _tf()
    rank = int(_choice(rng, (1, 2, 2, 3)))
    n = int(rng.integers(1, 33))
    shape = {1: [n], 2: [1, n], 3: [1, int(rng.integers(1, 7)), n]}[rank]
    beta = float(_choice(rng, (1.0, 0.5, 2.0)))
    in_range = _value_range(rng)
    p = {"input": shape, "beta": beta, "ranges": [in_range]}

    def fn(x: Any) -> Any:
        return tf.nn.softmax(x)

    return _Spec(p, fn, [shape], [in_range], softmax_beta=beta)


def _random_shape(rng: np.random.Generator, rank: int, max_dim: int = 8) -> Shape:
    return [1] + [int(v) for v in rng.integers(1, max_dim + 1, size=rank - 1)]


def _build_add(rng: np.random.Generator) -> _Spec:
    tf = _tf()
    variant = _choice(rng, ("same", "broadcast", "broadcast", "constant"))
    rank = int(_choice(rng, (2, 3, 4, 4, 5)))
    shape = _random_shape(rng, rank, max_dim=6 if rank == 5 else 8)
    activation = _choice(rng, _ACTIVATIONS)
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
    ranges = [_value_range(rng), _value_range(rng)]
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
            return _apply_activation(tf, c + x if swap else x + c, activation)

        p["ranges"] = ranges
        return _Spec(p, fn_const, [shape], ranges[:1])

    shapes = [other, shape] if swap else [shape, other]
    p["shapes"] = shapes
    p["ranges"] = ranges

    def fn(x: Any, y: Any) -> Any:
        return _apply_activation(tf, x + y, activation)

    return _Spec(p, fn, shapes, ranges)


def _factorize(total: int, rank: int, rng: np.random.Generator) -> Shape:
    """A random shape ``[1, ...]`` of ``rank`` dims whose product is ``total``."""
    dims = [1] * rank
    rest = total
    for i in range(1, rank - 1):
        divisors = [d for d in range(1, rest + 1) if rest % d == 0]
        dims[i] = int(_choice(rng, divisors))
        rest //= dims[i]
    dims[-1] = rest
    return dims if rank > 1 else [total]


def _build_reshape(rng: np.random.Generator) -> _Spec:
    tf = _tf()
    shape = _random_shape(rng, int(rng.integers(2, 5)))
    total = math.prod(shape)
    target = shape
    for _ in range(10):
        target = _factorize(total, int(rng.integers(1, 5)), rng)
        if target != shape:
            break
    in_range = _value_range(rng)
    p = {"input": shape, "target": target, "ranges": [in_range]}

    def fn(x: Any) -> Any:
        return tf.reshape(x, target)

    return _Spec(p, fn, [shape], [in_range])


def _build_squeeze(rng: np.random.Generator) -> _Spec:
    tf = _tf()
    rank = int(rng.integers(3, 6))
    shape = _random_shape(rng, rank, max_dim=6)
    ones = [
        int(i) for i in rng.choice(np.arange(1, rank), size=int(rng.integers(1, 3)), replace=False)
    ]
    for i in ones:
        shape[i] = 1
    axes = sorted(ones)
    in_range = _value_range(rng)
    p = {"input": shape, "axis": axes, "ranges": [in_range]}

    def fn(x: Any) -> Any:
        return tf.squeeze(x, axis=axes)

    return _Spec(p, fn, [shape], [in_range])


def _build_expand_dims(rng: np.random.Generator) -> _Spec:
    tf = _tf()
    rank = int(rng.integers(1, 5))
    shape = _random_shape(rng, rank) if rank > 1 else [int(rng.integers(1, 17))]
    axis = int(rng.integers(-rank - 1, rank + 1))
    in_range = _value_range(rng)
    p = {"input": shape, "axis": axis, "ranges": [in_range]}

    def fn(x: Any) -> Any:
        return tf.expand_dims(x, axis)

    return _Spec(p, fn, [shape], [in_range])


def _build_relu(kind: str) -> Callable[[np.random.Generator], _Spec]:
    def build(rng: np.random.Generator) -> _Spec:
        tf = _tf()
        shape = _random_shape(rng, int(rng.integers(2, 5)))
        target = [1, math.prod(shape)]
        after_reshape = len(shape) > 2 and bool(rng.random() < 0.5)
        act = tf.nn.relu if kind == "RELU" else tf.nn.relu6
        in_range = _value_range(rng)
        p: dict[str, Any] = {"input": shape, "after_reshape": after_reshape, "ranges": [in_range]}
        if after_reshape:
            p["target"] = target

        def fn(x: Any) -> Any:
            return act(tf.reshape(x, target) if after_reshape else x)

        return _Spec(p, fn, [shape], [in_range])

    return build


def _distinct_range(rng: np.random.Generator, other: Range) -> Range:
    for _ in range(20):
        r = _value_range(rng)
        if abs((r[1] - r[0]) / (other[1] - other[0]) - 1.0) > 0.2:
            return r
    return (other[0] * 3.0, other[1] * 3.0)


def _build_quantize(rng: np.random.Generator) -> _Spec:
    tf = _tf()
    carrier = _choice(rng, ("fake_quant", "softmax"))
    fq = tf.quantization.fake_quant_with_min_max_args
    if carrier == "fake_quant":
        shape = _random_shape(rng, 4)
        in_range = _value_range(rng)
        out_range = _distinct_range(rng, in_range)
        p = {"carrier": carrier, "input": shape, "ranges": [in_range, out_range]}

        def fn(x: Any) -> Any:
            y = fq(x, min=in_range[0], max=in_range[1])
            y = tf.nn.max_pool2d(y, ksize=1, strides=1, padding="VALID")
            return fq(y, min=out_range[0], max=out_range[1])

        return _Spec(p, fn, [shape], [in_range], qat=True)

    n = int(rng.integers(2, 33))
    in_range = _value_range(rng)
    lo = float(rng.uniform(-1.0, 0.0))
    hi = float(rng.uniform(0.5, 2.0))
    out_range = (round(lo, 4), round(hi, 4))
    p = {"carrier": carrier, "input": [1, n], "ranges": [in_range, out_range]}

    def fn_softmax(x: Any) -> Any:
        y = tf.reshape(tf.nn.softmax(x), [1, 1, n])
        return fq(y, min=out_range[0], max=out_range[1])

    return _Spec(p, fn_softmax, [[1, n]], [in_range])


def _build_quantize_dequantize(rng: np.random.Generator) -> _Spec:
    p = _fc_params(rng, rank=2)
    fn = _fc_fn(rng, p)
    in_range = _value_range(rng)
    p["ranges"] = [in_range]
    return _Spec(p, fn, [p["input"]], [in_range], float_io=True, dense_per_channel=p["per_channel"])


_BUILDERS: dict[str, Callable[[np.random.Generator], _Spec]] = {
    "CONV_2D": _build_conv2d,
    "DEPTHWISE_CONV_2D": _build_depthwise,
    "FULLY_CONNECTED": _build_fully_connected,
    "AVERAGE_POOL_2D": _build_pool("AVERAGE_POOL_2D"),
    "MAX_POOL_2D": _build_pool("MAX_POOL_2D"),
    "SOFTMAX": _build_softmax,
    "ADD": _build_add,
    "RESHAPE": _build_reshape,
    "SQUEEZE": _build_squeeze,
    "EXPAND_DIMS": _build_expand_dims,
    "RELU": _build_relu("RELU"),
    "RELU6": _build_relu("RELU6"),
    "QUANTIZE": _build_quantize,
    "QUANTIZE_DEQUANTIZE": _build_quantize_dequantize,
}


# --------------------------------------------------------------------------------------
# Conversion


def _representative_data(
    rng: np.random.Generator, shapes: Sequence[Shape], ranges: Sequence[Range]
) -> list[list[np.ndarray]]:
    samples = []
    for _ in range(_REPRESENTATIVE_SAMPLES):
        samples.append(
            [
                rng.uniform(lo, hi, size=shape).astype(np.float32)
                for shape, (lo, hi) in zip(shapes, ranges, strict=True)
            ]
        )
    # Make sure the calibrated range really spans [lo, hi].
    for arrays, (lo, hi) in zip(zip(*samples, strict=True), ranges, strict=True):
        arrays[0].flat[0] = lo
        arrays[-1].flat[-1] = hi
    return samples


@contextlib.contextmanager
def _quiet_native_output() -> Iterator[None]:
    """Silence the converter's C++ prints ("fully_quantize: 0, ...") on fds 1 and 2."""
    if os.environ.get("TINYGEN_FACTORY_VERBOSE"):
        yield
        return
    with quiet_native_output():
        yield


def _convert(spec: _Spec, rng: np.random.Generator) -> bytes:
    tf = _tf()
    signature = [tf.TensorSpec(shape, tf.float32) for shape in spec.input_shapes]
    func = tf.function(spec.fn, input_signature=signature, autograph=False)
    concrete = func.get_concrete_function()
    converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete], func)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if not spec.dense_per_channel:
        converter._experimental_disable_per_channel_quantization_for_dense_layers = True
    if not spec.qat:
        data = _representative_data(rng, spec.input_shapes, spec.input_ranges)
        converter.representative_dataset = lambda: iter(data)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    if not spec.float_io:
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    with warnings.catch_warnings(), _quiet_native_output():
        warnings.simplefilter("ignore")
        model = converter.convert()
    return bytes(model)


def _patch_softmax_beta(model: bytes, beta: float) -> bytes:
    """Overwrite ``SoftmaxOptions.beta`` of every SOFTMAX operator in place."""
    from tensorflow.lite.python import schema_py_generated as schema

    buf = bytearray(model)
    root = schema.Model.GetRootAsModel(buf, 0)
    patched = 0
    for s in range(root.SubgraphsLength()):
        graph = root.Subgraphs(s)
        for o in range(graph.OperatorsLength()):
            op = graph.Operators(o)
            code = root.OperatorCodes(op.OpcodeIndex())
            builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
            if builtin != schema.BuiltinOperator.SOFTMAX:
                continue
            table = op.BuiltinOptions()
            if table is None:
                raise ValueError("SOFTMAX operator without SoftmaxOptions")
            options = schema.SoftmaxOptions()
            options.Init(table.Bytes, table.Pos)
            field = options._tab.Offset(4)  # beta
            if field == 0:
                raise ValueError("SoftmaxOptions.beta is not stored; cannot patch in place")
            struct.pack_into("<f", buf, options._tab.Pos + field, beta)
            patched += 1
    if patched == 0:
        raise ValueError("no SOFTMAX operator to patch")
    return bytes(buf)


def _builtin_names() -> dict[int, str]:
    from tensorflow.lite.python import schema_py_generated as schema

    ops = schema.BuiltinOperator
    return {v: k for k, v in vars(ops).items() if not k.startswith("_") and isinstance(v, int)}


def _inspect(model: bytes) -> tuple[list[str], float]:
    """Operator names in execution order, and the smallest scale of any operator output."""
    from tensorflow.lite.python import schema_py_generated as schema

    names = _builtin_names()
    root = schema.Model.GetRootAsModel(model, 0)
    emitted: list[str] = []
    smallest = math.inf
    for s in range(root.SubgraphsLength()):
        graph = root.Subgraphs(s)
        for o in range(graph.OperatorsLength()):
            op = graph.Operators(o)
            code = root.OperatorCodes(op.OpcodeIndex())
            builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
            emitted.append(names.get(builtin, f"BUILTIN_{builtin}"))
            for i in range(op.OutputsLength()):
                quant = graph.Tensors(op.Outputs(i)).Quantization()
                if quant is not None and quant.ScaleLength() > 0:
                    smallest = min(smallest, float(quant.ScaleAsNumpy().min()))
    return emitted, smallest


def model_ops(model: bytes) -> list[str]:
    """The builtin operator names of ``model`` in execution order (e.g. for assertions)."""
    return _inspect(model)[0]


def _fmt(value: Any) -> str:
    if isinstance(value, list):
        sep = "+" if value and isinstance(value[0], list) else "x"
        return sep.join(_fmt(v) for v in value)
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)
