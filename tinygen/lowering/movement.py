"""Lowering of the int8 operators that only move bytes along one strided view of their input:
TRANSPOSE, SLICE, STRIDED_SLICE, SPACE_TO_DEPTH and DEPTH_TO_SPACE.

Each output element ``(i_0, ..., i_5)`` is input element ``start + sum_d i_d * in_strides[d]``
(strides in elements, negative where STRIDED_SLICE walks backwards), so one kernel,
``tg_strided_copy_s8``, runs them all. The view is simplified at generation time: dimensions
of size 1 go and neighbours that are contiguous in the input merge, so a slice of whole rows
copies runs of bytes; a view that is the whole input in order becomes a ``copy``, which the
planner turns into an alias (no code runs).

TensorFlow Lite's kernels copy bytes whatever the quantization of input and output (the
converter gives them the same); tinygen refuses a model where they differ rather than
reinterpret the bytes under another scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from tinygen.errors import TinygenError, quoted
from tinygen.ir import Graph, Op
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import expect, positive_attr, quant_of
from tinygen.lowering.reshape import CopyParams
from tinygen.lowering.space_batch import constant_ints

MAX_DIMS = 6


@dataclass(frozen=True)
class StridedCopyParams:
    dims: int  # MAX_DIMS
    out_shape: tuple[int, ...]  # MAX_DIMS, leading 1s
    in_strides: tuple[int, ...]  # input elements per step along each output dimension
    start: int  # input element of output element 0
    size: int  # output elements


def fail(index: int, op: Op, message: str) -> TinygenError:
    return TinygenError(f"operator {index} ({op.kind}): {message}")


def same_quantization(graph: Graph, index: int, op: Op, x: int, y: int, what: str) -> None:
    """Refuse ``op`` unless tensors ``x`` (an input) and ``y`` (``what``) share scale and zero
    point: its kernel copies bytes."""
    xq = quant_of(graph, x, "input", index, op)
    yq = quant_of(graph, y, what, index, op)
    if np.float32(xq.scale0) != np.float32(yq.scale0) or xq.zero_point0 != yq.zero_point0:
        raise fail(index, op, f"the input (scale {xq.scale0:g}, zero point {xq.zero_point0}) "
                   f"and the {what} {quoted(graph.tensors[y].name)} (scale {yq.scale0:g}, zero "
                   f"point {yq.zero_point0}) must share their quantization: the kernel copies "
                   "bytes, as TensorFlow Lite's does")


def constant_vector(graph: Graph, index: int, op: Op, k: int, what: str,
                    length: int | None = None) -> list[int]:
    """Input ``k`` of ``op``: a constant integer vector (of ``length`` values if given)."""
    values = constant_ints(graph, op.inputs[k]) if len(op.inputs) > k else None
    if values is None:
        raise fail(index, op, f"the {what} are computed at run time; tinygen needs them "
                   "constant")
    flat = [int(v) for v in values.reshape(-1)]
    if values.ndim > 1 or (length is not None and len(flat) != length):
        want = "one vector" if length is None else f"{length} value{'s' * (length != 1)}"
        raise fail(index, op, f"the {what} {values.tolist()} are not {want}")
    return flat


def input_strides(shape: tuple[int, ...]) -> list[int]:
    """Row-major element strides of ``shape``."""
    strides = [1] * len(shape)
    for d in range(len(shape) - 2, -1, -1):
        strides[d] = strides[d + 1] * int(shape[d + 1])
    return strides


def simplified(shape: list[int], strides: list[int]) -> tuple[list[int], list[int]]:
    """The same walk with dimensions of size 1 dropped and contiguous neighbours merged."""
    dims = [(int(n), int(s)) for n, s in zip(shape, strides, strict=True) if n != 1]
    merged: list[tuple[int, int]] = []
    for n, s in dims:
        if merged and merged[-1][1] == s * n:
            merged[-1] = (merged[-1][0] * n, s)
        else:
            merged.append((n, s))
    return [n for n, _ in merged] or [1], [s for _, s in merged] or [1]


def strided_call(graph: Graph, index: int, op: Op, shape: list[int], strides: list[int],
                 start: int, dtype: str = "int8") -> KernelCall:
    """The call copying the view (``shape``, ``strides``, ``start``) of input 0 to the output,
    after checking it has the output's elements and (int8) quantization; its parameters
    count elements (of ``dtype``)."""
    x_index, y_index = op.inputs[0], op.outputs[0]
    x, y = graph.tensors[x_index], graph.tensors[y_index]
    if math.prod(shape) != y.size:
        raise fail(index, op, f"the operator makes {math.prod(shape)} elements, but the output "
                   f"{quoted(y.name)} {list(y.shape)} has {y.size}")
    if dtype == "int8":
        same_quantization(graph, index, op, x_index, y_index, "output")
    shape, strides = simplified(shape, strides)
    if len(shape) > MAX_DIMS:  # (the lowerings make views of at most MAX_DIMS dimensions)
        raise fail(index, op, f"the view has more than {MAX_DIMS} dimensions")
    if start == 0 and strides == [1] and shape == [x.size]:
        return KernelCall("copy", (x_index,), (y_index,), CopyParams(x.nbytes))
    lead = MAX_DIMS - len(shape)
    params = StridedCopyParams(
        dims=MAX_DIMS,
        out_shape=(1,) * lead + tuple(shape),
        in_strides=(0,) * lead + tuple(strides),
        start=int(start),
        size=int(y.size),
    )
    return KernelCall("strided_copy_s8", (x_index,), (y_index,), params)


def _data(graph: Graph, index: int, op: Op, max_rank: int = MAX_DIMS,
          dtype: str = "int8") -> tuple[int, ...]:
    x = expect(graph, index, op, op.inputs[0], "input", (dtype,))
    expect(graph, index, op, op.outputs[0], "output", (dtype,))
    if not 1 <= len(x.shape) <= max_rank:
        raise fail(index, op, f"the input {quoted(x.name)} is {len(x.shape)}-D "
                   f"({list(x.shape)}); the kernel takes 1 to {max_rank} dimensions")
    return tuple(int(d) for d in x.shape)


def _check_shape(graph: Graph, index: int, op: Op, shape: list[int]) -> None:
    y = graph.tensors[op.outputs[0]]
    if tuple(y.shape) != tuple(shape):
        raise fail(index, op, f"the output {quoted(y.name)} is {list(y.shape)}, but the "
                   f"operator makes {shape}")


def lower_transpose(graph: Graph, index: int, op: Op, dtype: str = "int8") -> KernelCall:
    shape = _data(graph, index, op, dtype=dtype)
    rank = len(shape)
    perm = constant_vector(graph, index, op, 1, "permutation", rank)
    if sorted(perm) != list(range(rank)):  # (negative entries are refused, as TFLite does)
        raise fail(index, op, f"{perm} is not a permutation of the {rank} dimensions")
    strides = input_strides(shape)
    out_shape = [shape[p] for p in perm]
    _check_shape(graph, index, op, out_shape)
    return strided_call(graph, index, op, out_shape, [strides[p] for p in perm], 0, dtype)


def lower_slice(graph: Graph, index: int, op: Op, dtype: str = "int8") -> KernelCall:
    shape = _data(graph, index, op, dtype=dtype)
    rank = len(shape)
    begin = constant_vector(graph, index, op, 1, "begin indices", rank)
    size = constant_vector(graph, index, op, 2, "sizes", rank)
    size = [n - b if s == -1 else s for b, s, n in zip(begin, size, shape, strict=True)]
    for d, (b, s, n) in enumerate(zip(begin, size, shape, strict=True)):
        if b < 0 or s < 0 or b + s > n:
            raise fail(index, op, f"dimension {d}: begin {b} and size {s} do not lie inside "
                       f"its {n} elements")
    _check_shape(graph, index, op, size)
    strides = input_strides(shape)
    start = sum(b * s for b, s in zip(begin, strides, strict=True))
    return strided_call(graph, index, op, size, strides, start, dtype)


def _clamp(v: int, low: int, high: int) -> int:
    return high if v > high else low if v < low else v


@dataclass(frozen=True)
class AxisMasks:
    """The bits of STRIDED_SLICE's masks for one axis."""

    begin: bool
    end: bool
    shrink: bool

    @staticmethod
    def of(attrs: dict[str, Any], axis: int) -> AxisMasks:
        def bit(key: str) -> bool:
            return bool(int(attrs.get(key, 0)) >> axis & 1)

        return AxisMasks(bit("begin_mask"), bit("end_mask"), bit("shrink_axis_mask"))


