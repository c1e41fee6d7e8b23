"""Lowering of MUL on int8 tensors, with numpy-style broadcasting up to 6 dimensions.

TensorFlow Lite's arithmetic: (x1 + offset1) * (x2 + offset2), requantized by
s1 s2 / s_out, plus the output's zero point, clamped to the fused activation's range.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinygen.ir import Graph, Op
from tinygen.lowering.add import MAX_DIMS, broadcast
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import activation_range, quant_of, rescale


@dataclass(frozen=True)
class MulParams:
    size: int
    dims: int
    out_shape: tuple[int, ...]
    in1_strides: tuple[int, ...]
    in2_strides: tuple[int, ...]
    input1_offset: int
    input2_offset: int
    output_offset: int
    output_multiplier: int
    output_shift: int
    act_min: int
    act_max: int


def lower_mul(graph: Graph, index: int, op: Op) -> KernelCall:
    shape = broadcast(graph, index, op)
    aq = quant_of(graph, op.inputs[0], "first input", index, op)
    bq = quant_of(graph, op.inputs[1], "second input", index, op)
    yq = quant_of(graph, op.outputs[0], "output", index, op)
    s1, s2, so = (float(np.float32(q.scale0)) for q in (aq, bq, yq))
    multiplier, shift = rescale(s1 * s2 / so, index, op, "output")
    act_min, act_max = activation_range(op.attrs.get("activation", "NONE"), so, yq.zero_point0)
    params = MulParams(
        size=shape.size,
        dims=MAX_DIMS,
        out_shape=shape.out_shape,
        in1_strides=shape.in1_strides,
        in2_strides=shape.in2_strides,
        input1_offset=-aq.zero_point0,
        input2_offset=-bq.zero_point0,
        output_offset=yq.zero_point0,
        output_multiplier=multiplier,
        output_shift=shift,
        act_min=act_min,
        act_max=act_max,
    )
    return KernelCall("mul_s8", (op.inputs[0], op.inputs[1]), (op.outputs[0],), params)
