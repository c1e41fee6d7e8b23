"""Lowering of RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR on int8 [N, H, W, C] tensors.

Both resize H and W to the constant ``size`` input and keep N and C. TensorFlow Lite's int8
kernels move values without requantizing, so the input and the output must share their
quantization (TensorFlow's converter gives them that); a model where they differ is refused.

Which input rows and columns an output row or column reads depends only on the sizes and
the options, so lowering computes them once, exactly as TensorFlow Lite's reference kernels
do, and the C kernels read them from tables in flash:

* nearest neighbour: the scale in_size / out_size ((in - 1) / (out - 1) with
  align_corners) in float32, output index i maps to floor((i + o) * scale) (rounded half
  away from zero with align_corners), o = 0.5 with half_pixel_centers else 0, at most
  in - 1 and at least 0;
* bilinear (int8, no floating point): the scale in 1/1024ths, rounded,
  s = (1024 * in + out / 2) / out (align_corners: (1024 * (in - 1) + (out - 1) / 2) /
  (out - 1)); output index i lies at v = i * s (half_pixel_centers: i * s + s / 2 - 512)
  between input indices lo = max(v / 1024, 0) and hi = min((v + 1023) / 1024, in - 1), at
  fraction v - 1024 * lo. Each table row is (lo, hi, fraction).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinygen.errors import TinygenError, quoted
from tinygen.ir import Graph, Op
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import INT32_MAX, expect, quant_of, shape4
from tinygen.lowering.space_batch import constant_ints
from tinygen.reference.fixedpoint import round_half_away_array

#: The bilinear fractions' unit: TensorFlow Lite's integer kernel works in 1/1024ths.
ONE = 1 << 10


@dataclass(frozen=True)
class ResizeNearestParams:
    batches: int
    in_h: int
    in_w: int
    channels: int
    out_h: int
    out_w: int
    rows: np.ndarray  # int32 [out_h]: the input row of each output row
    cols: np.ndarray  # int32 [out_w]


@dataclass(frozen=True)
class ResizeBilinearParams:
    batches: int
    in_h: int
    in_w: int
    channels: int
    out_h: int
    out_w: int
    rows: np.ndarray  # int32 [out_h, 3]: (lower row, upper row, fraction in 1/1024ths)
    cols: np.ndarray  # int32 [out_w, 3]


def nearest_table(in_size: int, out_size: int, align: bool, half: bool) -> np.ndarray:
    """The input index of each output index (TensorFlow Lite's float32 arithmetic)."""
    f32 = np.float32
    if align and out_size > 1:
        scale = f32(in_size - 1) / f32(out_size - 1)
    else:
        scale = f32(in_size) / f32(out_size)
    offset = f32(0.5) if half else f32(0.0)
    at = (np.arange(out_size).astype(np.float32) + offset) * scale  # float32 throughout
    picked = round_half_away_array(at.astype(np.float64)) if align else np.floor(at)
    index = np.minimum(picked.astype(np.int64), in_size - 1)
    if half:
        index = np.maximum(index, 0)
    return index.astype(np.int32)


def _c_div(a: int, b: int) -> int:
    """C's integer division (truncating toward zero) of Python ints."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def bilinear_table(in_size: int, out_size: int, align: bool, half: bool) -> np.ndarray | None:
    """(lower, upper, fraction) of each output index (TensorFlow Lite's integer kernel), or
    None where its 32-bit arithmetic would overflow.

    The fractions lie in [-512, 1024): below 0 only before the first input index, where
    lower and upper are both 0."""
    if align and out_size > 1:
        numerator, denominator = ONE * (in_size - 1) + (out_size - 1) // 2, out_size - 1
    else:
        numerator, denominator = ONE * in_size + out_size // 2, out_size
    scale = numerator // denominator
    start = scale // 2 - ONE // 2 if half else 0
    if max(numerator, (out_size - 1) * scale + abs(start) + ONE) > INT32_MAX:
        return None
    table = np.zeros((out_size, 3), np.int64)
    for i in range(out_size):
        at = i * scale + start
        lower = max(_c_div(at, ONE), 0)
        table[i] = lower, min(_c_div(at + ONE - 1, ONE), in_size - 1), at - ONE * lower
    return table.astype(np.int32)


def resize_geometry(graph: Graph, index: int, op: Op,
                    dtype: str = "int8") -> tuple[tuple[int, ...], bool, bool]:
    """(batches, in_h, in_w, channels, out_h, out_w), align_corners, half_pixel_centers of
    a resize whose input and output are ``dtype`` (int8 ones must share their quantization)."""

    def fail(message: str) -> TinygenError:
        return TinygenError(f"operator {index} ({op.kind}): {message}")

    if len(op.inputs) != 2 or len(op.outputs) != 1:
        raise fail(f"{len(op.inputs)} inputs and {len(op.outputs)} outputs; the operator takes "
                   "the input and its new size")
    x = expect(graph, index, op, op.inputs[0], "input", (dtype,), rank=4)
    y = expect(graph, index, op, op.outputs[0], "output", (dtype,), rank=4)
    batches, in_h, in_w, channels = shape4(x)
    out_batches, out_h, out_w, out_c = shape4(y)
    size = constant_ints(graph, op.inputs[1])
    if size is None:
        raise fail("the new size is computed at run time; tinygen needs it constant")
    if size.size != 2 or graph.tensors[op.inputs[1]].dtype != "int32":
        raise fail(f"the size {size.reshape(-1).tolist()} is not two int32 values (height, "
                   "width)")
    if (out_batches, out_c) != (batches, channels) or size.reshape(-1).tolist() != [out_h, out_w]:
        raise fail(f"an input of shape {list(x.shape)} resized to {size.reshape(-1).tolist()} "
                   f"does not give the output {quoted(y.name)} of shape {list(y.shape)}")
    if min(in_h, in_w, out_h, out_w) <= 0:
        raise fail(f"resizing {list(x.shape)} to {list(y.shape)} needs sizes of at least 1")
    align = bool(op.attrs.get("align_corners", False))
    half = bool(op.attrs.get("half_pixel_centers", False))
    if dtype != "int8":
        return (batches, in_h, in_w, channels, out_h, out_w), align, half
    xq = quant_of(graph, op.inputs[0], "input", index, op)
    yq = quant_of(graph, op.outputs[0], "output", index, op)
    if np.float32(xq.scale0) != np.float32(yq.scale0) or xq.zero_point0 != yq.zero_point0:
        raise fail(f"the input (scale {xq.scale0:g}, zero point {xq.zero_point0}) and the output "
                   f"(scale {yq.scale0:g}, zero point {yq.zero_point0}) must share their "
                   "quantization: TensorFlow Lite's int8 kernel moves values without "
                   "requantizing")
    return (batches, in_h, in_w, channels, out_h, out_w), align, half


def lower_resize_nearest(graph: Graph, index: int, op: Op, dtype: str = "int8") -> KernelCall:
    """RESIZE_NEAREST_NEIGHBOR on ``dtype`` tensors (resize_nearest_s8 or _f32)."""
    dims, align, half = resize_geometry(graph, index, op, dtype)
    batches, in_h, in_w, channels, out_h, out_w = dims
    params = ResizeNearestParams(
        batches=batches, in_h=in_h, in_w=in_w, channels=channels, out_h=out_h, out_w=out_w,
        rows=nearest_table(in_h, out_h, align, half),
        cols=nearest_table(in_w, out_w, align, half),
    )
    kernel = "resize_nearest_s8" if dtype == "int8" else "resize_nearest_f32"
    return KernelCall(kernel, (op.inputs[0],), (op.outputs[0],), params)


def lower_resize_bilinear(graph: Graph, index: int, op: Op) -> KernelCall:
    dims, align, half = resize_geometry(graph, index, op)
    batches, in_h, in_w, channels, out_h, out_w = dims
    where = f"operator {index} (RESIZE_BILINEAR)"
    if align and half:
        raise TinygenError(f"{where}: align_corners and half_pixel_centers are both set; "
                           "TensorFlow Lite takes half_pixel_centers only without align_corners")
    rows = bilinear_table(in_h, out_h, align, half)
    cols = bilinear_table(in_w, out_w, align, half)
    if rows is None or cols is None:
        raise TinygenError(f"{where}: resizing {in_h}x{in_w} to {out_h}x{out_w} overflows "
                           "TensorFlow Lite's 32-bit interpolation arithmetic")
    for name, table, size in (("row", rows, in_h), ("column", cols, in_w)):
        beyond = int(table[:, 0].max())
        if beyond > size - 1:  # TensorFlow Lite clamps only the upper neighbour
            raise TinygenError(f"{where}: TensorFlow Lite's kernel would read input {name} "
                               f"{beyond}, outside an input of {size} {name}"
                               f"{'' if size == 1 else 's'}, when resizing {in_h}x{in_w} to "
                               f"{out_h}x{out_w} (its scale is rounded to 1/1024ths)")
    # The fractions lie in [-512, 1024) (bilinear_table): a pixel's four weights
    # (1024 - fy) * (1024 - fx), ... add up to at most 2048 * 2048 in magnitude, so the
    # kernel's int32 sums of int8 values stay within 2**29.
    params = ResizeBilinearParams(
        batches=batches, in_h=in_h, in_w=in_w, channels=channels, out_h=out_h, out_w=out_w,
        rows=rows, cols=cols,
    )
    return KernelCall("resize_bilinear_s8", (op.inputs[0],), (op.outputs[0],), params)
