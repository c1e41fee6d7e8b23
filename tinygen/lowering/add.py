"""Lowering of ADD and SUB on int8 tensors, with numpy-style broadcasting up to 6 dimensions.

SUB is ADD's arithmetic with the second scaled input subtracted (TensorFlow Lite's)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tinygen.errors import TinygenError
from tinygen.ir import Graph, Op
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import activation_range, expect, quant_of, rescale
from tinygen.lowering.fast import fast_add

MAX_DIMS = 6
LEFT_SHIFT_INT8 = 20


@dataclass(frozen=True)
class AddParams:
    size: int
    dims: int
    out_shape: tuple[int, ...]
    in1_strides: tuple[int, ...]
    in2_strides: tuple[int, ...]
    left_shift: int
    input1_offset: int
    input1_multiplier: int
    input1_shift: int
    input2_offset: int
    input2_multiplier: int
    input2_shift: int
    output_offset: int
    output_multiplier: int
    output_shift: int
    act_min: int
    act_max: int


def broadcast_strides(shape: tuple[int, ...], out_shape: tuple[int, ...]) -> tuple[int, ...]:
    """Element strides of ``shape`` read as ``out_shape``: 0 along broadcast axes."""
    padded = (1,) * (len(out_shape) - len(shape)) + tuple(shape)
    strides = [0] * len(out_shape)
    step = 1
    for axis in range(len(out_shape) - 1, -1, -1):
        strides[axis] = step if padded[axis] != 1 else 0
        step *= padded[axis]
    return tuple(strides)


def _pad(values: tuple[int, ...], fill: int) -> tuple[int, ...]:
    return (fill,) * (MAX_DIMS - len(values)) + values


@dataclass(frozen=True)
class Broadcast:
    """The shape walk two broadcasting inputs share (padded to MAX_DIMS)."""

    size: int
    out_shape: tuple[int, ...]
    in1_strides: tuple[int, ...]
    in2_strides: tuple[int, ...]


def broadcast(graph: Graph, index: int, op: Op, dtype: str = "int8") -> Broadcast:
    """The ``dtype`` inputs 0 and 1 of ``op`` broadcast into its output, or a TinygenError."""
    a = expect(graph, index, op, op.inputs[0], "first input", (dtype,))
    b = expect(graph, index, op, op.inputs[1], "second input", (dtype,))
    y = expect(graph, index, op, op.outputs[0], "output", (dtype,))
    where = f"operator {index} ({op.kind})"
    try:
        out_shape = tuple(int(d) for d in np.broadcast_shapes(a.shape, b.shape))
    except ValueError:
        raise TinygenError(
            f"{where}: shapes {list(a.shape)} and {list(b.shape)} do not broadcast"
        ) from None
    if len(out_shape) > MAX_DIMS:
        raise TinygenError(f"{where}: more than {MAX_DIMS} dimensions")
    if y.size != math.prod(out_shape):
        raise TinygenError(
            f"{where}: inputs {list(a.shape)} and {list(b.shape)} give "
            f"{list(out_shape)}, but the output is {list(y.shape)}"
        )
    return Broadcast(
        math.prod(out_shape),
        _pad(out_shape, 1),
        _pad(broadcast_strides(a.shape, out_shape), 0),
        _pad(broadcast_strides(b.shape, out_shape), 0),
    )


def scaled_pair_params(
    shape: Broadcast, offsets: tuple[int, int, int], left_shift: int,
    scales: tuple[tuple[int, int], tuple[int, int], tuple[int, int]], act: tuple[int, int],
) -> AddParams:
    """ADD's parameters (also SUB's and SQUARED_DIFFERENCE's): the shape walk, the input
    offsets and the output offset, the left shift, each input's and the output's multiplier
    and shift, and the activation range."""
    (m1, s1), (m2, s2), (mo, so) = scales
    return AddParams(
        size=shape.size,
        dims=MAX_DIMS,
        out_shape=shape.out_shape,
        in1_strides=shape.in1_strides,
        in2_strides=shape.in2_strides,
        left_shift=left_shift,
        input1_offset=offsets[0],
        input1_multiplier=m1,
        input1_shift=s1,
        input2_offset=offsets[1],
        input2_multiplier=m2,
        input2_shift=s2,
        output_offset=offsets[2],
        output_multiplier=mo,
        output_shift=so,
        act_min=act[0],
        act_max=act[1],
    )


def lower_add(graph: Graph, index: int, op: Op) -> KernelCall:
    shape = broadcast(graph, index, op)
    aq = quant_of(graph, op.inputs[0], "first input", index, op)
    bq = quant_of(graph, op.inputs[1], "second input", index, op)
    yq = quant_of(graph, op.outputs[0], "output", index, op)
    s1, s2, so = (float(np.float32(q.scale0)) for q in (aq, bq, yq))
    twice_max = 2 * max(s1, s2)
    m1, sh1 = rescale(s1 / twice_max, index, op, "first input")
    m2, sh2 = rescale(s2 / twice_max, index, op, "second input")
    mo, sho = rescale(twice_max / ((1 << LEFT_SHIFT_INT8) * so), index, op, "output")
    act_min, act_max = activation_range(op.attrs.get("activation", "NONE"), so, yq.zero_point0)
    offsets = (-aq.zero_point0, -bq.zero_point0, yq.zero_point0)
    params = scaled_pair_params(shape, offsets, LEFT_SHIFT_INT8, ((m1, sh1), (m2, sh2), (mo, sho)),
                                (act_min, act_max))
    if op.kind == "SUB":
        return KernelCall("sub_s8", (op.inputs[0], op.inputs[1]), (op.outputs[0],), params)
    shapes = {tuple(graph.tensors[t].shape) for t in (*op.inputs[:2], op.outputs[0])}
    dense = len(shapes) == 1
    fast = fast_add(params, dense)
    return KernelCall("add_s8", (op.inputs[0], op.inputs[1]), (op.outputs[0],), params, fast)
