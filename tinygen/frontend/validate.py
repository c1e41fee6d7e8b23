"""Checks of a graph as a frontend (or a user of the API) built it, before anything compiles it.

``check_graph`` refuses, with a sentence naming the tensor or operator and what is wrong:

* tensors: a negative or non-numeric size, more elements or bytes than a 32-bit size
  holds (the generated C's sizes and offsets are ``int32_t``), a type without a fixed
  size on a tensor that would live in the arena, constant data whose type or shape is
  not the tensor's;
* quantization: a scale that is zero, negative, NaN or infinite; as many zero points as
  scales; one scale per channel along a quantized dimension the tensor has; int8, uint8
  and int16 zero points in their type's range; per-channel parameters on a tensor that
  is not constant;
* operators: tensor indices out of range, no output, too few or too many inputs and
  outputs for the operators tinygen knows, an activation tensor with no elements, a
  tensor read before it is written (a cycle, or operators out of order), written twice,
  a constant or a graph input written;
* size: more than ``MAX_OPERATORS`` operators or ``MAX_TENSORS`` tensors;
* the graph's inputs and outputs: indices out of range, constant, outputs nothing writes,
  no output at all.
"""

from __future__ import annotations

import math

import numpy as np

from tinygen.errors import TinygenError, quoted
from tinygen.ir import DTYPE_SIZES, NO_TENSOR, Graph, Op

INT32_MAX = (1 << 31) - 1
#: The most operators and tensors a graph may have. Models for microcontrollers have tens
#: to hundreds; planning is quadratic in the operators, so a hostile file with many more
#: would take minutes instead of seconds.
MAX_OPERATORS = 1000
MAX_TENSORS = 16384

#: Data inputs (at least, at most; None: any number) and outputs of the operators that
#: tinygen's passes and lowering read; other kinds are only checked for valid indices.
ARITY: dict[str, tuple[tuple[int, int | None], tuple[int, int]]] = {
    "CONV_2D": ((2, 3), (1, 1)),
    "DEPTHWISE_CONV_2D": ((2, 3), (1, 1)),
    "FULLY_CONNECTED": ((2, 3), (1, 1)),
    "AVERAGE_POOL_2D": ((1, 1), (1, 1)),
    "MAX_POOL_2D": ((1, 1), (1, 1)),
    "SOFTMAX": ((1, 1), (1, 1)),
    "ADD": ((2, 2), (1, 1)),
    "SUB": ((2, 2), (1, 1)),
    "MUL": ((2, 2), (1, 1)),
    "RESHAPE": ((1, 2), (1, 1)),
    "SQUEEZE": ((1, 1), (1, 1)),
    "EXPAND_DIMS": ((2, 2), (1, 1)),
    "QUANTIZE": ((1, 1), (1, 1)),
    "DEQUANTIZE": ((1, 1), (1, 1)),
    "RELU": ((1, 1), (1, 1)),
    "RELU6": ((1, 1), (1, 1)),
    "MEAN": ((2, 2), (1, 1)),
    "SPACE_TO_BATCH_ND": ((3, 3), (1, 1)),
    "BATCH_TO_SPACE_ND": ((3, 3), (1, 1)),
    "SHAPE": ((1, 1), (1, 1)),
    "PACK": ((1, None), (1, 1)),
    "CONCATENATION": ((1, None), (1, 1)),
    "STRIDED_SLICE": ((3, 4), (1, 1)),
    "SLICE": ((3, 3), (1, 1)),
    "GATHER": ((2, 2), (1, 1)),
    "CAST": ((1, 1), (1, 1)),
    "TRANSPOSE": ((2, 2), (1, 1)),
    "TILE": ((2, 2), (1, 1)),
    "FILL": ((2, 2), (1, 1)),
    "RANGE": ((3, 3), (1, 1)),
    "SPLIT": ((2, 2), (1, MAX_TENSORS)),
    "SPLIT_V": ((3, 3), (1, MAX_TENSORS)),
    "UNPACK": ((1, 1), (1, MAX_TENSORS)),
    "SPACE_TO_DEPTH": ((1, 1), (1, 1)),
    "DEPTH_TO_SPACE": ((1, 1), (1, 1)),
    "MIRROR_PAD": ((2, 2), (1, 1)),
    "SUM": ((2, 2), (1, 1)),
    "REDUCE_MAX": ((2, 2), (1, 1)),
    "REDUCE_MIN": ((2, 2), (1, 1)),
    "ARG_MAX": ((2, 2), (1, 1)),
    "ARG_MIN": ((2, 2), (1, 1)),
    "L2_NORMALIZATION": ((1, 1), (1, 1)),
    "BATCH_MATMUL": ((2, 2), (1, 1)),
    "LOGISTIC": ((1, 1), (1, 1)),
    "TANH": ((1, 1), (1, 1)),
    "HARD_SWISH": ((1, 1), (1, 1)),
    "LEAKY_RELU": ((1, 1), (1, 1)),
    "PRELU": ((2, 2), (1, 1)),
    "MAXIMUM": ((2, 2), (1, 1)),
    "MINIMUM": ((2, 2), (1, 1)),
    "SQUARED_DIFFERENCE": ((2, 2), (1, 1)),
}
#: Operators whose later inputs may be absent (TFLite's -1): the bias of these.
_OPTIONAL_INPUTS = {"CONV_2D": 2, "DEPTHWISE_CONV_2D": 2, "FULLY_CONNECTED": 2}
#: Zero-point ranges of the integer types the kernels quantize.
_ZERO_POINT_RANGES = {"int8": (-128, 127), "uint8": (0, 255), "int16": (-32768, 32767)}


