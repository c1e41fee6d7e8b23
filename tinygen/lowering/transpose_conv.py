"""Lowering of TRANSPOSE_CONV on int8 tensors (per-channel int8 weights, optional bias).

The operator's inputs are the output shape (a constant), the weights [out_c, kh, kw, in_c],
the input [N, H, W, in_c] and an optional int32 bias. Input pixel (iy, ix) scatters
``(x + input_offset) * w[oc, ky, kx, ic]`` onto output pixel
(iy * stride_h - pad_h + ky, ix * stride_w - pad_w + kx); each output element's int32 sum
plus the bias is requantized per output channel, as a convolution's, and clamped to the
fused activation's range.

TFLite Micro and TensorFlow Lite take the padding from the output's size as if it were a
convolution's input: SAME pads half of what a stride-``s`` window of ``kh`` over ``out_h``
elements would need (the odd one after), VALID pads nothing. The C kernel gathers instead
of scattering (for each output pixel, the input pixels and taps that reach it), which
gives the same int32 sums (integer addition wraps the same in any order) without TFLM's
int32 scratch of the whole output.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from tinygen.errors import TinygenError, quoted
from tinygen.geometry import output_size, padding_before
from tinygen.ir import NO_TENSOR, Graph, Op
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import (
    INT32_MAX,
    activation_range,
    expect,
    per_channel_multipliers,
    positive_attr,
    quant_of,
    shape4,
)
from tinygen.lowering.space_batch import constant_ints


@dataclass(frozen=True)
class TransposeConvShape:
    """Where TRANSPOSE_CONV reads and writes: the fields of ``TransposeConvParams`` before
    the quantization and the activation."""

    batches: int
    in_h: int
    in_w: int
    in_c: int
    out_h: int
    out_w: int
    out_c: int
    filter_h: int
    filter_w: int
    stride_h: int
    stride_w: int
    pad_h: int
    pad_w: int


@dataclass(frozen=True)
class TransposeConvParams(TransposeConvShape):
    input_offset: int
    output_offset: int
    act_min: int
    act_max: int
    multiplier: np.ndarray  # int32, one per output channel
    shift: np.ndarray


def transpose_conv_shape(graph: Graph, index: int, op: Op,
                         dtype: str = "int8") -> tuple[TransposeConvShape, bool]:
    """The geometry of TRANSPOSE_CONV ``op`` on ``dtype`` input, weights and output (an int8
    one's bias is int32, a float32 one's float32), and whether it has a bias."""

    def fail(message: str) -> TinygenError:
        return TinygenError(f"operator {index} (TRANSPOSE_CONV): {message}")

    if len(op.inputs) not in (3, 4) or len(op.outputs) != 1:
        raise fail(f"{len(op.inputs)} inputs and {len(op.outputs)} outputs; TensorFlow Lite's "
                   "operator takes the output shape, the weights, the input and an optional bias")
    x = expect(graph, index, op, op.inputs[2], "input", (dtype,), rank=4)
    w = expect(graph, index, op, op.inputs[1], "weights", (dtype,), rank=4)
    y = expect(graph, index, op, op.outputs[0], "output", (dtype,), rank=4)
    batches, in_h, in_w, in_c = shape4(x)
    out_batches, out_h, out_w, out_c = shape4(y)
    filter_n, filter_h, filter_w, filter_c = shape4(w)
    if not w.is_constant:
        raise fail("the weights must be constant")
    if out_batches != batches:
        raise fail(f"{batches} input batches but {out_batches} output batches")
    if filter_n != out_c or filter_c != in_c:
        raise fail(f"weights of shape {list(w.shape)} do not take the input's {in_c} channels "
                   f"to the output's {out_c}")
    if w.size == 0 or y.size == 0:
        raise fail("the weights or the output have no elements")
    shape = constant_ints(graph, op.inputs[0])
    if shape is None:
        raise fail("the output shape is computed at run time; tinygen needs it constant")
    if shape.reshape(-1).tolist() != list(y.shape):
        raise fail(f"the output shape input {shape.reshape(-1).tolist()} is not the output "
                   f"tensor {quoted(y.name)}'s shape {list(y.shape)}")
    biased = len(op.inputs) == 4 and op.inputs[3] != NO_TENSOR
    if biased:
        bias_dtype = "int32" if dtype == "int8" else dtype
        bias = expect(graph, index, op, op.inputs[3], "bias", (bias_dtype,))
        if not bias.is_constant:
            raise fail("the bias must be constant")
        if bias.size != out_c:
            raise fail(f"{bias.size} biases for {out_c} output channels")
    a = op.attrs
    padding = a.get("padding")
    if padding not in ("SAME", "VALID"):
        raise fail(f"the padding {padding!r} (SAME or VALID)")
    stride_h, stride_w = positive_attr(index, op, "stride_h"), positive_attr(index, op, "stride_w")
    for size, filt, stride in ((out_h, filter_h, stride_h), (out_w, filter_w, stride_w)):
        if (size - 1) + filt + stride > INT32_MAX:  # the kernel's coordinates stay in int32
            raise fail(f"an output of {size} with a window of {filt} (stride {stride}) is "
                       "beyond the kernel's 32-bit coordinates")
    pad_h = padding_before(stride_h, 1, out_h, filter_h,
                           output_size(padding, out_h, filter_h, stride_h, 1))
    pad_w = padding_before(stride_w, 1, out_w, filter_w,
                           output_size(padding, out_w, filter_w, stride_w, 1))
    shape = TransposeConvShape(
        batches=batches,
        in_h=in_h,
        in_w=in_w,
        in_c=in_c,
        out_h=out_h,
        out_w=out_w,
        out_c=out_c,
        filter_h=filter_h,
        filter_w=filter_w,
        stride_h=stride_h,
        stride_w=stride_w,
        pad_h=pad_h,
        pad_w=pad_w,
    )
    return shape, biased


def lower_transpose_conv(graph: Graph, index: int, op: Op) -> KernelCall:
    def fail(message: str) -> TinygenError:
        return TinygenError(f"operator {index} (TRANSPOSE_CONV): {message}")

    shape, biased = transpose_conv_shape(graph, index, op)
    a = op.attrs
    out_c = shape.out_c
    xq = quant_of(graph, op.inputs[2], "input", index, op)
    wq = quant_of(graph, op.inputs[1], "weights", index, op)
    yq = quant_of(graph, op.outputs[0], "output", index, op)
    if np.any(wq.zero_point != 0):
        raise fail("int8 weights need zero point 0")
    if wq.per_channel and wq.axis != 0:
        raise fail(f"the weights are quantized along dimension {wq.axis}; TensorFlow Lite "
                   "quantizes them per output channel (dimension 0)")
    mults, shifts = per_channel_multipliers(xq.scale0, wq, yq.scale0, out_c, (index, op))
    activation = a.get("activation", "NONE")
    if activation not in ("NONE", "RELU", "RELU6", "RELU_N1_TO_1"):
        raise fail(f"the fused activation {activation} is not supported on int8 outputs")
    act_min, act_max = activation_range(activation, yq.scale0, yq.zero_point0)
    params = TransposeConvParams(
        **dataclasses.asdict(shape),
        input_offset=-xq.zero_point0,
        output_offset=yq.zero_point0,
        act_min=act_min,
        act_max=act_max,
        multiplier=mults,
        shift=shifts,
    )
    inputs = (op.inputs[2], op.inputs[1], op.inputs[3] if biased else NO_TENSOR)
    return KernelCall("transpose_conv_s8", inputs, (op.outputs[0],), params)
