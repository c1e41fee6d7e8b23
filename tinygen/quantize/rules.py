"""Which operators the pass quantizes, and the quantization rules of their tensors.

The rules are TensorFlow Lite's int8 quantization specification, as TensorFlow Lite's and
TFLite Micro's kernels accept it and TensorFlow's converter applies it:

* CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and TRANSPOSE_CONV have constant weights
  (see :mod:`weights`; TRANSPOSE_CONV's per output channel, with its int32 bias) and an
  output quantized from its calibrated range;
* PRELU's constant alpha is symmetric int8 per tensor (as weights), its output has its own
  range; BATCH_MATMUL's two operands, computed at run time, keep their own quantizations
  and its output has its own range;
* ARG_MAX and ARG_MIN read their input as it is quantized and leave their int32 / int64
  index outputs as they are;
* the operators of ``SAME_SCALE`` (pooling, reshapes, the pads (PADV2's constant
  value quantized with its input's parameters), TRANSPOSE, the slices and
  splits, GATHER, SPACE_TO_DEPTH / DEPTH_TO_SPACE, SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND,
  the resizes, REDUCE_MAX / REDUCE_MIN)
  require their outputs to have their input's scale and zero point (the kernels copy,
  compare or interpolate int8 values);
* the operators of ``SHARED_INPUTS`` (CONCATENATION, PACK, MAXIMUM, MINIMUM) require all
  their inputs and their output to share one quantization: the output's calibrated range,
  which the inputs take over (:mod:`scales` says how, and where a requantize goes);
* SOFTMAX's and LOGISTIC's outputs are fixed at scale 1/256, zero point -128, TANH's and
  L2_NORMALIZATION's at scale 1/128, zero point 0;
* ADD, SUB, MUL, SQUARED_DIFFERENCE, MEAN, SUM, RELU, RELU6, LEAKY_RELU and HARD_SWISH
  requantize, so their outputs get their own calibrated ranges (and a constant operand
  its own range);
* a fused activation (or a standalone RELU / RELU6) clips its output's range to what the
  activation can produce: [0, ∞) for RELU, [0, 6] for RELU6, [-1, 1] for RELU_N1_TO_1.
"""

from __future__ import annotations

from collections.abc import Sequence

from tinygen.errors import TinygenError
from tinygen.ir import NO_TENSOR, Graph, Op
from tinygen.quantize import float_movement
from tinygen.quantize.float_ops import ACTIVATION_CLAMPS, KERNELS

