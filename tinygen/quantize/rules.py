"""Which operators the pass quantizes, and the quantization rules of their tensors.

The rules are TensorFlow Lite's int8 quantization specification, as TensorFlow Lite's and
TFLite Micro's kernels accept it and TensorFlow's converter applies it:

* CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED have constant weights (see
  :mod:`weights`) and an output quantized from its calibrated range;
* AVERAGE_POOL_2D, MAX_POOL_2D, RESHAPE, SQUEEZE, EXPAND_DIMS and PAD require their output to
  have their input's scale and zero point (the kernels copy or compare int8 values), so
  the output takes the input's parameters;
* SOFTMAX's output is fixed at scale 1/256, zero point -128;
* ADD, MEAN, RELU and RELU6 requantize, so their outputs get their own calibrated ranges;
* a fused activation (or a standalone RELU / RELU6) clips its output's range to what the
  activation can produce: [0, ∞) for RELU, [0, 6] for RELU6, [-1, 1] for RELU_N1_TO_1.
"""

from __future__ import annotations

import numpy as np

from tinygen.errors import TinygenError
from tinygen.ir import NO_TENSOR, Graph, Op, Quantization
from tinygen.quantize.calibrate import TensorStats
from tinygen.quantize.float_ops import ACTIVATION_CLAMPS, KERNELS
from tinygen.quantize.ranges import choose_range, quantization

SAME_SCALE = frozenset(
    {"AVERAGE_POOL_2D", "MAX_POOL_2D", "RESHAPE", "SQUEEZE", "EXPAND_DIMS", "PAD"}
)
SOFTMAX_OUTPUT = (1.0 / 256.0, -128)
WEIGHTED = frozenset({"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"})
_INTEGER_TYPES = ("int8", "uint8", "int16")
#: Inputs that must be constant integer tensors (axes, shapes), by operator kind.
_INTEGER_INPUTS = {"MEAN": (1,), "EXPAND_DIMS": (1,), "RESHAPE": (1,), "PAD": (1,)}

#: Operator versions TensorFlow's converter writes for the int8 operators.
INT8_VERSIONS = {
    "CONV_2D": 3,
    "DEPTHWISE_CONV_2D": 3,
    "FULLY_CONNECTED": 4,
    "AVERAGE_POOL_2D": 2,
    "MAX_POOL_2D": 2,
    "SOFTMAX": 2,
    "ADD": 2,
    "MEAN": 2,
    "RELU": 2,
    "RELU6": 2,
    "RESHAPE": 1,
    "SQUEEZE": 1,
    "EXPAND_DIMS": 1,
    "PAD": 2,
    "QUANTIZE": 1,
    "DEQUANTIZE": 2,
}

_FLOAT16_HINT = (
    " (the model stores float16 weights; convert it to float32 without optimizations "
    "and quantize that)"
)


def _op_problems(graph: Graph, index: int, op: Op) -> list[str]:
    problems = []
    activation = op.attrs.get("activation", "NONE")
    if activation not in ACTIVATION_CLAMPS:
        problems.append(f"operator {index} ({op.kind}) has the fused activation {activation}")
    data = [t for t in op.inputs[: KERNELS[op.kind][1]] if t != NO_TENSOR]
    for slot in _INTEGER_INPUTS.get(op.kind, ()):
        if slot < len(op.inputs) and op.inputs[slot] != NO_TENSOR:
            tensor = graph.tensors[op.inputs[slot]]
            if not tensor.is_constant:
                problems.append(
                    f"operator {index} ({op.kind}) takes its '{tensor.name}' input from "
                    "another operator; it must be a constant"
                )
            data = [t for t in data if t != op.inputs[slot]]
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
                f"operator {index} ({op.kind}) computes its weights or bias at run time; "
                "they must be constants"
            )
        if op.attrs.get("weights_format", 0) != 0:
            problems.append(f"operator {index} (FULLY_CONNECTED) has shuffled weights")
    for t in data + list(op.outputs):
        if graph.tensors[t].dtype != "float32":
            problems.append(
                f"operator {index} ({op.kind}) has the {graph.tensors[t].dtype} tensor "
                f"'{graph.tensors[t].name}'; only float32 tensors are quantized"
            )
    if op.kind in SAME_SCALE | {"MEAN", "RELU", "RELU6", "SOFTMAX"} and (
        graph.tensors[op.inputs[0]].is_constant
    ):
        problems.append(f"operator {index} ({op.kind}) reads a constant; fold it first")
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
        if op.kind not in KERNELS:
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


def _clamped(
    low: float, high: float, clamp: tuple[float | None, float | None]
) -> tuple[float, float]:
    lo, hi = clamp
    return (low if lo is None else max(low, lo)), (high if hi is None else min(high, hi))


def activation_params(
    graph: Graph, stats: dict[int, TensorStats], method: str, percentile: float
) -> dict[int, Quantization]:
    """Quantization of every activation tensor (graph inputs and operator outputs)."""
    params: dict[int, Quantization] = {}
    for t in graph.inputs:
        params[t] = quantization(*choose_range(stats[t], method, percentile))
    for op in graph.ops:
        y = op.outputs[0]
        if op.kind in SAME_SCALE:
            params[y] = params[op.inputs[0]]
        elif op.kind == "SOFTMAX":
            scale, zero = SOFTMAX_OUTPUT
            params[y] = Quantization(np.array([scale], np.float32), np.array([zero], np.int64))
        else:
            low, high = _clamped(*choose_range(stats[y], method, percentile), output_clamp(op))
            params[y] = quantization(low, high)
    return params