def strided_slice_axis(size: int, begin: int, end: int, stride: int, masks: AxisMasks,
                       offset: bool) -> tuple[int, int]:
    """First input index and element count along one axis, as TensorFlow Lite's reference
    kernel computes them (clamping, negative indices, begin/end masks, shrink, offset)."""
    start = begin + size if begin < 0 else begin
    start = _clamp(start, 0, size) if stride > 0 else _clamp(start, -1, size - 1)
    if masks.begin:
        start = 0 if stride > 0 else size - 1
    if masks.shrink:
        # one element, which the kernel's loop walks only with a positive stride
        stop = start if start >= size else start + 1
    else:
        stop = end + start if offset else end
        stop = stop + size if stop < 0 else stop
        stop = _clamp(stop, 0, size) if stride > 0 else _clamp(stop, -1, size - 1)
        if masks.end:
            stop = size if stride > 0 else -1
    return start, len(range(start, stop, stride))


def lower_strided_slice(graph: Graph, index: int, op: Op, dtype: str = "int8") -> KernelCall:
    shape = _data(graph, index, op, dtype=dtype)
    rank = len(shape)
    a = op.attrs
    for mask in ("ellipsis_mask", "new_axis_mask"):
        if int(a.get(mask, 0)):
            raise fail(index, op, f"{mask} {a[mask]} is not supported (TensorFlow's converter "
                       "expands an ellipsis and writes a new axis as a RESHAPE; TFLite Micro "
                       "ignores both masks)")
    begin = constant_vector(graph, index, op, 1, "begin indices", rank)
    end = constant_vector(graph, index, op, 2, "end indices", rank)
    steps = (constant_vector(graph, index, op, 3, "strides", rank)
             if len(op.inputs) > 3 else [1] * rank)
    if 0 in steps:
        raise fail(index, op, f"the strides {steps} hold a 0")
    strides = input_strides(shape)
    start, out_shape, kept, view_strides = 0, [], [], []
    for d in range(rank):
        masks = AxisMasks.of(a, d)
        first, count = strided_slice_axis(shape[d], begin[d], end[d], steps[d], masks,
                                          bool(a.get("offset", False)))
        if count == 0:
            raise fail(index, op, f"dimension {d} keeps no element (begin {begin[d]}, end "
                       f"{end[d]}, stride {steps[d]} on {shape[d]})")
        start += first * strides[d]
        out_shape.append(count)
        view_strides.append(steps[d] * strides[d])
        if not masks.shrink:
            kept.append(count)
    _check_shape(graph, index, op, kept)
    return strided_call(graph, index, op, out_shape, view_strides, start, dtype)