SAME_SCALE = frozenset(
    {
        "AVERAGE_POOL_2D", "MAX_POOL_2D", "RESHAPE", "SQUEEZE", "EXPAND_DIMS", "PAD",
        "TRANSPOSE", "SLICE", "STRIDED_SLICE", "SPLIT", "SPLIT_V", "UNPACK",
        "SPACE_TO_DEPTH", "DEPTH_TO_SPACE", "RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR",
        "MIRROR_PAD", "GATHER", "REDUCE_MAX", "REDUCE_MIN", "SPACE_TO_BATCH_ND",
        "BATCH_TO_SPACE_ND", "PADV2",
    }
)
SHARED_INPUTS = frozenset({"CONCATENATION", "PACK", "MAXIMUM", "MINIMUM"})
#: Operators whose output quantization TensorFlow Lite fixes: (scale, zero point).
FIXED_OUTPUT = {
    "SOFTMAX": (1.0 / 256.0, -128),
    "LOGISTIC": (1.0 / 256.0, -128),
    "TANH": (1.0 / 128.0, 0),
    "L2_NORMALIZATION": (1.0 / 128.0, 0),
}
WEIGHTED = frozenset({"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"})
#: Operators whose outputs are indices (int32 / int64), not quantized.
INDEX_OUTPUT = frozenset({"ARG_MAX", "ARG_MIN"})
#: Inputs that must be constants (weights, biases, alphas, pad values), by operator kind.
_CONSTANT_INPUTS: dict[str, dict[int, str]] = {
    "TRANSPOSE_CONV": {1: "weights", 3: "bias"},
    "PRELU": {1: "alpha"},
    "PADV2": {2: "constant value"},
}
QUANTIZABLE = frozenset(KERNELS) | frozenset(float_movement.MOVERS)
_INTEGER_TYPES = ("int8", "uint8", "int16")
#: Inputs that must be constant integer tensors (axes, shapes, sizes), by operator kind.
_INTEGER_INPUTS: dict[str, tuple[int, ...]] = {
    "MEAN": (1,), "EXPAND_DIMS": (1,), "RESHAPE": (1,), "PAD": (1,), "TRANSPOSE": (1,),
    "SLICE": (1, 2), "STRIDED_SLICE": (1, 2, 3), "SPLIT": (0,), "SPLIT_V": (1, 2),
    "RESIZE_BILINEAR": (1,), "RESIZE_NEAREST_NEIGHBOR": (1,), "SUM": (1,), "REDUCE_MAX": (1,),
    "REDUCE_MIN": (1,), "MIRROR_PAD": (1,), "GATHER": (1,), "SPACE_TO_BATCH_ND": (1, 2),
    "BATCH_TO_SPACE_ND": (1, 2), "PADV2": (1,), "TRANSPOSE_CONV": (0,), "ARG_MAX": (1,),
    "ARG_MIN": (1,),
}
#: Operators whose output batch is their input's.
_KEEP_BATCH = frozenset({"CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D", "MAX_POOL_2D"})
#: Operators that must read an activation, not only constants (the graph should fold them).
_FOLDABLE = SAME_SCALE | SHARED_INPUTS | {
    "MEAN", "SUM", "RELU", "RELU6", "LEAKY_RELU", "SOFTMAX", "LOGISTIC", "TANH", "HARD_SWISH",
    "L2_NORMALIZATION", "ADD", "SUB", "MUL", "SQUARED_DIFFERENCE", "PRELU", "TRANSPOSE_CONV",
    "BATCH_MATMUL", "ARG_MAX", "ARG_MIN",
}


def data_slots(op: Op) -> list[int]:
    """The input slots of ``op`` that hold values to quantize (not axes, shapes or sizes;
    weights and biases included)."""
    if op.kind in float_movement.MOVERS:
        slots: Sequence[int] = float_movement.data_slots(op)
    else:
        slots = range(min(KERNELS[op.kind][1], len(op.inputs)))
    skip = _INTEGER_INPUTS.get(op.kind, ())
    return [k for k in slots if k not in skip and op.inputs[k] != NO_TENSOR]


_FLOAT16_HINT = (
    " (the model stores float16 weights; convert it to float32 without optimizations "
    "and quantize that)"
)


