"""Lowering of SOFTMAX with int8 input and int8 output (scale 1/256, zero point -128)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tinygen.errors import TinygenError
from tinygen.ir import Graph, Op
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import expect, quant_of
from tinygen.reference.fixedpoint import quantize_multiplier

#: Integer bits of the fixed-point input of exp(): values in Q5.26.
SCALED_DIFF_INTEGER_BITS = 5


@dataclass(frozen=True)
class SoftmaxParams:
    rows: int
    depth: int
    input_multiplier: int
    input_left_shift: int
    diff_min: int


def lower_softmax(graph: Graph, index: int, op: Op) -> KernelCall:
    x = expect(graph, index, op, op.inputs[0], "input")
    y = expect(graph, index, op, op.outputs[0], "output")
    if x.size != y.size:
        raise TinygenError(f"operator {index} (SOFTMAX): input and output sizes differ")
    xq = quant_of(graph, op.inputs[0], "input", index, op)
    yq = quant_of(graph, op.outputs[0], "output", index, op)
    if yq.zero_point0 != -128 or np.float32(yq.scale0) != np.float32(1.0 / 256):
        raise TinygenError(
            f"operator {index} (SOFTMAX): an int8 output needs scale 1/256 and zero point "
            f"-128, has scale {yq.scale0} and zero point {yq.zero_point0}"
        )
    beta = float(np.float32(op.attrs.get("beta", 1.0)))
    if not (math.isfinite(beta) and beta > 0):
        raise TinygenError(f"operator {index} (SOFTMAX): beta is {beta}; it must be above 0")
    real = beta * float(xq.scale0) * float(1 << (31 - SCALED_DIFF_INTEGER_BITS))
    real = min(real, float((1 << 31) - 1))
    multiplier, left_shift = quantize_multiplier(real)
    if left_shift < 0:
        raise TinygenError(
            f"operator {index} (SOFTMAX): input scale times beta is too small "
            f"({beta * float(xq.scale0):g}) for the int8 kernel"
        )
    radius = (
        float((1 << SCALED_DIFF_INTEGER_BITS) - 1)
        * float(1 << (31 - SCALED_DIFF_INTEGER_BITS))
        / float(1 << left_shift)
    )
    depth = x.shape[-1] if x.shape else 1
    params = SoftmaxParams(
        rows=x.size // depth,
        depth=depth,
        input_multiplier=multiplier,
        input_left_shift=left_shift,
        diff_min=-math.floor(radius),
    )
    return KernelCall("softmax_s8", (op.inputs[0],), (op.outputs[0],), params)
