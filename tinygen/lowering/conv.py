"""Lowering of CONV_2D and DEPTHWISE_CONV_2D on int8 tensors."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from tinygen.errors import TinygenError
from tinygen.geometry import padding_before
from tinygen.ir import NO_TENSOR, Graph, Op
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import (
    activation_range,
    check_window,
    constant_weights,
    expect,
    per_channel_multipliers,
    positive_attr,
    quant_of,
    shape4,
)
from tinygen.lowering.fast import fast_conv, fast_depthwise


@dataclass(frozen=True)
class ConvWindow:
    """The geometry of a CONV_2D or DEPTHWISE_CONV_2D, whatever its element type."""

    batches: int
    in_h: int
    in_w: int
    in_c: int
    out_h: int
    out_w: int
    out_c: int
    filter_h: int
    filter_w: int
    filter_c: int  # input channels per group
    stride_h: int
    stride_w: int
    dilation_h: int
    dilation_w: int
    pad_h: int
    pad_w: int
    depth_multiplier: int  # depthwise only; 1 for CONV_2D


@dataclass(frozen=True)
class ConvParams(ConvWindow):
    input_offset: int
    output_offset: int
    act_min: int
    act_max: int
    multiplier: np.ndarray
    shift: np.ndarray


def conv_window(graph: Graph, index: int, op: Op, dtype: str) -> tuple[ConvWindow, bool]:
    """The window of convolution ``op`` on ``dtype`` tensors, and whether it has a bias
    (then of int32 for int8, of float32 for float32), or a TinygenError."""
    depthwise = op.kind == "DEPTHWISE_CONV_2D"
    x = expect(graph, index, op, op.inputs[0], "input", (dtype,), rank=4)
    w = expect(graph, index, op, op.inputs[1], "filter", (dtype,), rank=4)
    y = expect(graph, index, op, op.outputs[0], "output", (dtype,), rank=4)
    batches, in_h, in_w, in_c = shape4(x)
    out_batches, out_h, out_w, out_c = shape4(y)
    filter_n, filter_h, filter_w, filter_c = shape4(w)
    if out_batches != batches:
        raise TinygenError(
            f"operator {index} ({op.kind}): {batches} input batches but {out_batches} outputs"
        )
    if w.size == 0:
        raise TinygenError(f"operator {index} ({op.kind}): the filter has no elements")
    filter_outputs = filter_c if depthwise else filter_n
    if filter_outputs != out_c or (depthwise and filter_n != 1):
        raise TinygenError(
            f"operator {index} ({op.kind}): filter shape {list(w.shape)} does not give "
            f"the output's {out_c} channels"
        )
    bias = constant_weights(graph, index, op, out_c, "int32" if dtype == "int8" else dtype)
    if depthwise:
        # The filter and output shapes define the multiplier.
        multiplier = out_c // in_c
        if out_c != in_c * multiplier:
            raise TinygenError(
                f"operator {index} (DEPTHWISE_CONV_2D): output depth {out_c} is not a "
                f"multiple of input depth {in_c}"
            )
        filter_c = 1
    else:
        multiplier = 1
        if in_c % filter_c or out_c % (in_c // filter_c):
            raise TinygenError(
                f"operator {index} (CONV_2D): input depth {in_c} is not a multiple of "
                f"filter depth {filter_c}"
            )
    a = op.attrs
    stride_h, stride_w = positive_attr(index, op, "stride_h"), positive_attr(index, op, "stride_w")
    dh, dw = positive_attr(index, op, "dilation_h"), positive_attr(index, op, "dilation_w")
    # Explicit padding comes from rewrites (a dilated convolution recovered from
    # SPACE_TO_BATCH_ND); a model's own convolutions say SAME or VALID.
    padding = None if "pad_h" in a else a.get("padding", "")
    check_window(index, op, padding, (in_h, filter_h, stride_h, dh, out_h))
    check_window(index, op, padding, (in_w, filter_w, stride_w, dw, out_w))
    window = ConvWindow(
        batches=batches,
        in_h=in_h,
        in_w=in_w,
        in_c=in_c,
        out_h=out_h,
        out_w=out_w,
        out_c=out_c,
        filter_h=filter_h,
        filter_w=filter_w,
        filter_c=filter_c,
        stride_h=stride_h,
        stride_w=stride_w,
        dilation_h=dh,
        dilation_w=dw,
        pad_h=a.get("pad_h", padding_before(stride_h, dh, in_h, filter_h, out_h)),
        pad_w=a.get("pad_w", padding_before(stride_w, dw, in_w, filter_w, out_w)),
        depth_multiplier=multiplier,
    )
    return window, bias


def lower_conv(graph: Graph, index: int, op: Op) -> KernelCall:
    depthwise = op.kind == "DEPTHWISE_CONV_2D"
    window, bias = conv_window(graph, index, op, "int8")
    w = graph.tensors[op.inputs[1]]
    a = op.attrs
    xq = quant_of(graph, op.inputs[0], "input", index, op)
    wq = quant_of(graph, op.inputs[1], "filter", index, op)
    yq = quant_of(graph, op.outputs[0], "output", index, op)
    if np.any(wq.zero_point != 0):
        raise TinygenError(f"operator {index} ({op.kind}): int8 filters need zero point 0")
    out_c = window.out_c
    mults, shifts = per_channel_multipliers(xq.scale0, wq, yq.scale0, out_c, (index, op))
    act_min, act_max = activation_range(a.get("activation", "NONE"), yq.scale0, yq.zero_point0)
    params = ConvParams(
        **dataclasses.asdict(window),
        input_offset=-xq.zero_point0,
        output_offset=yq.zero_point0,
        act_min=act_min,
        act_max=act_max,
        multiplier=mults,
        shift=shifts,
    )
    kernel = "depthwise_conv2d_s8" if depthwise else "conv2d_s8"
    inputs = (op.inputs[0], op.inputs[1], op.inputs[2] if bias else NO_TENSOR)
    bias_data = graph.tensors[op.inputs[2]].data if bias else None
    choose = fast_depthwise if depthwise else fast_conv
    fast = choose(params, w.data, bias_data)
    return KernelCall(kernel, inputs, (op.outputs[0],), params, fast)
