"""Lowering of the float32 convolutions, fully connected layers, pooling, softmax and the
broadcasting binary operators (ADD, SUB, MUL)."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from tinygen.errors import TinygenError
from tinygen.ir import NO_TENSOR, Graph, Op
from tinygen.lowering.add import MAX_DIMS, broadcast
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import constant_weights, expect
from tinygen.lowering.conv import ConvWindow, conv_window
from tinygen.lowering.float32.common import float_activation
from tinygen.lowering.pooling import PoolWindow, pool_window

F32 = ("float32",)


@dataclass(frozen=True)
class ConvF32Params(ConvWindow):
    act_min: np.float32
    act_max: np.float32


@dataclass(frozen=True)
class FullyConnectedF32Params:
    batches: int
    accum_depth: int
    out_depth: int
    act_min: np.float32
    act_max: np.float32


@dataclass(frozen=True)
class PoolF32Params(PoolWindow):
    act_min: np.float32
    act_max: np.float32
    average: int  # 1: AVERAGE_POOL_2D, 0: MAX_POOL_2D (one C kernel)


@dataclass(frozen=True)
class SoftmaxF32Params:
    rows: int
    depth: int
    beta: np.float32


@dataclass(frozen=True)
class BinaryF32Params:
    size: int
    dims: int
    out_shape: tuple[int, ...]
    in1_strides: tuple[int, ...]
    in2_strides: tuple[int, ...]
    op: int  # TG_BINARY_... of tg_kernels_f32.h
    act_min: np.float32
    act_max: np.float32


#: tg_binary_f32's operation codes, in the order of tg_kernels_f32.h's enum.
BINARY_OPS = ("ADD", "SUB", "MUL", "MAXIMUM", "MINIMUM", "SQUARED_DIFFERENCE", "DIV")


def lower_conv_f32(graph: Graph, index: int, op: Op) -> KernelCall:
    window, bias = conv_window(graph, index, op, "float32")
    act_min, act_max = float_activation(index, op)
    params = ConvF32Params(**dataclasses.asdict(window), act_min=act_min, act_max=act_max)
    kernel = "depthwise_conv2d_f32" if op.kind == "DEPTHWISE_CONV_2D" else "conv2d_f32"
    inputs = (op.inputs[0], op.inputs[1], op.inputs[2] if bias else NO_TENSOR)
    return KernelCall(kernel, inputs, (op.outputs[0],), params)


def lower_fully_connected_f32(graph: Graph, index: int, op: Op) -> KernelCall:
    x = expect(graph, index, op, op.inputs[0], "input", F32)
    w = expect(graph, index, op, op.inputs[1], "weights", F32, rank=2)
    y = expect(graph, index, op, op.outputs[0], "output", F32)
    out_depth, accum_depth = w.shape
    if accum_depth == 0 or x.size % accum_depth or y.size != x.size // accum_depth * out_depth:
        raise TinygenError(
            f"operator {index} (FULLY_CONNECTED): input {list(x.shape)}, weights "
            f"{list(w.shape)} and output {list(y.shape)} do not agree"
        )
    bias = constant_weights(graph, index, op, out_depth, "float32")
    act_min, act_max = float_activation(index, op)
    params = FullyConnectedF32Params(x.size // accum_depth, accum_depth, out_depth,
                                     act_min, act_max)
    inputs = (op.inputs[0], op.inputs[1], op.inputs[2] if bias else NO_TENSOR)
    return KernelCall("fully_connected_f32", inputs, (op.outputs[0],), params)


def lower_pool_f32(graph: Graph, index: int, op: Op) -> KernelCall:
    window = pool_window(graph, index, op, "float32")
    act_min, act_max = float_activation(index, op)
    average = op.kind == "AVERAGE_POOL_2D"
    params = PoolF32Params(**dataclasses.asdict(window), act_min=act_min, act_max=act_max,
                           average=int(average))
    kernel = "avg_pool_f32" if average else "max_pool_f32"
    return KernelCall(kernel, (op.inputs[0],), (op.outputs[0],), params)


def lower_softmax_f32(graph: Graph, index: int, op: Op) -> KernelCall:
    x = expect(graph, index, op, op.inputs[0], "input", F32)
    y = expect(graph, index, op, op.outputs[0], "output", F32)
    if x.size != y.size or x.size == 0:
        raise TinygenError(f"operator {index} (SOFTMAX): input and output sizes differ")
    beta = np.float32(op.attrs.get("beta", 1.0))
    if not (math.isfinite(float(beta)) and beta > 0):
        raise TinygenError(f"operator {index} (SOFTMAX): beta is {beta}; it must be above 0")
    depth = x.shape[-1] if x.shape else 1
    return KernelCall("softmax_f32", (op.inputs[0],), (op.outputs[0],),
                      SoftmaxF32Params(x.size // depth, depth, beta))


def lower_binary_f32(graph: Graph, index: int, op: Op) -> KernelCall:
    shape = broadcast(graph, index, op, "float32")
    act_min, act_max = float_activation(index, op)
    params = BinaryF32Params(
        size=shape.size,
        dims=MAX_DIMS,
        out_shape=shape.out_shape,
        in1_strides=shape.in1_strides,
        in2_strides=shape.in2_strides,
        op=BINARY_OPS.index(op.kind),
        act_min=act_min,
        act_max=act_max,
    )
    return KernelCall("binary_f32", (op.inputs[0], op.inputs[1]), (op.outputs[0],), params)


CORE_LOWERERS = {
    "CONV_2D": lower_conv_f32,
    "DEPTHWISE_CONV_2D": lower_conv_f32,
    "FULLY_CONNECTED": lower_fully_connected_f32,
    "AVERAGE_POOL_2D": lower_pool_f32,
    "MAX_POOL_2D": lower_pool_f32,
    "SOFTMAX": lower_softmax_f32,
    "ADD": lower_binary_f32,
    "SUB": lower_binary_f32,
    "MUL": lower_binary_f32,
}