def _op_problems(graph: Graph, index: int, op: Op) -> list[str]:
    problems = []
    where = f"operator {index} ({op.kind})"
    activation = op.attrs.get("activation", "NONE")
    if activation not in ACTIVATION_CLAMPS:
        problems.append(f"{where} has the fused activation {activation}")
    elif op.kind == "CONCATENATION" and activation != "NONE":
        problems.append(f"{where} has the fused activation {activation}, which TensorFlow "
                        "Lite's int8 CONCATENATION does not apply")
    for slot in _INTEGER_INPUTS.get(op.kind, ()):
        if slot < len(op.inputs) and op.inputs[slot] != NO_TENSOR:
            tensor = graph.tensors[op.inputs[slot]]
            if not tensor.is_constant:
                problems.append(
                    f"{where} takes its '{tensor.name}' input from another operator; it must "
                    "be a constant"
                )
    data = [op.inputs[k] for k in data_slots(op)]
    if op.kind in WEIGHTED:
        computed = [
            slot
            for slot in (1, 2)
            if slot < len(op.inputs)
            and op.inputs[slot] != NO_TENSOR
            and not graph.tensors[op.inputs[slot]].is_constant
        ]
        if computed:
            problems.append(
                f"{where} computes its weights or bias at run time; they must be constants"
            )
        if op.attrs.get("weights_format", 0) != 0:
            problems.append(f"operator {index} (FULLY_CONNECTED) has shuffled weights")
    for slot, what in _CONSTANT_INPUTS.get(op.kind, {}).items():
        if slot < len(op.inputs) and op.inputs[slot] != NO_TENSOR and not (
            graph.tensors[op.inputs[slot]].is_constant
        ):
            problems.append(f"{where} computes its {what} at run time; it must be a constant")
    if op.kind == "BATCH_MATMUL" and any(graph.tensors[t].is_constant for t in data):
        problems.append(f"{where} has a constant operand; the pass quantizes BATCH_MATMUL of "
                        "two operands computed at run time")
    if op.kind in _KEEP_BATCH and data and graph.tensors[op.outputs[0]].shape[:1] != (
        graph.tensors[data[0]].shape[:1]
    ):
        problems.append(
            f"{where} reads a batch of {graph.tensors[data[0]].shape[0]} but stores an output "
            f"batch of {graph.tensors[op.outputs[0]].shape[0]} (a dilated convolution "
            "converted with a dynamic batch: SPACE_TO_BATCH_ND, the convolution, "
            "BATCH_TO_SPACE_ND); convert the model with a batch of 1 (for Keras: "
            "Input(shape, batch_size=1)), which makes it one dilated convolution"
        )
    if op.kind == "GATHER" and int(op.attrs.get("batch_dims", 0)):
        problems.append(f"{where} has batch_dims {op.attrs['batch_dims']}; the pass gathers "
                        "without batch dimensions")
    for mask in ("ellipsis_mask", "new_axis_mask"):
        if op.kind == "STRIDED_SLICE" and int(op.attrs.get(mask, 0)):
            problems.append(f"{where} has the {mask} {op.attrs[mask]}, which tinygen's int8 "
                            "STRIDED_SLICE does not take")
    outputs = [] if op.kind in INDEX_OUTPUT else list(op.outputs)
    for t in data + outputs:
        if graph.tensors[t].dtype != "float32":
            problems.append(
                f"{where} has the {graph.tensors[t].dtype} tensor "
                f"'{graph.tensors[t].name}'; only float32 tensors are quantized"
            )
    if op.kind in _FOLDABLE and data and all(graph.tensors[t].is_constant for t in data):
        problems.append(f"{where} reads only constants; fold it first")
    return problems


def check_quantizable(graph: Graph) -> None:
    """Raise one ``TinygenError`` naming everything that stops this graph being quantized."""
    activations = [graph.tensors[t] for t in graph.activation_tensors()]
    quantized = [t for t in activations if t.quant is not None or t.dtype in _INTEGER_TYPES]
    ints = [graph.tensors[t] for t in graph.inputs if graph.tensors[t].dtype != "float32"]
    if quantized or ints:
        which = (quantized or ints)[0]
        raise TinygenError(
            f"this is not a float model: its tensor '{which.name}' is {which.dtype}"
            + (" and already quantized" if which.quant else "")
            + "; tinygen quantize takes the float32 .tflite (converted without optimizations)"
        )
    unsupported: dict[str, list[int]] = {}
    problems: list[str] = []
    for i, op in enumerate(graph.ops):
        if op.kind not in QUANTIZABLE:
            unsupported.setdefault(op.kind, []).append(i)
        else:
            problems.extend(_op_problems(graph, i, op))
    parts = []
    if unsupported:
        listing = "; ".join(
            f"{kind} (operator{'s' if len(idx) > 1 else ''} {', '.join(map(str, idx))})"
            for kind, idx in sorted(unsupported.items())
        )
        hint = _FLOAT16_HINT if "DEQUANTIZE" in unsupported else ""
        parts.append(f"operators the quantization pass does not handle: {listing}{hint}")
    parts.extend(problems)
    if parts:
        raise TinygenError("cannot quantize this model: " + "; ".join(parts))


def output_clamp(op: Op) -> tuple[float | None, float | None]:
    """What the operator's activation lets its output be."""
    if op.kind in ("RELU", "RELU6"):
        return ACTIVATION_CLAMPS[op.kind]
    return ACTIVATION_CLAMPS[op.attrs.get("activation", "NONE")]


def clamped(
    low: float, high: float, clamp: tuple[float | None, float | None]
) -> tuple[float, float]:
    lo, hi = clamp
    return (low if lo is None else max(low, lo)), (high if hi is None else min(high, hi))
