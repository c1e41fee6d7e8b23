"""The core of the random single-operator model factory: specs, random helpers, conversion.

A builder (``builders_*.py``) draws an operator's parameters from a seeded RNG and returns a
``Spec``: a function of float32 tensors of fixed shapes, their value ranges and how to
convert it. ``build_case`` converts the spec with TensorFlow's full-integer post-training
quantization (int8 inputs and outputs, ``TFLITE_BUILTINS_INT8``, representative data drawn
from the same RNG), so the same RNG state always gives the same model.
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

MAX_SPATIAL = 12
MAX_CHANNELS = 16
ACTIVATIONS = ("NONE", "RELU", "RELU6")
_REPRESENTATIVE_SAMPLES = 16
_MAX_ATTEMPTS = 10
_MIN_ACTIVATION_SCALE = 1e-6

TFLM, TFLITE = "TFLite Micro", "TensorFlow Lite"


@dataclass(frozen=True)
class OpCase:
    op: str  # factory op kind, e.g. "CONV_2D"
    params: dict[str, Any]  # the random parameters chosen, for test ids/debugging
    model: bytes  # the .tflite flatbuffer
    # Interpreters that cannot run this model (verify judges it against the other one).
    missing: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """A short readable id for pytest parametrisation."""
        parts = [f"{k}={fmt(v)}" for k, v in self.params.items() if k != "ranges"]
        return f"{self.op}[{','.join(parts)}]"


@dataclass
class Spec:
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
    # False: per-tensor weights for every layer (TRANSPOSE_CONV; the default is per-channel).
    per_channel: bool = True
    # Interpreters known not to run the converted model (TFLM's 5-D limits, int64 indices).
    missing: tuple[str, ...] = ()


Builder = Callable[[np.random.Generator], Spec]


def build_case(
    op: str,
    builder: Builder,
    allowed: set[str],
    rng: np.random.Generator,
    required: frozenset[str] = frozenset(),
    float_model: bool = False,
) -> OpCase:
    """Build one model of kind ``op`` whose converted operators all lie in ``allowed`` and
    include every one of ``required``; with ``float_model`` the spec is converted without
    quantization (float32 throughout)."""
    # Redraw (deterministically) when calibration collapses an activation range, e.g. an
    # ADD+RELU6 whose sum is always negative (TFLM aborts on such a model in Prepare), or
    # when the converter rewrote the op into something else (or folded it away).
    for _ in range(_MAX_ATTEMPTS):
        spec = builder(rng)
        model = convert_float(spec) if float_model else convert(spec, rng)
        if spec.softmax_beta is not None and spec.softmax_beta != 1.0:
            model = _patch_softmax_beta(model, spec.softmax_beta)
        emitted, min_scale = _inspect(model)
        if (
            set(emitted) <= allowed
            and required <= set(emitted)
            and min_scale >= _MIN_ACTIVATION_SCALE
        ):
            return OpCase(op=op, params=spec.params, model=model, missing=spec.missing)
    raise RuntimeError(f"{op}: no usable model in {_MAX_ATTEMPTS} attempts")


# --------------------------------------------------------------------------------------
# Random helpers shared by the builders


def tf_module() -> Any:
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    return tf


def value_range(rng: np.random.Generator) -> Range:
    """A random float range: half-width 0.1..10 (log-uniform), centre offset up to 0.8x."""
    half = float(10.0 ** rng.uniform(-1.0, 1.0))
    centre = float(rng.uniform(-0.8, 0.8)) * half
    return (round(centre - half, 4), round(centre + half, 4))


def distinct_range(rng: np.random.Generator, other: Range) -> Range:
    """A random range whose width differs from ``other``'s by more than 20%."""
    for _ in range(20):
        r = value_range(rng)
        if abs((r[1] - r[0]) / (other[1] - other[0]) - 1.0) > 0.2:
            return r
    return (other[0] * 3.0, other[1] * 3.0)


def weights(rng: np.random.Generator, shape: Sequence[int]) -> np.ndarray:
    scale = 10.0 ** rng.uniform(-1.5, 0.5)
    return (rng.normal(size=tuple(shape)) * scale).astype(np.float32)


def apply_activation(tf: Any, x: Any, activation: str) -> Any:
    if activation == "RELU":
        return tf.nn.relu(x)
    if activation == "RELU6":
        return tf.nn.relu6(x)
    return x


def choice(rng: np.random.Generator, options: Sequence[Any]) -> Any:
    return options[int(rng.integers(len(options)))]


def spatial(rng: np.random.Generator, padding: str, window: int) -> int:
    """An input extent for ``window`` (effective kernel/pool size); VALID needs >= window."""
    low = window if padding == "VALID" else 1
    return int(rng.integers(low, max(MAX_SPATIAL, low) + 1))


def random_shape(rng: np.random.Generator, rank: int, max_dim: int = 8) -> Shape:
    """``[1, ...]``: batch 1, then ``rank - 1`` dims of 1..``max_dim``."""
    return [1] + [int(v) for v in rng.integers(1, max_dim + 1, size=rank - 1)]


_MAX_DIM_BY_RANK = {0: 1, 1: 16, 2: 10, 3: 7, 4: 5, 5: 4, 6: 3}


def nd_shape(rng: np.random.Generator, rank: int, max_dim: int | None = None) -> Shape:
    """A random shape of ``rank`` dims (the larger the rank, the smaller the dims); the first
    dim is 1 half the time (a batch of one)."""
    top = max_dim or _MAX_DIM_BY_RANK[rank]
    dims = [int(v) for v in rng.integers(1, top + 1, size=rank)]
    if rank > 1 and rng.random() < 0.5:
        dims[0] = 1
    return dims


def factorize(total: int, rank: int, rng: np.random.Generator) -> Shape:
    """A random shape ``[1, ...]`` of ``rank`` dims whose product is ``total``."""
    dims = [1] * rank
    rest = total
    for i in range(1, rank - 1):
        divisors = [d for d in range(1, rest + 1) if rest % d == 0]
        dims[i] = int(choice(rng, divisors))
        rest //= dims[i]
    dims[-1] = rest
    return dims if rank > 1 else [total]


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


def _converter(spec: Spec) -> Any:
    """TensorFlow's converter of the spec's function (float32 inputs of its shapes)."""
    tf = tf_module()
    signature = [tf.TensorSpec(shape, tf.float32) for shape in spec.input_shapes]
    func = tf.function(spec.fn, input_signature=signature, autograph=False)
    concrete = func.get_concrete_function()
    return tf.lite.TFLiteConverter.from_concrete_functions([concrete], func)


def _converted(converter: Any) -> bytes:
    with warnings.catch_warnings(), _quiet_native_output():
        warnings.simplefilter("ignore")
        return bytes(converter.convert())


def convert(spec: Spec, rng: np.random.Generator) -> bytes:
    tf = tf_module()
    converter = _converter(spec)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if not spec.dense_per_channel:
        converter._experimental_disable_per_channel_quantization_for_dense_layers = True
    if not spec.per_channel:
        converter._experimental_disable_per_channel = True
    if not spec.qat:
        data = _representative_data(rng, spec.input_shapes, spec.input_ranges)
        converter.representative_dataset = lambda: iter(data)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    if not spec.float_io:
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    return _converted(converter)


def convert_float(spec: Spec) -> bytes:
    """The spec converted as a float32 model (no quantization, TFLite builtins)."""
    return _converted(_converter(spec))


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


def fmt(value: Any) -> str:
    if isinstance(value, list):
        sep = "+" if value and isinstance(value[0], list) else "x"
        return sep.join(fmt(v) for v in value)
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)