def _block(graph: Graph, index: int, op: Op,
           dtype: str = "int8") -> tuple[tuple[int, ...], int]:
    shape = _data(graph, index, op, 4, dtype)
    if len(shape) != 4:
        raise fail(index, op, f"the input must be 4-D (NHWC), has shape {list(shape)}")
    return shape, positive_attr(index, op, "block_size")


def lower_space_to_depth(graph: Graph, index: int, op: Op, dtype: str = "int8") -> KernelCall:
    (n, h, w, c), bs = _block(graph, index, op, dtype)
    if h % bs or w % bs:
        raise fail(index, op, f"height {h} and width {w} must be multiples of the block size "
                   f"{bs}")
    _check_shape(graph, index, op, [n, h // bs, w // bs, c * bs * bs])
    # output (n, oh, ow, bh, bw, c) reads input (n, oh * bs + bh, ow * bs + bw, c)
    view = [n, h // bs, w // bs, bs, bs, c]
    strides = [h * w * c, bs * w * c, bs * c, w * c, c, 1]
    return strided_call(graph, index, op, view, strides, 0, dtype)


def lower_depth_to_space(graph: Graph, index: int, op: Op, dtype: str = "int8") -> KernelCall:
    (n, h, w, c), bs = _block(graph, index, op, dtype)
    if c % (bs * bs):
        raise fail(index, op, f"depth {c} must be a multiple of the block size squared "
                   f"({bs * bs})")
    oc = c // (bs * bs)
    _check_shape(graph, index, op, [n, h * bs, w * bs, oc])
    # output (n, h, bh, w, bw, oc) reads input (n, h, w, (bh * bs + bw) * oc + oc_index)
    view = [n, h, bs, w, bs, oc]
    strides = [h * w * c, w * c, bs * oc, c, oc, 1]
    return strided_call(graph, index, op, view, strides, 0, dtype)
