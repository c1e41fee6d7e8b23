"""Lowering of AVERAGE_POOL_2D and MAX_POOL_2D on int8 tensors."""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.errors import TinygenError
from tinygen.geometry import padding_before
from tinygen.ir import Graph, Op
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import activation_range, quant_of, shape4


@dataclass(frozen=True)
class PoolParams:
    batches: int
    in_h: int
    in_w: int
    channels: int
    out_h: int
    out_w: int
    filter_h: int
    filter_w: int
    stride_h: int
    stride_w: int
    pad_h: int
    pad_w: int
    act_min: int
    act_max: int


def lower_pool(graph: Graph, index: int, op: Op) -> KernelCall:
    x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    xq = quant_of(graph, op.inputs[0], "input", index, op)
    yq = quant_of(graph, op.outputs[0], "output", index, op)
    if not xq.same_as(yq):
        raise TinygenError(
            f"operator {index} ({op.kind}): input and output quantization must be equal"
        )
    batches, in_h, in_w, channels = shape4(x)
    _, out_h, out_w, _ = shape4(y)
    a = op.attrs
    act_min, act_max = activation_range(a["activation"], yq.scale0, yq.zero_point0)
    params = PoolParams(
        batches=batches,
        in_h=in_h,
        in_w=in_w,
        channels=channels,
        out_h=out_h,
        out_w=out_w,
        filter_h=a["filter_h"],
        filter_w=a["filter_w"],
        stride_h=a["stride_h"],
        stride_w=a["stride_w"],
        pad_h=padding_before(a["stride_h"], 1, in_h, a["filter_h"], out_h),
        pad_w=padding_before(a["stride_w"], 1, in_w, a["filter_w"], out_w),
        act_min=act_min,
        act_max=act_max,
    )
    kernel = "avg_pool_s8" if op.kind == "AVERAGE_POOL_2D" else "max_pool_s8"
    return KernelCall(kernel, (op.inputs[0],), (op.outputs[0],), params)