def _name(graph: Graph, index: int) -> str:
    return f"tensor {index} {quoted(graph.tensors[index].name)}"


def check_tensor(graph: Graph, index: int) -> None:
    """One tensor's shape, size, data and quantization."""
    t = graph.tensors[index]
    who = _name(graph, index)
    if any(not isinstance(d, int | np.integer) or d < 0 for d in t.shape):
        raise TinygenError(f"{who} has shape {list(t.shape)}: sizes must be whole numbers >= 0")
    if t.size > INT32_MAX or (t.dtype in DTYPE_SIZES and t.nbytes > INT32_MAX):
        raise TinygenError(
            f"{who} has shape {list(t.shape)}: {t.size:,} elements of {t.dtype}, more than "
            f"the 32-bit sizes of the generated C hold ({INT32_MAX:,} bytes at most)"
        )
    signature = t.shape_signature or ()
    if any(d < -1 for d in signature) or math.prod(d for d in signature if d > 0) > INT32_MAX:
        raise TinygenError(f"{who} has the impossible shape signature {list(signature)}")
    data = t.data
    if (
        data is not None
        and t.dtype in DTYPE_SIZES
        and (data.dtype != np.dtype(t.dtype) or tuple(data.shape) != tuple(t.shape))
    ):
        raise TinygenError(
            f"{who} is declared {t.dtype} {list(t.shape)} but its data is "
            f"{data.dtype} {list(data.shape)}"
        )
    if t.quant is not None:
        _check_quantization(graph, index)


def _check_quantization(graph: Graph, index: int) -> None:
    t = graph.tensors[index]
    q = t.quant
    assert q is not None
    who = _name(graph, index)
    scale, zero = np.asarray(q.scale).reshape(-1), np.asarray(q.zero_point).reshape(-1)
    bad = [float(s) for s in scale if not (np.isfinite(s) and s > 0)]
    if bad:
        raise TinygenError(
            f"{who} has the quantization scale {bad[0]}: scales must be finite and above 0"
        )
    if zero.size != scale.size:
        raise TinygenError(
            f"{who} has {scale.size} quantization scales but {zero.size} zero points"
        )
    if scale.size > 1:
        if not t.is_constant:
            raise TinygenError(
                f"{who} is not constant but has per-channel quantization ({scale.size} scales); "
                "only constant weights are quantized per channel"
            )
        # a 1-D tensor (a bias) has one axis whatever the file says: older converters
        # wrote the weights' quantized dimension (3) on the biases, which TFLM accepts
        one_axis = len(t.shape) == 1 and t.shape[0] == scale.size
        if not one_axis and (not 0 <= q.axis < len(t.shape) or t.shape[q.axis] != scale.size):
            raise TinygenError(
                f"{who} has {scale.size} quantization scales along dimension {q.axis}, "
                f"but its shape is {list(t.shape)}"
            )
    low, high = _ZERO_POINT_RANGES.get(t.dtype, (-(1 << 63), (1 << 63) - 1))
    outside = [int(z) for z in zero if not low <= z <= high]
    if outside:
        raise TinygenError(
            f"{who} is {t.dtype} with the zero point {outside[0]}, outside [{low}, {high}]"
        )


