"""Lowering of MAXIMUM, MINIMUM and SQUARED_DIFFERENCE on int8 tensors, with numpy-style
broadcasting up to 6 dimensions (ADD's shape walk, tinygen/lowering/add.py).

MAXIMUM and MINIMUM compare the stored bytes, as TensorFlow Lite's and TFLite Micro's int8
kernels do: the converter gives both inputs and the output one quantization, where that
is the real maximum; with other quantizations it is still what both interpreters compute.

SQUARED_DIFFERENCE is TensorFlow Lite's: each offset input shifted left by 7 bits and
scaled by its scale / (2 max scale), the difference squared, requantized by
(2 max scale)^2 / (2^14 output scale), plus the output's zero point, clamped to int8. Its
parameters are ADD's (``tg_add_params``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tinygen.errors import TinygenError
from tinygen.ir import Graph, Op
from tinygen.lowering.add import MAX_DIMS, broadcast, scaled_pair_params
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import INT8_MAX, INT8_MIN, quant_of, rescale

#: SQUARED_DIFFERENCE's left shift of the offset int8 inputs (255^2 * 2^14 fits int32).
SQUARED_DIFFERENCE_LEFT_SHIFT = 7


@dataclass(frozen=True)
class MinMaxParams:
    size: int
    dims: int
    out_shape: tuple[int, ...]
    in1_strides: tuple[int, ...]
    in2_strides: tuple[int, ...]


def lower_minmax(graph: Graph, index: int, op: Op) -> KernelCall:
    shape = broadcast(graph, index, op)
    params = MinMaxParams(
        size=shape.size,
        dims=MAX_DIMS,
        out_shape=shape.out_shape,
        in1_strides=shape.in1_strides,
        in2_strides=shape.in2_strides,
    )
    kernel = "maximum_s8" if op.kind == "MAXIMUM" else "minimum_s8"
    return KernelCall(kernel, (op.inputs[0], op.inputs[1]), (op.outputs[0],), params)


def lower_squared_difference(graph: Graph, index: int, op: Op) -> KernelCall:
    shape = broadcast(graph, index, op)
    aq = quant_of(graph, op.inputs[0], "first input", index, op)
    bq = quant_of(graph, op.inputs[1], "second input", index, op)
    yq = quant_of(graph, op.outputs[0], "output", index, op)
    s1, s2, so = (float(np.float32(q.scale0)) for q in (aq, bq, yq))
    twice_max = 2.0 * max(s1, s2)
    if not (math.isfinite(twice_max) and twice_max > 0):
        raise TinygenError(f"operator {index} ({op.kind}): the input scales are {s1:g} and "
                           f"{s2:g}; one must be above 0")
    shift = SQUARED_DIFFERENCE_LEFT_SHIFT
    m1, sh1 = rescale(s1 / twice_max, index, op, "first input")
    m2, sh2 = rescale(s2 / twice_max, index, op, "second input")
    mo, sho = rescale(twice_max * twice_max / (float(1 << (2 * shift)) * so), index, op,
                      "output")
    offsets = (-aq.zero_point0, -bq.zero_point0, yq.zero_point0)
    params = scaled_pair_params(shape, offsets, shift, ((m1, sh1), (m2, sh2), (mo, sho)),
                                (INT8_MIN, INT8_MAX))
    return KernelCall("squared_difference_s8", (op.inputs[0], op.inputs[1]), (op.outputs[0],),
                      params)
