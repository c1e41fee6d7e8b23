"""Lowering of SPLIT, SPLIT_V and UNPACK (one input, several outputs) and PACK on int8 tensors.

SPLIT, SPLIT_V and UNPACK cut the input along one axis: for each index of the dimensions
before the axis, the input holds each output's slice after the other, so one kernel,
``tg_split_s8``, copies those runs to the outputs (the inverse of CONCATENATION); UNPACK is
a split into slices of 1 whose axis the outputs drop. PACK is a CONCATENATION along a new
axis and runs its kernel. All of them copy bytes: every input and output must share one
quantization, as the converter writes them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tinygen.errors import quoted
from tinygen.ir import Graph, Op
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import expect
from tinygen.lowering.concatenation import ConcatenationParams
from tinygen.lowering.movement import MAX_DIMS, constant_vector, fail, same_quantization
from tinygen.lowering.reshape import CopyParams


@dataclass(frozen=True)
class SplitParams:
    count: int  # outputs
    outer: int  # elements of the dimensions before the axis
    in_inner: int  # the input's elements from the axis on
    inner: np.ndarray  # int32, each output's elements from the axis on
    axis: int  # (the reference's; the kernel needs only the sizes)


def _axis(index: int, op: Op, axis: int, rank: int) -> int:
    if not -rank <= axis < rank:
        raise fail(index, op, f"axis {axis} is outside the input's {rank} dimensions")
    return axis + rank if axis < 0 else axis


def _split(graph: Graph, index: int, op: Op, x_index: int, axis: int,
           sizes: list[int], drop_axis: bool, dtype: str = "int8") -> KernelCall:
    """Cut input ``x_index`` along ``axis`` into ``sizes`` (the outputs, in order); the
    parameters count elements (of ``dtype``)."""
    x = expect(graph, index, op, x_index, "input", (dtype,))
    shape = [int(d) for d in x.shape]
    if len(sizes) != len(op.outputs):
        raise fail(index, op, f"{len(sizes)} pieces for {len(op.outputs)} outputs")
    if any(s < 0 for s in sizes) or sum(sizes) != shape[axis]:
        raise fail(index, op, f"the sizes {sizes} do not add up to the input's "
                   f"{shape[axis]} along axis {axis}")
    inner = math.prod(shape[axis + 1:])
    for k, (t, size) in enumerate(zip(op.outputs, sizes, strict=True)):
        y = expect(graph, index, op, t, f"output {k}", (dtype,))
        want = shape[:axis] + ([] if drop_axis else [size]) + shape[axis + 1:]
        if [int(d) for d in y.shape] != want:
            raise fail(index, op, f"output {k} {quoted(y.name)} is {list(y.shape)}; the "
                       f"operator makes {want}")
        if dtype == "int8":
            same_quantization(graph, index, op, x_index, t, f"output {k}")
    if len(sizes) == 1:  # the whole input: the planner aliases the two
        return KernelCall("copy", (x_index,), (op.outputs[0],), CopyParams(x.nbytes))
    params = SplitParams(
        count=len(sizes),
        outer=math.prod(shape[:axis]),
        in_inner=shape[axis] * inner,
        inner=np.array([s * inner for s in sizes], dtype=np.int32),
        axis=axis,
    )
    return KernelCall("split_s8", (x_index,), tuple(op.outputs), params)


def lower_split(graph: Graph, index: int, op: Op, dtype: str = "int8") -> KernelCall:
    # inputs: the axis, then the tensor
    if len(op.inputs) != 2:
        raise fail(index, op, f"{len(op.inputs)} inputs; SPLIT takes the axis and a tensor")
    x = expect(graph, index, op, op.inputs[1], "input", (dtype,))
    rank = len(x.shape)
    axis = _axis(index, op, constant_vector(graph, index, op, 0, "axis", 1)[0], rank)
    count = len(op.outputs)
    if x.shape[axis] % count:
        raise fail(index, op, f"{x.shape[axis]} elements along axis {axis} do not split into "
                   f"{count} equal pieces")
    return _split(graph, index, op, op.inputs[1], axis, [int(x.shape[axis]) // count] * count,
                  False, dtype)


def lower_split_v(graph: Graph, index: int, op: Op, dtype: str = "int8") -> KernelCall:
    # inputs: the tensor, the size of each piece (one may be -1: the rest), the axis
    if len(op.inputs) != 3:
        raise fail(index, op, f"{len(op.inputs)} inputs; SPLIT_V takes a tensor, the sizes "
                   "and the axis")
    x = expect(graph, index, op, op.inputs[0], "input", (dtype,))
    rank = len(x.shape)
    axis = _axis(index, op, constant_vector(graph, index, op, 2, "axis", 1)[0], rank)
    sizes = constant_vector(graph, index, op, 1, "sizes", len(op.outputs))
    if sizes.count(-1) == 1:
        sizes[sizes.index(-1)] = int(x.shape[axis]) - sum(s for s in sizes if s != -1)
    return _split(graph, index, op, op.inputs[0], axis, sizes, False, dtype)


def lower_unpack(graph: Graph, index: int, op: Op, dtype: str = "int8") -> KernelCall:
    x = expect(graph, index, op, op.inputs[0], "input", (dtype,))
    rank = len(x.shape)
    axis = _axis(index, op, int(op.attrs.get("axis", 0)), rank)
    if int(x.shape[axis]) != len(op.outputs):
        raise fail(index, op, f"{len(op.outputs)} outputs for the {x.shape[axis]} elements "
                   f"along axis {axis}")
    return _split(graph, index, op, op.inputs[0], axis, [1] * len(op.outputs), True, dtype)


def lower_pack(graph: Graph, index: int, op: Op, dtype: str = "int8") -> KernelCall:
    y = expect(graph, index, op, op.outputs[0], "output", (dtype,))
    xs = [expect(graph, index, op, t, f"input {k}", (dtype,)) for k, t in enumerate(op.inputs)]
    shape = [int(d) for d in xs[0].shape]
    rank = len(shape) + 1
    if rank > MAX_DIMS:
        raise fail(index, op, f"the output {list(y.shape)} has more than {MAX_DIMS} dimensions")
    axis = _axis(index, op, int(op.attrs.get("axis", 0)), rank)
    for k, x in enumerate(xs):
        if [int(d) for d in x.shape] != shape:
            raise fail(index, op, f"input {k} {quoted(x.name)} is {list(x.shape)}, not the "
                       f"first input's {shape}")
        if dtype == "int8":
            same_quantization(graph, index, op, op.inputs[k], op.outputs[0], "output")
    want = [*shape[:axis], len(xs), *shape[axis:]]
    if [int(d) for d in y.shape] != want:
        raise fail(index, op, f"the output {quoted(y.name)} is {list(y.shape)}; packing "
                   f"{len(xs)} inputs of {shape} along axis {axis} makes {want}")
    inner = math.prod(shape[axis:])
    params = ConcatenationParams(
        count=len(xs),
        outer=math.prod(shape[:axis]),
        out_inner=len(xs) * inner,
        inner=np.full(len(xs), inner, dtype=np.int32),
        axis=axis,
        act_min=-128,
        act_max=127,
    )
    return KernelCall("pack_s8", tuple(op.inputs), (op.outputs[0],), params)
