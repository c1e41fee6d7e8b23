"""Lowering: each IR operator becomes one call of a C kernel with precomputed parameters.

``lower_graph`` checks the whole graph first and reports every problem in one
error: float16 or int16 activations, or the list of unsupported operators with
their indices. Operators computing in float32 take their lowering from
:mod:`tinygen.lowering.float32`.
"""

from __future__ import annotations

from collections.abc import Callable

from tinygen.errors import TinygenError
from tinygen.ir import Graph, Op
from tinygen.lowering.activations import (
    lower_hard_swish,
    lower_leaky_relu,
    lower_logistic,
    lower_prelu,
    lower_tanh,
)
from tinygen.lowering.add import lower_add
from tinygen.lowering.arg_minmax import lower_arg_minmax
from tinygen.lowering.batch_matmul import lower_batch_matmul
from tinygen.lowering.call import KernelCall
from tinygen.lowering.concatenation import lower_concatenation
from tinygen.lowering.conv import lower_conv
from tinygen.lowering.elementwise import lower_minmax, lower_squared_difference
from tinygen.lowering.float32 import FLOAT_LOWERERS, computes_in_float
from tinygen.lowering.fully_connected import lower_fully_connected
from tinygen.lowering.gather import lower_gather
from tinygen.lowering.l2_normalization import lower_l2_normalization
from tinygen.lowering.lstm import lower_lstm
from tinygen.lowering.mean import lower_mean
from tinygen.lowering.mirror_pad import lower_mirror_pad
from tinygen.lowering.movement import (
    lower_depth_to_space,
    lower_slice,
    lower_space_to_depth,
    lower_strided_slice,
    lower_transpose,
)
from tinygen.lowering.movement_split import lower_pack, lower_split, lower_split_v, lower_unpack
from tinygen.lowering.mul import lower_mul
from tinygen.lowering.pad import lower_pad
from tinygen.lowering.pooling import lower_pool
from tinygen.lowering.quantize import lower_dequantize, lower_quantize, lower_relu
from tinygen.lowering.reduce import lower_reduce_minmax, lower_sum
from tinygen.lowering.reshape import lower_reshape
from tinygen.lowering.resize import lower_resize_bilinear, lower_resize_nearest
from tinygen.lowering.softmax import lower_softmax
from tinygen.lowering.space_batch import lower_batch_to_space, lower_space_to_batch
from tinygen.lowering.svdf import lower_svdf
from tinygen.lowering.transpose_conv import lower_transpose_conv

Lowerer = Callable[[Graph, int, Op], KernelCall]

LOWERERS: dict[str, Lowerer] = {
    "CONV_2D": lower_conv,
    "DEPTHWISE_CONV_2D": lower_conv,
    "FULLY_CONNECTED": lower_fully_connected,
    "AVERAGE_POOL_2D": lower_pool,
    "MAX_POOL_2D": lower_pool,
    "SOFTMAX": lower_softmax,
    "ADD": lower_add,
    "SUB": lower_add,
    "MUL": lower_mul,
    "RESHAPE": lower_reshape,
    "SQUEEZE": lower_reshape,
    "EXPAND_DIMS": lower_reshape,
    "QUANTIZE": lower_quantize,
    "DEQUANTIZE": lower_dequantize,
    "RELU": lower_relu,
    "RELU6": lower_relu,
    "MEAN": lower_mean,
    "SUM": lower_sum,
    "REDUCE_MAX": lower_reduce_minmax,
    "REDUCE_MIN": lower_reduce_minmax,
    "ARG_MAX": lower_arg_minmax,
    "ARG_MIN": lower_arg_minmax,
    "L2_NORMALIZATION": lower_l2_normalization,
    "BATCH_MATMUL": lower_batch_matmul,
    "SPACE_TO_BATCH_ND": lower_space_to_batch,
    "BATCH_TO_SPACE_ND": lower_batch_to_space,
    "PAD": lower_pad,
    "PADV2": lower_pad,
    "CONCATENATION": lower_concatenation,
    "LOGISTIC": lower_logistic,
    "TANH": lower_tanh,
    "HARD_SWISH": lower_hard_swish,
    "LEAKY_RELU": lower_leaky_relu,
    "PRELU": lower_prelu,
    "MAXIMUM": lower_minmax,
    "MINIMUM": lower_minmax,
    "SQUARED_DIFFERENCE": lower_squared_difference,
    "TRANSPOSE": lower_transpose,
    "SLICE": lower_slice,
    "STRIDED_SLICE": lower_strided_slice,
    "SPACE_TO_DEPTH": lower_space_to_depth,
    "DEPTH_TO_SPACE": lower_depth_to_space,
    "SPLIT": lower_split,
    "SPLIT_V": lower_split_v,
    "UNPACK": lower_unpack,
    "PACK": lower_pack,
    "GATHER": lower_gather,
    "MIRROR_PAD": lower_mirror_pad,
    "TRANSPOSE_CONV": lower_transpose_conv,
    "RESIZE_NEAREST_NEIGHBOR": lower_resize_nearest,
    "RESIZE_BILINEAR": lower_resize_bilinear,
    "SVDF": lower_svdf,
    "UNIDIRECTIONAL_SEQUENCE_LSTM": lower_lstm,
}

