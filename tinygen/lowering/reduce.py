"""Lowering of SUM, REDUCE_MAX and REDUCE_MIN on int8 tensors (constant axes, up to 6-D).

The axes are MEAN's (``tinygen.lowering.mean.reduction``): any subset, negative or
repeated, keep_dims or not. SUM is TFLite Micro's integer sum then one requantization by
input_scale / output_scale (QuantizeMultiplier of the double quotient), the arithmetic of
MEAN without MEAN's 1/count, so it runs on MEAN's kernel. REDUCE_MAX and REDUCE_MIN pick
the largest or smallest int8 value; both interpreters require the input and output to
share their scale and zero point, so no requantization happens.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinygen.errors import TinygenError
from tinygen.ir import Graph, Op
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import quant_of
from tinygen.lowering.mean import ReductionWalk, reduction, sum_call


@dataclass(frozen=True)
class ReduceMinMaxParams(ReductionWalk):
    minimum: int  # 1: REDUCE_MIN, 0: REDUCE_MAX


def lower_sum(graph: Graph, index: int, op: Op) -> KernelCall:
    """SUM runs on MEAN's kernel: the same sums, requantized without the division."""
    return sum_call(graph, index, op, divide=False)


def lower_reduce_minmax(graph: Graph, index: int, op: Op) -> KernelCall:
    r = reduction(graph, index, op)
    xq = quant_of(graph, op.inputs[0], "input", index, op)
    yq = quant_of(graph, op.outputs[0], "output", index, op)
    if np.float32(xq.scale0) != np.float32(yq.scale0) or xq.zero_point0 != yq.zero_point0:
        raise TinygenError(
            f"operator {index} ({op.kind}): the input (scale {xq.scale0:g}, zero point "
            f"{xq.zero_point0}) and the output (scale {yq.scale0:g}, zero point "
            f"{yq.zero_point0}) must share their quantization, as TensorFlow Lite and TFLite "
            "Micro require"
        )
    minimum = op.kind == "REDUCE_MIN"
    params = ReduceMinMaxParams(**r.walk(), minimum=int(minimum))
    kernel = "reduce_min_s8" if minimum else "reduce_max_s8"
    return KernelCall(kernel, (op.inputs[0],), (op.outputs[0],), params)
