"""Lowering of BATCH_MATMUL on int8 tensors: lhs [..., M, K] x rhs [..., K, N] (adj_x reads
lhs as [..., K, M], adj_y rhs as [..., N, K]), ranks 2 to 5, the batch dimensions broadcast
numpy-style; either operand may be constant (in flash) or computed at run time.

TensorFlow Lite's and TFLite Micro's int8 arithmetic: sum over k of (lhs + lhs_offset) *
(rhs + rhs_offset) in int32, requantized per tensor by float32(lhs_scale * rhs_scale) /
output_scale (QuantizeMultiplier of that double) with the double-rounding
MultiplyByQuantizedMultiplier, plus the output's zero point, clamped to int8. The kernel
walks both operands through strides, so adj_x and adj_y cost no transposed copies.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from tinygen.errors import TinygenError, quoted
from tinygen.ir import Graph, Op
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import INT32_MAX, expect, quant_of, rescale

#: Batch dimensions the kernel walks (ranks up to 5, as TensorFlow Lite allows).
BATCH_DIMS = 3
#: Products one output may sum: each (int8 - zero point) product is at most 255².
MAX_DEPTH = INT32_MAX // (255 * 255)


@dataclass(frozen=True)
class BatchMatMulParams:
    batch_shape: tuple[int, ...]  # BATCH_DIMS output batch dims, leading 1s
    lhs_batch_strides: tuple[int, ...]  # elements; 0 where lhs broadcasts
    rhs_batch_strides: tuple[int, ...]
    rows: int  # M
    cols: int  # N
    depth: int  # K
    lhs_row_stride: int  # elements between lhs (i, k) and (i + 1, k)
    lhs_depth_stride: int
    rhs_depth_stride: int  # elements between rhs (k, j) and (k + 1, j)
    rhs_col_stride: int
    lhs_offset: int
    rhs_offset: int
    output_offset: int
    multiplier: int
    shift: int


def _batch_strides(batch: tuple[int, ...], matrix: int) -> tuple[int, ...]:
    strides, step = [], matrix
    for d in reversed(batch):
        strides.append(0 if d == 1 else step)
        step *= d
    return tuple(reversed(strides))


@dataclass(frozen=True)
class MatMulShape:
    """Where BATCH_MATMUL reads and writes: the fields of ``BatchMatMulParams`` before the
    quantization."""

    batch_shape: tuple[int, ...]
    lhs_batch_strides: tuple[int, ...]
    rhs_batch_strides: tuple[int, ...]
    rows: int
    cols: int
    depth: int
    lhs_row_stride: int
    lhs_depth_stride: int
    rhs_depth_stride: int
    rhs_col_stride: int


def matmul_shape(graph: Graph, index: int, op: Op, dtype: str = "int8") -> MatMulShape:
    """The geometry of BATCH_MATMUL ``op`` on ``dtype`` operands, checked against its output."""

    def fail(message: str) -> TinygenError:
        return TinygenError(f"operator {index} (BATCH_MATMUL): {message}")

    lhs = expect(graph, index, op, op.inputs[0], "left operand", (dtype,))
    rhs = expect(graph, index, op, op.inputs[1], "right operand", (dtype,))
    y = expect(graph, index, op, op.outputs[0], "output", (dtype,))
    for name, t in (("left operand", lhs), ("right operand", rhs)):
        if not 2 <= len(t.shape) <= 2 + BATCH_DIMS:
            raise fail(f"the {name} {quoted(t.name)} has shape {list(t.shape)}; BATCH_MATMUL "
                       f"takes 2 to {2 + BATCH_DIMS} dimensions")
    adj_x, adj_y = bool(op.attrs.get("adj_x")), bool(op.attrs.get("adj_y"))
    rank = max(len(lhs.shape), len(rhs.shape))
    ls = (1,) * (rank - len(lhs.shape)) + tuple(int(d) for d in lhs.shape)
    rs = (1,) * (rank - len(rhs.shape)) + tuple(int(d) for d in rhs.shape)
    rows, depth = (ls[-1], ls[-2]) if adj_x else (ls[-2], ls[-1])
    rhs_depth, cols = (rs[-1], rs[-2]) if adj_y else (rs[-2], rs[-1])
    if depth != rhs_depth:
        raise fail(f"{list(lhs.shape)} (adj_x {adj_x}) and {list(rhs.shape)} (adj_y {adj_y}) "
                   f"do not multiply: {depth} and {rhs_depth} elements to sum")
    batch = []
    for a, b in zip(ls[:-2], rs[:-2], strict=True):
        if a != b and 1 not in (a, b):
            raise fail(f"the batch dimensions of {list(lhs.shape)} and {list(rhs.shape)} do "
                       "not broadcast")
        batch.append(max(a, b))
    out_shape = (*batch, rows, cols)
    if tuple(y.shape) != out_shape:
        raise fail(f"the product is {list(out_shape)}, but the output {quoted(y.name)} is "
                   f"{list(y.shape)}")
    lead = (1,) * (BATCH_DIMS - len(batch))
    return MatMulShape(
        batch_shape=lead + tuple(batch),
        lhs_batch_strides=(0,) * len(lead) + _batch_strides(ls[:-2], rows * depth),
        rhs_batch_strides=(0,) * len(lead) + _batch_strides(rs[:-2], depth * cols),
        rows=rows,
        cols=cols,
        depth=depth,
        lhs_row_stride=1 if adj_x else depth,
        lhs_depth_stride=rows if adj_x else 1,
        rhs_depth_stride=1 if adj_y else cols,
        rhs_col_stride=depth if adj_y else 1,
    )


def lower_batch_matmul(graph: Graph, index: int, op: Op) -> KernelCall:
    def fail(message: str) -> TinygenError:
        return TinygenError(f"operator {index} (BATCH_MATMUL): {message}")

    shape = matmul_shape(graph, index, op)
    if shape.depth > MAX_DEPTH:
        raise fail(f"sums of {shape.depth:,} products would overflow the kernel's 32-bit "
                   f"accumulator (at most {MAX_DEPTH:,})")
    quants = [quant_of(graph, t, what, index, op) for t, what in (
        (op.inputs[0], "left operand"), (op.inputs[1], "right operand"), (op.outputs[0], "output"))]
    if any(q.per_channel for q in quants):
        raise fail("per-channel quantization is not supported; BATCH_MATMUL's int8 kernels "
                   "take one scale per tensor")
    lq, rq, yq = quants
    real = float(np.float32(lq.scale0) * np.float32(rq.scale0)) / float(np.float32(yq.scale0))
    multiplier, shift = rescale(real, index, op, "output")
    params = BatchMatMulParams(
        **dataclasses.asdict(shape),
        lhs_offset=-lq.zero_point0,
        rhs_offset=-rq.zero_point0,
        output_offset=yq.zero_point0,
        multiplier=multiplier,
        shift=shift,
    )
    return KernelCall("batch_matmul_s8", (op.inputs[0], op.inputs[1]), (op.outputs[0],), params)
