"""Lowering of AVERAGE_POOL_2D and MAX_POOL_2D on int8 tensors."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from tinygen.errors import TinygenError
from tinygen.geometry import padding_before
from tinygen.ir import Graph, Op
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import (
    INT32_MAX,
    activation_range,
    check_window,
    expect,
    positive_attr,
    quant_of,
    shape4,
)


@dataclass(frozen=True)
class PoolWindow:
    """The geometry of an AVERAGE_POOL_2D or MAX_POOL_2D, whatever its element type."""

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


@dataclass(frozen=True)
class PoolParams(PoolWindow):
    act_min: int
    act_max: int


def pool_window(graph: Graph, index: int, op: Op, dtype: str) -> PoolWindow:
    """The window of pooling ``op`` on ``dtype`` tensors, or a TinygenError."""
    x = expect(graph, index, op, op.inputs[0], "input", (dtype,), rank=4)
    y = expect(graph, index, op, op.outputs[0], "output", (dtype,), rank=4)
    batches, in_h, in_w, channels = shape4(x)
    if shape4(y)[0] != batches or shape4(y)[3] != channels:
        raise TinygenError(
            f"operator {index} ({op.kind}): input {list(x.shape)} and output "
            f"{list(y.shape)} differ in batches or channels"
        )
    _, out_h, out_w, _ = shape4(y)
    a = op.attrs
    stride_h, stride_w = positive_attr(index, op, "stride_h"), positive_attr(index, op, "stride_w")
    filter_h, filter_w = positive_attr(index, op, "filter_h"), positive_attr(index, op, "filter_w")
    if min(filter_h, in_h) * min(filter_w, in_w) > INT32_MAX // 256:
        raise TinygenError(
            f"operator {index} ({op.kind}): a {filter_h} x {filter_w} window on a "
            f"{in_h} x {in_w} input would overflow the kernel's 32-bit sum"
        )
    check_window(index, op, a.get("padding", ""), (in_h, filter_h, stride_h, 1, out_h))
    check_window(index, op, a.get("padding", ""), (in_w, filter_w, stride_w, 1, out_w))
    return PoolWindow(
        batches=batches,
        in_h=in_h,
        in_w=in_w,
        channels=channels,
        out_h=out_h,
        out_w=out_w,
        filter_h=filter_h,
        filter_w=filter_w,
        stride_h=stride_h,
        stride_w=stride_w,
        pad_h=padding_before(stride_h, 1, in_h, filter_h, out_h),
        pad_w=padding_before(stride_w, 1, in_w, filter_w, out_w),
    )


def lower_pool(graph: Graph, index: int, op: Op) -> KernelCall:
    window = pool_window(graph, index, op, "int8")
    xq = quant_of(graph, op.inputs[0], "input", index, op)
    yq = quant_of(graph, op.outputs[0], "output", index, op)
    if not xq.same_as(yq):
        raise TinygenError(
            f"operator {index} ({op.kind}): input and output quantization must be equal"
        )
    activation = op.attrs.get("activation", "NONE")
    act_min, act_max = activation_range(activation, yq.scale0, yq.zero_point0)
    params = PoolParams(**dataclasses.asdict(window), act_min=act_min, act_max=act_max)
    kernel = "avg_pool_s8" if op.kind == "AVERAGE_POOL_2D" else "max_pool_s8"
    return KernelCall(kernel, (op.inputs[0],), (op.outputs[0],), params)
