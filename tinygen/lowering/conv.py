"""Lowering of CONV_2D and DEPTHWISE_CONV_2D on int8 tensors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinygen.errors import TinygenError
from tinygen.geometry import padding_before
from tinygen.ir import NO_TENSOR, Graph, Op
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import activation_range, per_channel_multipliers, quant_of, shape4


@dataclass(frozen=True)
class ConvParams:
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
    input_offset: int
    output_offset: int
    act_min: int
    act_max: int
    multiplier: np.ndarray
    shift: np.ndarray


def lower_conv(graph: Graph, index: int, op: Op) -> KernelCall:
    depthwise = op.kind == "DEPTHWISE_CONV_2D"
    x, w = graph.tensors[op.inputs[0]], graph.tensors[op.inputs[1]]
    y = graph.tensors[op.outputs[0]]
    has_bias = len(op.inputs) > 2 and op.inputs[2] != NO_TENSOR
    if not w.is_constant or (has_bias and not graph.tensors[op.inputs[2]].is_constant):
        raise TinygenError(f"operator {index} ({op.kind}): weights and bias must be constant")
    batches, in_h, in_w, in_c = shape4(x)
    _, out_h, out_w, out_c = shape4(y)
    _, filter_h, filter_w, filter_c = shape4(w)
    a = op.attrs
    xq = quant_of(graph, op.inputs[0], "input", index, op)
    wq = quant_of(graph, op.inputs[1], "filter", index, op)
    yq = quant_of(graph, op.outputs[0], "output", index, op)
    if np.any(wq.zero_point != 0):
        raise TinygenError(f"operator {index} ({op.kind}): int8 filters need zero point 0")
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
    dh, dw = a.get("dilation_h", 1), a.get("dilation_w", 1)
    # Explicit padding comes from rewrites (a dilated convolution recovered from
    # SPACE_TO_BATCH_ND); a model's own convolutions say SAME or VALID.
    pad_h = a.get("pad_h", padding_before(a["stride_h"], dh, in_h, filter_h, out_h))
    pad_w = a.get("pad_w", padding_before(a["stride_w"], dw, in_w, filter_w, out_w))
    mults, shifts = per_channel_multipliers(xq.scale0, wq, yq.scale0, out_c)
    act_min, act_max = activation_range(a["activation"], yq.scale0, yq.zero_point0)
    params = ConvParams(
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
        stride_h=a["stride_h"],
        stride_w=a["stride_w"],
        dilation_h=dh,
        dilation_w=dw,
        pad_h=pad_h,
        pad_w=pad_w,
        depth_multiplier=multiplier,
        input_offset=-xq.zero_point0,
        output_offset=yq.zero_point0,
        act_min=act_min,
        act_max=act_max,
        multiplier=mults,
        shift=shifts,
    )
    kernel = "depthwise_conv2d_s8" if depthwise else "conv2d_s8"
    inputs = (op.inputs[0], op.inputs[1], op.inputs[2] if has_bias else NO_TENSOR)
    return KernelCall(kernel, inputs, (op.outputs[0],), params)
