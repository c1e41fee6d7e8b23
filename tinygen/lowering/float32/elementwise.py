"""Lowering of the float32 element-wise operators and activations (RELU, RELU6, LOGISTIC,
TANH, HARD_SWISH, LEAKY_RELU, PRELU, MAXIMUM, MINIMUM, SQUARED_DIFFERENCE) and of
L2_NORMALIZATION, each computed as TensorFlow Lite's float reference kernel.

MAXIMUM, MINIMUM and SQUARED_DIFFERENCE run the broadcasting ``binary_f32`` kernel of
:mod:`tinygen.lowering.float32.core`; PRELU shares the int8 lowering's shape walk, and
L2_NORMALIZATION its row geometry.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinygen.errors import TinygenError
from tinygen.ir import Graph, Op
from tinygen.lowering.activations import prelu_broadcast
from tinygen.lowering.add import MAX_DIMS
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import expect
from tinygen.lowering.float32.core import lower_binary_f32
from tinygen.lowering.l2_normalization import l2_rows

F32 = ("float32",)

#: TensorFlow Lite's epsilon of the float L2_NORMALIZATION: the least norm divided by.
L2_EPSILON = np.float32(1e-6)


@dataclass(frozen=True)
class ReluF32Params:
    size: int
    upper: np.float32  # RELU6's 6
    bounded: int  # 1: clamp to upper too (RELU6), 0: only below at 0 (RELU)


@dataclass(frozen=True)
class UnaryF32Params:
    size: int


@dataclass(frozen=True)
class LeakyReluF32Params:
    size: int
    alpha: np.float32


@dataclass(frozen=True)
class PreluF32Params:
    size: int
    dims: int
    out_shape: tuple[int, ...]
    in1_strides: tuple[int, ...]  # the input's
    in2_strides: tuple[int, ...]  # alpha's


@dataclass(frozen=True)
class L2NormalizationF32Params:
    outer: int  # rows
    depth: int  # elements of the last dimension
    epsilon: np.float32


def _same_size(graph: Graph, index: int, op: Op) -> int:
    """The element count of the float32 input, which the float32 output shares."""
    x = expect(graph, index, op, op.inputs[0], "input", F32)
    y = expect(graph, index, op, op.outputs[0], "output", F32)
    if x.size != y.size:
        raise TinygenError(f"operator {index} ({op.kind}): input {list(x.shape)} and output "
                           f"{list(y.shape)} differ in size")
    return x.size


def lower_relu_f32(graph: Graph, index: int, op: Op) -> KernelCall:
    size = _same_size(graph, index, op)
    bounded = op.kind == "RELU6"
    params = ReluF32Params(size, np.float32(6.0), int(bounded))
    return KernelCall("relu_f32", (op.inputs[0],), (op.outputs[0],), params)


_UNARY_KERNELS = {
    "LOGISTIC": "logistic_f32",
    "TANH": "tanh_f32",
    "HARD_SWISH": "hard_swish_f32",
}


def lower_unary_f32(graph: Graph, index: int, op: Op) -> KernelCall:
    size = _same_size(graph, index, op)
    return KernelCall(_UNARY_KERNELS[op.kind], (op.inputs[0],), (op.outputs[0],),
                      UnaryF32Params(size))


def lower_leaky_relu_f32(graph: Graph, index: int, op: Op) -> KernelCall:
    size = _same_size(graph, index, op)
    params = LeakyReluF32Params(size, np.float32(op.attrs.get("alpha", 0.0)))
    return KernelCall("leaky_relu_f32", (op.inputs[0],), (op.outputs[0],), params)


def lower_prelu_f32(graph: Graph, index: int, op: Op) -> KernelCall:
    shape = prelu_broadcast(graph, index, op, "float32")
    params = PreluF32Params(
        size=shape.size,
        dims=MAX_DIMS,
        out_shape=shape.out_shape,
        in1_strides=shape.in1_strides,
        in2_strides=shape.in2_strides,
    )
    return KernelCall("prelu_f32", (op.inputs[0], op.inputs[1]), (op.outputs[0],), params)


def lower_l2_normalization_f32(graph: Graph, index: int, op: Op) -> KernelCall:
    outer, depth = l2_rows(graph, index, op, "float32")
    params = L2NormalizationF32Params(outer, depth, L2_EPSILON)
    return KernelCall("l2_normalization_f32", (op.inputs[0],), (op.outputs[0],), params)


ELEMENTWISE_LOWERERS = {
    "RELU": lower_relu_f32,
    "RELU6": lower_relu_f32,
    "LOGISTIC": lower_unary_f32,
    "TANH": lower_unary_f32,
    "HARD_SWISH": lower_unary_f32,
    "LEAKY_RELU": lower_leaky_relu_f32,
    "PRELU": lower_prelu_f32,
    "MAXIMUM": lower_binary_f32,
    "MINIMUM": lower_binary_f32,
    "SQUARED_DIFFERENCE": lower_binary_f32,
    "L2_NORMALIZATION": lower_l2_normalization_f32,
}