def _check_arity(index: int, op: Op) -> None:
    limits = ARITY.get(op.kind)
    if limits is None:
        return
    (least, most), (out_least, out_most) = limits
    given, written = len(op.inputs), len(op.outputs)
    where = f"operator {index} ({op.kind})"
    if given < least or (most is not None and given > most):
        wanted = (
            f"{least}" if least == most else f"{least} or more" if most is None
            else f"{least} to {most}"
        )
        raise TinygenError(f"{where} has {given} inputs; it takes {wanted}")
    if not out_least <= written <= out_most:
        raise TinygenError(f"{where} has {written} outputs; it has {out_least}")
    optional = _OPTIONAL_INPUTS.get(op.kind, given)
    absent = [k for k, t in enumerate(op.inputs) if t == NO_TENSOR and k < optional]
    if absent:
        raise TinygenError(f"{where} lacks its input {absent[0]}")


def _check_operator(graph: Graph, index: int, op: Op, writer: dict[int, int]) -> None:
    where = f"operator {index} ({op.kind})"
    count = len(graph.tensors)
    for t in op.inputs + op.outputs:
        if t != NO_TENSOR and not 0 <= t < count:
            raise TinygenError(f"{where} refers to tensor {t}, but the graph has {count} tensors")
    if not op.outputs:
        raise TinygenError(f"{where} writes no tensor")
    _check_arity(index, op)
    for t in op.inputs:
        if t == NO_TENSOR or graph.tensors[t].is_constant or t in graph.inputs:
            continue
        if graph.tensors[t].variable:  # state: read and updated by its operator in place
            continue
        if t not in writer:
            later = next((i for i, o in enumerate(graph.ops) if t in o.outputs), None)
            if later is None:
                raise TinygenError(
                    f"{where} reads {_name(graph, t)}, which no operator writes and which "
                    "is no graph input"
                )
            raise TinygenError(
                f"{where} reads {_name(graph, t)} before operator {later} "
                f"({graph.ops[later].kind}) writes it: the operators form a cycle or are "
                "out of order"
            )
    for t in op.outputs:
        if t == NO_TENSOR:
            raise TinygenError(f"{where} has an absent output (-1)")
        if graph.tensors[t].is_constant:
            raise TinygenError(f"{where} writes {_name(graph, t)}, which is constant")
        if t in graph.inputs:
            raise TinygenError(f"{where} writes {_name(graph, t)}, which is a graph input")
        if t in writer:
            raise TinygenError(
                f"{where} writes {_name(graph, t)}, which operator {writer[t]} writes too"
            )
        writer[t] = index
    for t in op.inputs + op.outputs:
        _check_activation(graph, t, where)


def _check_activation(graph: Graph, t: int, where: str) -> None:
    """An arena tensor must hold at least one element of a type with a fixed size."""
    if t == NO_TENSOR or graph.tensors[t].is_constant:
        return
    tensor = graph.tensors[t]
    if tensor.dtype not in DTYPE_SIZES:
        raise TinygenError(
            f"{where}: {_name(graph, t)} is of type {tensor.dtype}, which tinygen cannot keep "
            "in its arena (it compiles int8 models)"
        )
    if tensor.size == 0:
        raise TinygenError(
            f"{where}: {_name(graph, t)} has shape {list(tensor.shape)} and holds no elements"
        )


def _check_io(graph: Graph, writer: dict[int, int]) -> None:
    count = len(graph.tensors)
    if not graph.outputs:
        raise TinygenError("the graph has no outputs: there is nothing to compute")
    for which, indices in (("input", graph.inputs), ("output", graph.outputs)):
        for t in indices:
            if not 0 <= t < count:
                raise TinygenError(f"graph {which} {t} is no tensor (the graph has {count})")
            if graph.tensors[t].is_constant:
                raise TinygenError(f"graph {which} {_name(graph, t)} is constant")
            _check_activation(graph, t, f"graph {which}")
    for t in graph.outputs:
        if t not in writer and t not in graph.inputs:
            raise TinygenError(
                f"graph output {_name(graph, t)} is written by no operator and is no input"
            )


def check_counts(operators: int, tensors: int) -> None:
    for count, what, most in ((operators, "operators", MAX_OPERATORS),
                              (tensors, "tensors", MAX_TENSORS)):  # fmt: skip
        if count > most:
            raise TinygenError(
                f"the model has {count:,} {what}; tinygen compiles at most {most:,} (models "
                "for microcontrollers have far fewer: this one is likely damaged)"
            )


def check_graph(graph: Graph) -> None:
    """Raise a ``TinygenError`` on the first thing that makes ``graph`` no valid model."""
    check_counts(len(graph.ops), len(graph.tensors))
    for index in range(len(graph.tensors)):
        check_tensor(graph, index)
    writer: dict[int, int] = {}
    for index, op in enumerate(graph.ops):
        _check_operator(graph, index, op, writer)
    _check_io(graph, writer)
