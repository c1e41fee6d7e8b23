"""Lowering of float32 operators: each becomes one call of a float32 C kernel
(runtime_c/include/tg_kernels_f32.h), computed as TensorFlow Lite's reference kernels do.

The operators that only move bytes (RESHAPE and its kind) lower as for int8.
"""

from __future__ import annotations

from tinygen.ir import Graph, Op
from tinygen.lowering.float32.core import CORE_LOWERERS
from tinygen.lowering.float32.elementwise import ELEMENTWISE_LOWERERS
from tinygen.lowering.float32.movement import MOVEMENT_LOWERERS
from tinygen.lowering.float32.other import OTHER_LOWERERS
from tinygen.lowering.float32.reduce import REDUCE_LOWERERS
from tinygen.lowering.lstm import lower_lstm
from tinygen.lowering.reshape import lower_reshape
from tinygen.lowering.svdf import lower_svdf

#: float32 operator kind -> lowering, as ``tinygen.lowering.LOWERERS`` for int8.
FLOAT_LOWERERS = {
    "RESHAPE": lower_reshape,
    "SQUEEZE": lower_reshape,
    "EXPAND_DIMS": lower_reshape,
    **CORE_LOWERERS,
    **ELEMENTWISE_LOWERERS,
    **MOVEMENT_LOWERERS,
    **REDUCE_LOWERERS,
    **OTHER_LOWERERS,
    "SVDF": lower_svdf,  # int8 or float32 by its input
    "UNIDIRECTIONAL_SEQUENCE_LSTM": lower_lstm,  # the same
}

#: Operators that convert between float32 and int8: lowered as int8 operators.
CONVERSIONS = frozenset({"QUANTIZE", "DEQUANTIZE"})


def computes_in_float(graph: Graph, op: Op) -> bool:
    """Whether ``op`` computes in float32: one of its tensors is float32 (SPLIT's first
    input is its axis, GATHER's data may be constant, ARG_MAX's output is an index), and
    it is not a conversion to or from int8."""
    if op.kind in CONVERSIONS:
        return False
    return any(t >= 0 and graph.tensors[t].dtype == "float32" for t in op.inputs + op.outputs)


__all__ = ["FLOAT_LOWERERS", "computes_in_float"]
