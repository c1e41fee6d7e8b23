"""Lowering of CONCATENATION on int8 tensors, any axis, any number of inputs.

TensorFlow Lite's int8 kernels concatenate bytes: every input must have the output's
scale and zero point (TensorFlow's converter gives them that), so the kernel only copies.
Along the axis, the output is each input's slice after the other, for each index of the
dimensions before the axis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tinygen.errors import TinygenError, quoted
from tinygen.ir import Graph, Op
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import INT8_MAX, INT8_MIN, activation_range, expect, quant_of


@dataclass(frozen=True)
class ConcatenationParams:
    count: int  # inputs
    outer: int  # elements of the dimensions before the axis
    out_inner: int  # the output's elements from the axis on
    inner: np.ndarray  # int32, each input's elements from the axis on
    axis: int  # (the reference's; the kernel needs only the sizes)
    act_min: int
    act_max: int


def lower_concatenation(graph: Graph, index: int, op: Op, dtype: str = "int8") -> KernelCall:
    def fail(message: str) -> TinygenError:
        return TinygenError(f"operator {index} (CONCATENATION): {message}")

    y = expect(graph, index, op, op.outputs[0], "output", (dtype,))
    xs = [expect(graph, index, op, t, f"input {k}", (dtype,)) for k, t in enumerate(op.inputs)]
    rank = len(y.shape)
    axis = int(op.attrs.get("axis", 0))
    axis = axis + rank if axis < 0 else axis
    if not xs or not 0 <= axis < rank:
        raise fail(f"axis {op.attrs.get('axis')} for a {rank}-D output")
    for k, x in enumerate(xs):
        same = len(x.shape) == rank and all(
            a == b for d, (a, b) in enumerate(zip(x.shape, y.shape, strict=True)) if d != axis)
        if not same:
            raise fail(f"input {k} {quoted(x.name)} has shape {list(x.shape)}, which does not "
                       f"concatenate along axis {axis} into {list(y.shape)}")
    if sum(int(x.shape[axis]) for x in xs) != y.shape[axis]:
        raise fail(f"the inputs' sizes along axis {axis} do not add up to the output's "
                   f"{y.shape[axis]}")
    activation = op.attrs.get("activation", "NONE")
    if dtype == "int8":
        yq = quant_of(graph, op.outputs[0], "output", index, op)
        for k, t in enumerate(op.inputs):
            q = quant_of(graph, t, f"input {k}", index, op)
            if np.float32(q.scale0) != np.float32(yq.scale0) or q.zero_point0 != yq.zero_point0:
                raise fail(f"input {k} {quoted(graph.tensors[t].name)} (scale {q.scale0:g}, "
                           f"zero point {q.zero_point0}) must have the output's quantization "
                           f"(scale {yq.scale0:g}, zero point {yq.zero_point0}), as TensorFlow "
                           "Lite's int8 kernels require")
    if activation != "NONE":
        raise fail(f"the fused activation {activation} is not supported")
    act_min, act_max = (activation_range("NONE", float(yq.scale0), yq.zero_point0)
                        if dtype == "int8" else (INT8_MIN, INT8_MAX))  # (unused by the kernel)
    params = ConcatenationParams(
        count=len(xs),
        outer=math.prod(y.shape[:axis]),
        out_inner=math.prod(y.shape[axis:]),
        inner=np.array([math.prod(x.shape[axis:]) for x in xs], dtype=np.int32),
        axis=axis,
        act_min=act_min,
        act_max=act_max,
    )
    return KernelCall("concatenation_s8", tuple(op.inputs), (op.outputs[0],), params)
