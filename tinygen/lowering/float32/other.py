"""Lowering of the remaining float32 compute operators: RESIZE_NEAREST_NEIGHBOR,
RESIZE_BILINEAR, BATCH_MATMUL and TRANSPOSE_CONV, on the geometry of their int8 lowerings.

Which input rows and columns a resize reads depends only on the sizes and options, so the
tables are computed here, in float32 as TensorFlow Lite's float kernels compute them:
nearest neighbour as for int8 (``tinygen.lowering.resize.nearest_table``); bilinear with
the scale in / out ((in - 1) / (out - 1) with align_corners), output index i at
v = i * scale (half_pixel_centers: (i + 0.5) * scale - 0.5), between lower = max(floor(v),
0) and upper = min(ceil(v), in - 1), weighted 1 - (v - lower) and v - lower.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from tinygen.errors import TinygenError
from tinygen.ir import NO_TENSOR, Graph, Op
from tinygen.lowering.batch_matmul import matmul_shape
from tinygen.lowering.call import KernelCall
from tinygen.lowering.float32.common import float_activation
from tinygen.lowering.resize import lower_resize_nearest, resize_geometry
from tinygen.lowering.transpose_conv import TransposeConvShape, transpose_conv_shape

F32 = ("float32",)


@dataclass(frozen=True)
class ResizeBilinearF32Params:
    batches: int
    in_h: int
    in_w: int
    channels: int
    out_h: int
    out_w: int
    rows: np.ndarray  # int32 [out_h, 2]: (lower row, upper row)
    cols: np.ndarray  # int32 [out_w, 2]
    row_weights: np.ndarray  # float32 [out_h, 2]: (weight of lower, weight of upper)
    col_weights: np.ndarray  # float32 [out_w, 2]


@dataclass(frozen=True)
class TransposeConvF32Params(TransposeConvShape):
    act_min: np.float32
    act_max: np.float32


def bilinear_f32_table(in_size: int, out_size: int, align: bool,
                       half: bool) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) indices and (1 - d, d) weights of each output index, in float32 as
    TensorFlow Lite's ComputeInterpolationValues computes them."""
    f32 = np.float32
    if align and out_size > 1:
        scale = f32(in_size - 1) / f32(out_size - 1)
    else:
        scale = f32(in_size) / f32(out_size)
    at = np.arange(out_size).astype(np.float32)
    at = (at + f32(0.5)) * scale - f32(0.5) if half else at * scale
    lower = np.maximum(np.floor(at).astype(np.int64), 0)
    upper = np.minimum(np.ceil(at).astype(np.int64), in_size - 1)
    d = (at - lower.astype(np.float32)).astype(np.float32)
    weights = np.stack([f32(1.0) - d, d], axis=1).astype(np.float32)
    return np.stack([lower, upper], axis=1).astype(np.int32), weights


def lower_resize_nearest_f32(graph: Graph, index: int, op: Op) -> KernelCall:
    return lower_resize_nearest(graph, index, op, "float32")


def lower_resize_bilinear_f32(graph: Graph, index: int, op: Op) -> KernelCall:
    dims, align, half = resize_geometry(graph, index, op, "float32")
    batches, in_h, in_w, channels, out_h, out_w = dims
    where = f"operator {index} (RESIZE_BILINEAR)"
    if align and half:
        raise TinygenError(f"{where}: align_corners and half_pixel_centers are both set; "
                           "TensorFlow Lite takes half_pixel_centers only without align_corners")
    rows, row_weights = bilinear_f32_table(in_h, out_h, align, half)
    cols, col_weights = bilinear_f32_table(in_w, out_w, align, half)
    for name, table, size in (("row", rows, in_h), ("column", cols, in_w)):
        beyond = int(table[:, 0].max())
        if beyond > size - 1:  # TensorFlow Lite clamps only the upper neighbour
            raise TinygenError(f"{where}: TensorFlow Lite's kernel would read input {name} "
                               f"{beyond}, outside an input of {size}, when resizing "
                               f"{in_h}x{in_w} to {out_h}x{out_w}")
    params = ResizeBilinearF32Params(
        batches=batches, in_h=in_h, in_w=in_w, channels=channels, out_h=out_h, out_w=out_w,
        rows=rows, cols=cols, row_weights=row_weights, col_weights=col_weights,
    )
    return KernelCall("resize_bilinear_f32", (op.inputs[0],), (op.outputs[0],), params)


def lower_batch_matmul_f32(graph: Graph, index: int, op: Op) -> KernelCall:
    """BATCH_MATMUL: per output, the sum over the depth from 0 in float32, as TensorFlow
    Lite's reference; the parameters are the int8 kernel's geometry alone."""
    shape = matmul_shape(graph, index, op, "float32")
    return KernelCall("batch_matmul_f32", (op.inputs[0], op.inputs[1]), (op.outputs[0],),
                      shape)


def lower_transpose_conv_f32(graph: Graph, index: int, op: Op) -> KernelCall:
    """TRANSPOSE_CONV: TensorFlow Lite's scattered float32 sums, gathered per output in the
    same order, then the bias and the clamp to the fused activation's range."""
    shape, biased = transpose_conv_shape(graph, index, op, "float32")
    act_min, act_max = float_activation(index, op)
    params = TransposeConvF32Params(**dataclasses.asdict(shape), act_min=act_min,
                                    act_max=act_max)
    inputs = (op.inputs[2], op.inputs[1], op.inputs[3] if biased else NO_TENSOR)
    return KernelCall("transpose_conv_f32", inputs, (op.outputs[0],), params)


OTHER_LOWERERS = {
    "TRANSPOSE_CONV": lower_transpose_conv_f32,
    "BATCH_MATMUL": lower_batch_matmul_f32,
    "RESIZE_NEAREST_NEIGHBOR": lower_resize_nearest_f32,
    "RESIZE_BILINEAR": lower_resize_bilinear_f32,
}
