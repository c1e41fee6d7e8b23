"""Lowering of L2_NORMALIZATION on int8 tensors, along the last dimension.

TensorFlow Lite's integer arithmetic (TFLite Micro's is the same): each row's sum of
squares of (x - zero_point) in int32 gives 1/sqrt(sum) as a fixed-point multiplier and
shift (gemmlowp's Newton-Raphson inverse square root, GetInvSqrtQuantizedMultiplierExp),
computed at run time; each value (x - zero_point) is requantized by it with 7 more bits,
clamped to int8. The output's scale is therefore 1/128 and its zero point 0, which
TensorFlow Lite requires of the model (TFLite Micro does not check). No fused activation;
1 to 4 dimensions, as both interpreters require.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tinygen.errors import TinygenError
from tinygen.ir import Graph, Op
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import INT32_MAX, expect, quant_of

#: Elements one row may hold: the int32 sum of squares of (x - zero_point), each at most
#: 255², must not overflow.
MAX_DEPTH = INT32_MAX // (255 * 255)
OUTPUT_SCALE = np.float32(1.0 / 128.0)
#: The most dimensions both interpreters take.
MAX_DIMS = 4


@dataclass(frozen=True)
class L2NormalizationParams:
    outer: int  # rows
    depth: int  # elements of the last dimension
    input_zero_point: int


def _fail(index: int, message: str) -> TinygenError:
    return TinygenError(f"operator {index} (L2_NORMALIZATION): {message}")


def l2_rows(graph: Graph, index: int, op: Op, dtype: str = "int8") -> tuple[int, int]:
    """The rows and the depth (last dimension) of the ``dtype`` input, checked: input and
    output of one shape of 1 to MAX_DIMS dimensions, no fused activation."""
    def fail(message: str) -> TinygenError:
        return _fail(index, message)

    x = expect(graph, index, op, op.inputs[0], "input", (dtype,))
    y = expect(graph, index, op, op.outputs[0], "output", (dtype,))
    if not 1 <= len(x.shape) <= MAX_DIMS or tuple(x.shape) != tuple(y.shape):
        raise fail(f"the input {list(x.shape)} and the output {list(y.shape)} must have one "
                   f"shape of 1 to {MAX_DIMS} dimensions, as TensorFlow Lite and TFLite Micro "
                   "require")
    activation = op.attrs.get("activation", "NONE")
    if activation != "NONE":
        raise fail(f"the fused activation {activation} is not supported (TensorFlow Lite "
                   "supports none)")
    depth = int(x.shape[-1])
    return math.prod(x.shape) // max(depth, 1), depth


def lower_l2_normalization(graph: Graph, index: int, op: Op) -> KernelCall:
    def fail(message: str) -> TinygenError:
        return _fail(index, message)

    outer, depth = l2_rows(graph, index, op)
    if depth > MAX_DEPTH:
        raise fail(f"rows of {depth:,} elements would overflow the kernel's 32-bit sum of "
                   f"squares (at most {MAX_DEPTH:,})")
    xq = quant_of(graph, op.inputs[0], "input", index, op)
    yq = quant_of(graph, op.outputs[0], "output", index, op)
    if np.float32(yq.scale0) != OUTPUT_SCALE or yq.zero_point0 != 0:
        raise fail(f"the output has scale {yq.scale0:g} and zero point {yq.zero_point0}; the "
                   "int8 kernel writes scale 1/128 and zero point 0, which TensorFlow Lite "
                   "requires")
    params = L2NormalizationParams(
        outer=outer,
        depth=depth,
        input_zero_point=xq.zero_point0,
    )
    return KernelCall("l2_normalization_s8", (op.inputs[0],), (op.outputs[0],), params)
