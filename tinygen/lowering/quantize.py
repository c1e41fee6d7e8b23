"""Lowering of QUANTIZE (float32→int8, int8→int8), DEQUANTIZE (int8→float32), RELU, RELU6."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinygen.errors import TinygenError
from tinygen.ir import Graph, Op, Tensor
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import activation_range, expect, quant_of, rescale


@dataclass(frozen=True)
class QuantizeParams:
    size: int
    zero_point: int
    scale: np.float32


@dataclass(frozen=True)
class RequantizeParams:
    size: int
    input_offset: int
    output_offset: int
    multiplier: int
    shift: int
    act_min: int = -128
    act_max: int = 127


@dataclass(frozen=True)
class DequantizeParams:
    size: int
    zero_point: int
    scale: float  # float64 in C, as TFLM computes in double


def _same_size(index: int, op: Op, x: Tensor, y: Tensor) -> None:
    if x.size != y.size:
        raise TinygenError(
            f"operator {index} ({op.kind}): input {list(x.shape)} and output "
            f"{list(y.shape)} differ in size"
        )


def lower_quantize(graph: Graph, index: int, op: Op) -> KernelCall:
    x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    _same_size(index, op, x, y)
    yq = quant_of(graph, op.outputs[0], "output", index, op)
    if yq.per_channel:
        raise TinygenError(f"operator {index} (QUANTIZE): per-channel output is not supported")
    io = (op.inputs[0],), (op.outputs[0],)
    if x.dtype == "float32" and y.dtype == "int8":
        params = QuantizeParams(y.size, yq.zero_point0, np.float32(yq.scale0))
        return KernelCall("quantize_f32_s8", *io, params)
    kernel = _REQUANTIZE.get((x.dtype, y.dtype))
    if kernel is not None:
        xq = quant_of(graph, op.inputs[0], "input", index, op)
        real = float(np.float32(xq.scale0)) / float(np.float32(yq.scale0))
        multiplier, shift = rescale(real, index, op, "output")
        params = RequantizeParams(y.size, -xq.zero_point0, yq.zero_point0, multiplier, shift)
        return KernelCall(kernel, *io, params)
    raise TinygenError(
        f"operator {index} (QUANTIZE): {x.dtype} to {y.dtype} is not supported "
        "(float32→int8, int8→int8, int16→int8 and int16→int32 are)"
    )


#: QUANTIZE between integer types: (input, output) -> the kernel (TFLite's Requantize).
_REQUANTIZE = {
    ("int8", "int8"): "requantize_s8",
    ("int16", "int8"): "requantize_s16_s8",
    ("int16", "int32"): "requantize_s16_s32",
}


def lower_dequantize(graph: Graph, index: int, op: Op) -> KernelCall:
    x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    if x.dtype != "int8" or y.dtype != "float32":
        raise TinygenError(
            f"operator {index} (DEQUANTIZE): {x.dtype} to {y.dtype} is not supported "
            "(int8→float32 is)"
        )
    _same_size(index, op, x, y)
    xq = quant_of(graph, op.inputs[0], "input", index, op)
    params = DequantizeParams(x.size, xq.zero_point0, float(np.float32(xq.scale0)))
    return KernelCall("dequantize_s8_f32", (op.inputs[0],), (op.outputs[0],), params)


def lower_relu(graph: Graph, index: int, op: Op) -> KernelCall:
    """RELU and RELU6 rescale to the output's parameters and clamp to its [0, inf) or [0, 6].

    This is TensorFlow Lite's reference kernel. TFLite Micro's int8 RELU6 instead clamps the
    input values to the input's quantized [0, 6] and keeps them without rescaling, which is
    wrong wherever the converter gives the output its own scale (a standalone ReLU6 after a
    reshape, for instance); tinygen follows TensorFlow Lite there. With equal input and
    output parameters the two agree.
    """
    x = expect(graph, index, op, op.inputs[0], "input")
    y = expect(graph, index, op, op.outputs[0], "output")
    _same_size(index, op, x, y)
    xq = quant_of(graph, op.inputs[0], "input", index, op)
    yq = quant_of(graph, op.outputs[0], "output", index, op)
    # float32 division, then QuantizeMultiplier in double (TFLite's ReluPrepare).
    with np.errstate(over="ignore", under="ignore"):
        real = float(np.float32(xq.scale0) / np.float32(yq.scale0))
    multiplier, shift = rescale(real, index, op, "output")
    act_max = activation_range(op.kind, yq.scale0, yq.zero_point0)[1]
    params = RequantizeParams(
        y.size,
        -xq.zero_point0,
        yq.zero_point0,
        multiplier,
        shift,
        act_min=max(-128, yq.zero_point0),
        act_max=act_max,
    )
    return KernelCall("requantize_s8", (op.inputs[0],), (op.outputs[0],), params)