#: Operators whose int8 kernels keep int16 state (TFLM's integer LSTM and SVDF); SOFTMAX
#: may also write int16.
INT16_STATE = frozenset({"UNIDIRECTIONAL_SEQUENCE_LSTM", "SVDF"})

#: Operators whose data inputs must be int8 in an int8 model.
_CONVERSIONS = {"QUANTIZE", "DEQUANTIZE"}


def _lowerer(graph: Graph, op: Op) -> Lowerer | None:
    table = FLOAT_LOWERERS if computes_in_float(graph, op) else LOWERERS
    return table.get(op.kind)


def check_supported(graph: Graph) -> None:
    """Raise one ``TinygenError`` naming everything that stops this graph compiling."""
    compute = [(i, op) for i, op in enumerate(graph.ops) if op.kind not in _CONVERSIONS]
    half = [
        i
        for i, op in compute
        if any(t >= 0 and graph.tensors[t].dtype == "float16" for t in op.inputs + op.outputs)
    ]
    if half:
        raise TinygenError(
            "float16 tensors are not supported (operators " + ", ".join(map(str, half))
            + "); convert the model with float32 or int8 tensors"
        )
    int16 = sorted(
        {
            i
            for i, op in compute
            for t in op.inputs + op.outputs
            if t >= 0 and graph.tensors[t].dtype == "int16" and not graph.tensors[t].is_constant
            and op.kind not in INT16_STATE and not (op.kind == "SOFTMAX" and t in op.outputs)
        }
    )
    if int16:
        raise TinygenError(
            "int16 activations are not supported (operators "
            + ", ".join(str(i) for i in int16)
            + "); convert the model with int8 activations"
        )
    unsupported: dict[str, list[int]] = {}
    for i, op in enumerate(graph.ops):
        if _lowerer(graph, op) is None:
            kind = f"{op.kind} on float32" if computes_in_float(graph, op) else op.kind
            unsupported.setdefault(kind, []).append(i)
    if unsupported:
        listing = "; ".join(
            f"{kind} (operator{'s' if len(idx) > 1 else ''} {', '.join(map(str, idx))})"
            for kind, idx in sorted(unsupported.items())
        )
        raise TinygenError(f"unsupported operators: {listing}")


def lower_graph(graph: Graph) -> list[KernelCall]:
    check_supported(graph)
    calls = []
    for i, op in enumerate(graph.ops):
        lowerer = _lowerer(graph, op)
        assert lowerer is not None  # check_supported
        calls.append(lowerer(graph, i, op))
    return calls


__all__ = ["LOWERERS", "KernelCall", "check_supported", "lower_graph"]
