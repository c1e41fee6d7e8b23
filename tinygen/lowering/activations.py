"""Lowering of LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU and PRELU on int8 tensors.

Each output byte of LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU, and of a PRELU whose alpha is
one constant value, is a function of its input byte alone: lowering computes what
TensorFlow Lite's reference kernel gives for each of the 256 bytes (tinygen/reference/
lut.py) and the C kernel ``tg_lut_s8`` looks the bytes up in that table, kept in flash.
The constants are TensorFlow Lite's, computed as its Prepare computes them (float32 where
it divides floats, then ``QuantizeMultiplier`` in double).

A PRELU with several alpha values (per channel, any shape that broadcasts into the input)
or an alpha computed at run time runs ``tg_prelu_s8``: the offset input requantized by
input_scale / output_scale where it is at least 0, else its product with the offset alpha
by input_scale * alpha_scale / output_scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tinygen.errors import TinygenError
from tinygen.ir import Graph, Op, Quantization, Tensor
from tinygen.lowering.add import MAX_DIMS, Broadcast, broadcast
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import MAX_SHIFT, expect, quant_of, rescale
from tinygen.reference.fixedpoint import quantize_multiplier
from tinygen.reference.lut import (
    HardSwishConstants,
    hard_swish_table,
    leaky_relu_table,
    logistic_table,
    prelu_table,
    tanh_table,
)

INT32_MAX = (1 << 31) - 1


@dataclass(frozen=True)
class LutParams:
    size: int
    table: np.ndarray  # int8[256], indexed by the input byte read as unsigned


@dataclass(frozen=True)
class PreluParams:
    size: int
    dims: int
    out_shape: tuple[int, ...]
    in1_strides: tuple[int, ...]  # the input's
    in2_strides: tuple[int, ...]  # alpha's
    input_offset: int
    alpha_offset: int
    output_offset: int
    output_multiplier_1: int  # input >= 0: input_scale / output_scale
    output_shift_1: int
    output_multiplier_2: int  # input < 0: input_scale * alpha_scale / output_scale
    output_shift_2: int


def _fail(index: int, op: Op, message: str) -> TinygenError:
    return TinygenError(f"operator {index} ({op.kind}): {message}")


def _f32(value: float) -> np.float32:
    return np.float32(value)


def _unary(graph: Graph, index: int, op: Op) -> tuple[Tensor, Quantization, Quantization]:
    """The int8 input (same size as the int8 output) and both quantizations, checked."""
    x = expect(graph, index, op, op.inputs[0], "input")
    y = expect(graph, index, op, op.outputs[0], "output")
    if x.size != y.size:
        raise _fail(index, op, f"input {list(x.shape)} and output {list(y.shape)} differ "
                    "in size")
    xq = quant_of(graph, op.inputs[0], "input", index, op)
    yq = quant_of(graph, op.outputs[0], "output", index, op)
    for what, q in (("input", xq), ("output", yq)):
        scale = float(_f32(q.scale0))
        if not (math.isfinite(scale) and scale > 0):
            raise _fail(index, op, f"the {what} scale is {q.scale0}; it must be above 0")
    return x, xq, yq


def _table_call(op: Op, size: int, table: np.ndarray) -> KernelCall:
    params = LutParams(size=size, table=np.asarray(table, np.int8))
    return KernelCall("lut_s8", (op.inputs[0],), (op.outputs[0],), params)


def lower_logistic(graph: Graph, index: int, op: Op) -> KernelCall:
    x, xq, yq = _unary(graph, index, op)
    if yq.zero_point0 != -128 or _f32(yq.scale0) != _f32(1.0 / 256):
        raise _fail(index, op, "an int8 output needs scale 1/256 and zero point -128, as "
                    f"TensorFlow Lite requires; it has scale {yq.scale0} and zero point "
                    f"{yq.zero_point0}")
    return _table_call(op, x.size, logistic_table(float(xq.scale0), xq.zero_point0))


def lower_tanh(graph: Graph, index: int, op: Op) -> KernelCall:
    """TensorFlow Lite's table maps onto the output's own quantization (the converter gives
    it scale 1/128 and zero point 0; TFLite Micro assumes those whatever the model says)."""
    x, xq, yq = _unary(graph, index, op)
    with np.errstate(over="ignore"):
        inverse = float(_f32(1.0) / _f32(yq.scale0))
    if inverse >= INT32_MAX:
        raise _fail(index, op, f"the output scale {yq.scale0:g} is too small: one step of "
                    "tanh would be beyond int32")
    table = tanh_table(float(xq.scale0), xq.zero_point0, float(yq.scale0), yq.zero_point0)
    return _table_call(op, x.size, table)


def _int16_multiplier(multiplier: int) -> int:
    """TensorFlow Lite's DownScaleInt32ToInt16Multiplier: the top 16 bits, rounded."""
    if multiplier >= INT32_MAX - (1 << 15):
        return (1 << 15) - 1
    return (multiplier + (1 << 15)) >> 16


