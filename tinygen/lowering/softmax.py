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
    output_bits: int  # 8: int8 output (scale 1/256, zero point -128); 16: int16 (1/65536, -32768)


#: The output each output type needs (TFLM checks them in Prepare): (scale, zero point).
_OUTPUTS = {"int8": (1.0 / 256, -128), "int16": (1.0 / 65536, -32768)}


def lower_softmax(graph: Graph, index: int, op: Op) -> KernelCall:
    x = expect(graph, index, op, op.inputs[0], "input")
    y = expect(graph, index, op, op.outputs[0], "output", ("int8", "int16"))
    if x.size != y.size:
        raise TinygenError(f"operator {index} (SOFTMAX): input and output sizes differ")
    xq = quant_of(graph, op.inputs[0], "input", index, op)
    yq = quant_of(graph, op.outputs[0], "output", index, op)
    scale, zero_point = _OUTPUTS[y.dtype]
    close = abs(float(yq.scale0) - scale) <= 0.001 * scale if y.dtype == "int16" else (
        np.float32(yq.scale0) == np.float32(scale))
    if yq.zero_point0 != zero_point or not close:
        raise TinygenError(
            f"operator {index} (SOFTMAX): an {y.dtype} output needs scale 1/{round(1 / scale)} "
            f"and zero point {zero_point}, has scale {yq.scale0} and zero point "
            f"{yq.zero_point0}"
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
        output_bits=8 * y.itemsize,
    )
    return KernelCall("softmax_s8", (op.inputs[0],), (op.outputs[0],), params)
