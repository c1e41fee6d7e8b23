"""Lowering of ARG_MAX and ARG_MIN on int8 tensors: the index of the largest (smallest) value
along one axis, written as int32 or int64 as the operator's output_type says.

The comparison is strict, so of equal values the first index wins, as in TensorFlow Lite's
and TFLite Micro's kernels. The int8 values are compared as stored: a positive scale keeps
their order, so the quantization does not matter. TFLite Micro computes int32 indices only;
an int64 ARG_MAX (tf.argmax's default) is checked against TensorFlow Lite alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tinygen.errors import TinygenError, quoted
from tinygen.ir import Graph, Op
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import expect
from tinygen.lowering.space_batch import constant_ints

#: Bytes of each index type the kernel writes.
INDEX_BYTES = {"int32": 4, "int64": 8}


@dataclass(frozen=True)
class ArgMinMaxParams:
    outer: int  # elements of the dimensions before the axis
    axis_size: int
    inner: int  # elements of the dimensions after the axis
    minimum: int  # 1: ARG_MIN, 0: ARG_MAX
    index_bytes: int  # 4: int32 indices, 8: int64


def lower_arg_minmax(graph: Graph, index: int, op: Op) -> KernelCall:
    return arg_minmax_call(graph, index, op, "int8")


def arg_minmax_call(graph: Graph, index: int, op: Op, dtype: str) -> KernelCall:
    """The ``arg_max_<s8|f32>`` or ``arg_min_<s8|f32>`` call of ``op``, whose input is
    ``dtype`` (int8 or float32)."""

    def fail(message: str) -> TinygenError:
        return TinygenError(f"operator {index} ({op.kind}): {message}")

    x = expect(graph, index, op, op.inputs[0], "input", (dtype,))
    y = expect(graph, index, op, op.outputs[0], "output", tuple(INDEX_BYTES))
    expect(graph, index, op, op.inputs[1], "axis", ("int32", "int64"))
    declared = op.attrs.get("output_type", y.dtype)
    if declared != y.dtype:
        raise fail(f"its options ask for {declared} indices, but the output "
                   f"{quoted(y.name)} is {y.dtype}")
    axis_values = constant_ints(graph, op.inputs[1])
    if axis_values is None:
        raise fail("the axis is computed at run time; tinygen needs it constant")
    rank = len(x.shape)
    if axis_values.size != 1 or rank < 1:
        raise fail(f"takes one axis of a tensor of 1 or more dimensions, has "
                   f"{axis_values.reshape(-1).tolist()} for shape {list(x.shape)}")
    given = int(axis_values.reshape(-1)[0])
    if not -rank <= given < rank:
        raise fail(f"axis {given} does not lie in the input's {rank} dimensions")
    axis = given % rank
    out_shape = tuple(d for i, d in enumerate(x.shape) if i != axis)
    if math.prod(y.shape) != math.prod(out_shape):
        raise fail(f"the indices of {list(x.shape)} along axis {axis} are "
                   f"{list(out_shape)}, but the output {quoted(y.name)} is {list(y.shape)}")
    if x.shape[axis] < 1:
        raise fail("the axis has no elements")
    params = ArgMinMaxParams(
        outer=math.prod(x.shape[:axis]),
        axis_size=int(x.shape[axis]),
        inner=math.prod(x.shape[axis + 1 :]),
        minimum=int(op.kind == "ARG_MIN"),
        index_bytes=INDEX_BYTES[y.dtype],
    )
    suffix = "f32" if dtype == "float32" else "s8"
    kernel = f"arg_min_{suffix}" if op.kind == "ARG_MIN" else f"arg_max_{suffix}"
    return KernelCall(kernel, (op.inputs[0],), (op.outputs[0],), params)


def index_dtype(p: ArgMinMaxParams) -> type:
    return np.int64 if p.index_bytes == 8 else np.int32