def hard_swish_constants(graph: Graph, index: int, op: Op) -> HardSwishConstants:
    """TensorFlow Lite's HardSwishPrepare for an int8 input and output."""
    _, xq, yq = _unary(graph, index, op)
    with np.errstate(over="ignore", under="ignore"):
        hires_scale = _f32(1.0 / 128.0) * _f32(xq.scale0)
        output_real = float(hires_scale / _f32(yq.scale0))
        reluish_real = float(hires_scale / (_f32(3.0) / _f32(32768.0)))
    if not (math.isfinite(output_real) and math.isfinite(reluish_real)):
        raise _fail(index, op, f"the input scale {xq.scale0:g} and output scale "
                    f"{yq.scale0:g} are too far apart for the int8 kernel's fixed point")
    output_multiplier, output_exponent = quantize_multiplier(output_real)
    if output_exponent > 0:
        raise _fail(index, op, f"the output scale {yq.scale0:g} is not above the input scale "
                    f"{xq.scale0:g} / 128, which TensorFlow Lite's int8 kernel does not take")
    reluish_multiplier, reluish_exponent = quantize_multiplier(reluish_real)
    if reluish_exponent > MAX_SHIFT:
        raise _fail(index, op, f"the input scale {xq.scale0:g} is too large for the int8 "
                    "kernel's fixed point")
    return HardSwishConstants(
        input_zero_point=xq.zero_point0,
        output_zero_point=yq.zero_point0,
        output_multiplier=_int16_multiplier(output_multiplier),
        output_exponent=output_exponent,
        reluish_multiplier=_int16_multiplier(reluish_multiplier),
        reluish_exponent=reluish_exponent,
    )


def lower_hard_swish(graph: Graph, index: int, op: Op) -> KernelCall:
    table = hard_swish_table(hard_swish_constants(graph, index, op))
    return _table_call(op, graph.tensors[op.inputs[0]].size, table)


def _signed_multiplier(index: int, op: Op, real: float, what: str) -> tuple[int, int]:
    """``quantize_multiplier`` of a real that may be negative (a negative alpha)."""
    if not math.isfinite(real):
        raise _fail(index, op, f"the {what} rescale factor is {real}; the model's "
                    "quantization scales are broken")
    multiplier, shift = quantize_multiplier(real)
    if shift > MAX_SHIFT:
        raise _fail(index, op, f"the {what} rescale factor {real:g} is 2**{MAX_SHIFT} or "
                    "more, beyond the int8 kernels' requantization")
    return multiplier, shift


def lower_leaky_relu(graph: Graph, index: int, op: Op) -> KernelCall:
    x, xq, yq = _unary(graph, index, op)
    alpha = _f32(op.attrs.get("alpha", 0.0))
    in_scale, out_scale = _f32(xq.scale0), _f32(yq.scale0)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        alpha_real = float(in_scale * alpha / out_scale)  # float32, as TensorFlow Lite
        identity_real = float(in_scale / out_scale)
    table = leaky_relu_table(
        xq.zero_point0,
        yq.zero_point0,
        rescale(identity_real, index, op, "output"),
        _signed_multiplier(index, op, alpha_real, "alpha"),
    )
    return _table_call(op, x.size, table)


def _prelu_multipliers(
    index: int, op: Op, xq: Quantization, aq: Quantization, yq: Quantization
) -> tuple[tuple[int, int], tuple[int, int]]:
    """TensorFlow Lite's PRELU multipliers: float32 products and quotients of the scales.
    (TFLite Micro divides in double, and may differ by one step on some bytes.)"""
    in_scale, alpha_scale, out_scale = _f32(xq.scale0), _f32(aq.scale0), _f32(yq.scale0)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        positive = float(in_scale / out_scale)
        negative = float(in_scale * alpha_scale / out_scale)
    return rescale(positive, index, op, "output"), rescale(negative, index, op, "alpha")


def prelu_broadcast(graph: Graph, index: int, op: Op, dtype: str = "int8") -> Broadcast:
    """PRELU's shape walk: the ``dtype`` alpha broadcasts into the input, whose shape the
    output has; else a TinygenError."""
    shape = broadcast(graph, index, op, dtype)
    x, a, y = (graph.tensors[t] for t in (op.inputs[0], op.inputs[1], op.outputs[0]))
    spread = tuple(int(d) for d in np.broadcast_shapes(x.shape, a.shape))
    if tuple(y.shape) != tuple(x.shape) or spread != tuple(x.shape):
        raise _fail(index, op, f"alpha {list(a.shape)} must broadcast into the input "
                    f"{list(x.shape)}, and the output {list(y.shape)} must have its shape")
    return shape


def lower_prelu(graph: Graph, index: int, op: Op) -> KernelCall:
    shape = prelu_broadcast(graph, index, op)
    x, a = (graph.tensors[t] for t in (op.inputs[0], op.inputs[1]))
    xq = quant_of(graph, op.inputs[0], "input", index, op)
    aq = quant_of(graph, op.inputs[1], "alpha", index, op)
    yq = quant_of(graph, op.outputs[0], "output", index, op)
    if aq.per_channel:
        raise _fail(index, op, "alpha is quantized per channel; TensorFlow Lite's kernel "
                    "takes one scale and zero point for it")
    positive, negative = _prelu_multipliers(index, op, xq, aq, yq)
    alphas = None if a.data is None else np.unique(np.asarray(a.data, np.int64))
    if alphas is not None and alphas.size == 1:
        table = prelu_table(xq.zero_point0, int(alphas[0]) - aq.zero_point0, yq.zero_point0,
                            positive, negative)
        return _table_call(op, x.size, table)
    params = PreluParams(
        size=shape.size,
        dims=MAX_DIMS,
        out_shape=shape.out_shape,
        in1_strides=shape.in1_strides,
        in2_strides=shape.in2_strides,
        input_offset=-xq.zero_point0,
        alpha_offset=-aq.zero_point0,
        output_offset=yq.zero_point0,
        output_multiplier_1=positive[0],
        output_shift_1=positive[1],
        output_multiplier_2=negative[0],
        output_shift_2=negative[1],
    )
    return KernelCall("prelu_s8", (op.inputs[0], op.inputs[1]), (op.outputs[0],), params)
