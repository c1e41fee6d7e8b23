"""Constant folding: operators whose inputs are all constant are evaluated with numpy.

Only operators with an exact numpy equivalent are folded: data movement on
any type (when quantization does not change between input and output) and
integer arithmetic on unquantized tensors. The result becomes a constant
tensor and the operator disappears.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from tinygen.ir import DTYPE_SIZES, NO_TENSOR, Graph, Op, Tensor
from tinygen.passes.graph_utils import clone, with_ops

Folder = Callable[[Op, list[np.ndarray], list[Tensor]], list[np.ndarray] | None]

_INT_TYPES = ("int8", "int16", "int32", "int64", "uint8", "uint32", "bool")


def _axis(axis: int, rank: int) -> int:
    return axis + rank if axis < 0 else axis


def _strided_slice(op: Op, args: list[np.ndarray], _: list[Tensor]) -> list[np.ndarray] | None:
    x, begin, end = args[0], args[1].reshape(-1), args[2].reshape(-1)
    strides = args[3].reshape(-1) if len(args) > 3 else np.ones_like(begin)
    a = op.attrs
    if a.get("ellipsis_mask", 0) or a.get("new_axis_mask", 0):
        return None
    index: list[Any] = []
    for d in range(len(begin)):
        b, e, s = int(begin[d]), int(end[d]), int(strides[d])
        if a.get("offset", False):
            e = b + e
        if a.get("shrink_axis_mask", 0) >> d & 1:
            index.append(b + x.shape[d] if b < 0 else b)
            continue
        start = None if a.get("begin_mask", 0) >> d & 1 else b
        stop = None if a.get("end_mask", 0) >> d & 1 else e
        index.append(slice(start, stop, s))
    return [np.asarray(x[tuple(index)])]


def _slice(_: Op, args: list[np.ndarray], __: list[Tensor]) -> list[np.ndarray]:
    x, begin, size = args[0], args[1].reshape(-1), args[2].reshape(-1)
    index = tuple(
        slice(int(b), x.shape[d] if int(s) < 0 else int(b) + int(s))
        for d, (b, s) in enumerate(zip(begin, size, strict=True))
    )
    return [x[index]]


def _reshape(_: Op, args: list[np.ndarray], outs: list[Tensor]) -> list[np.ndarray]:
    return [args[0].reshape(outs[0].shape)]


def _arith(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Folder:
    def fold(op: Op, args: list[np.ndarray], outs: list[Tensor]) -> list[np.ndarray] | None:
        if op.attrs.get("activation", "NONE") != "NONE":
            return None
        if any(a.dtype.kind not in "iu" for a in args):
            return None
        return [fn(args[0], args[1])]

    return fold


def _reduce(fn: Callable[..., np.ndarray]) -> Folder:
    def fold(op: Op, args: list[np.ndarray], _: list[Tensor]) -> list[np.ndarray] | None:
        if args[0].dtype.kind not in "iub":
            return None
        axes = tuple(_axis(int(v), args[0].ndim) for v in args[1].reshape(-1))
        return [fn(args[0], axis=axes, keepdims=op.attrs.get("keep_dims", False))]

    return fold


FOLDERS: dict[str, Folder] = {
    "PACK": lambda op, a, _: [np.stack(a, axis=op.attrs.get("axis", 0))],
    "UNPACK": lambda op, a, _: [
        np.take(a[0], i, axis=op.attrs.get("axis", 0))
        for i in range(a[0].shape[op.attrs.get("axis", 0)])
    ],
    "STRIDED_SLICE": _strided_slice,
    "SLICE": _slice,
    "CONCATENATION": lambda op, a, _: (
        [np.concatenate(a, axis=op.attrs.get("axis", 0))]
        if op.attrs.get("activation", "NONE") == "NONE"
        else None
    ),
    "GATHER": lambda op, a, _: (
        [np.take(a[0], a[1], axis=op.attrs.get("axis", 0))]
        if op.attrs.get("batch_dims", 0) == 0
        else None
    ),
    "CAST": lambda _, a, outs: (
        [a[0].astype(outs[0].dtype)] if outs[0].dtype in _INT_TYPES else None
    ),
    "RESHAPE": _reshape,
    "SQUEEZE": _reshape,
    "EXPAND_DIMS": _reshape,
    "TRANSPOSE": lambda _, a, __: [np.transpose(a[0], a[1].reshape(-1).tolist())],
    "TILE": lambda _, a, __: [np.tile(a[0], a[1].reshape(-1).tolist())],
    "FILL": lambda _, a, __: [np.full(a[0].reshape(-1).tolist(), a[1].reshape(()))],
    "RANGE": lambda _, a, __: (
        [np.arange(a[0].item(), a[1].item(), a[2].item(), dtype=a[0].dtype)]
        if a[0].dtype.kind in "iu"
        else None
    ),
    "ADD": _arith(np.add),
    "SUB": _arith(np.subtract),
    "MUL": _arith(np.multiply),
    "FLOOR_DIV": _arith(np.floor_divide),
    "FLOOR_MOD": _arith(np.mod),
    "MAXIMUM": _arith(np.maximum),
    "MINIMUM": _arith(np.minimum),
    "SUM": _reduce(np.sum),
    "REDUCE_PROD": _reduce(np.prod),
    "REDUCE_MAX": _reduce(np.max),
    "REDUCE_MIN": _reduce(np.min),
}

#: Operators that move values without arithmetic: foldable on quantized data.
_MOVES = {
    "PACK", "UNPACK", "STRIDED_SLICE", "SLICE", "CONCATENATION", "GATHER", "RESHAPE",
    "SQUEEZE", "EXPAND_DIMS", "TRANSPOSE", "TILE",
}  # fmt: skip


def _quant_allows(op: Op, graph: Graph) -> bool:
    """Arithmetic needs unquantized tensors; data movement needs unchanged quantization."""
    data_inputs = op.inputs[:1] if op.kind not in ("PACK", "CONCATENATION") else op.inputs
    ins = [graph.tensors[t] for t in data_inputs if t != NO_TENSOR]
    outs = [graph.tensors[t] for t in op.outputs]
    if op.kind not in _MOVES:
        return all(t.quant is None for t in ins + outs)
    for o in outs:
        for i in ins:
            if (i.quant is None) != (o.quant is None):
                return False
            if i.quant is not None and not i.quant.same_as(o.quant):
                return False
    return True


#: The most elements a folded constant may have: results are computed before they are
#: checked against anything, so operators that grow their input (FILL, TILE, RANGE,
#: GATHER, broadcasting arithmetic) are folded only below this,
MAX_FOLDED_ELEMENTS = 1 << 24
#: and only while all constant data of the graph stays below this many bytes (a hostile
#: model could otherwise fold many large constants, dead ones included).
MAX_CONSTANT_MEMORY = 1 << 30


def _result_elements(op: Op, args: list[np.ndarray]) -> int:
    """Elements the folder of ``op`` would produce, computed without producing them."""
    largest = max((a.size for a in args), default=0)
    if op.kind == "FILL":
        return math.prod(int(d) for d in args[0].reshape(-1))
    if op.kind == "TILE":
        return args[0].size * math.prod(int(d) for d in args[1].reshape(-1))
    if op.kind == "RANGE" and all(a.size == 1 for a in args[:3]):
        start, limit, delta = (a.reshape(-1)[0].item() for a in args[:3])
        return math.ceil(abs((limit - start) / delta)) if delta else 0
    if op.kind == "GATHER" and args[0].ndim:
        axis = _axis(op.attrs.get("axis", 0), args[0].ndim) % args[0].ndim
        return args[0].size // max(args[0].shape[axis], 1) * args[1].size
    if op.kind in ("PACK", "CONCATENATION"):
        return sum(a.size for a in args)
    if op.kind in FOLDERS and len(args) == 2 and op.kind not in _MOVES:
        return math.prod(np.broadcast_shapes(args[0].shape, args[1].shape))
    return largest


def fold_constants(graph: Graph) -> tuple[Graph, list[str]]:
    """Evaluate every foldable operator with all-constant inputs (in graph order)."""
    graph = clone(graph)
    keep: list[Op] = []
    lines: list[str] = []
    held = sum(int(t.data.nbytes) for t in graph.tensors if t.data is not None)
    for op in graph.ops:
        inputs = [t for t in op.inputs if t != NO_TENSOR]
        folder = FOLDERS.get(op.kind)
        if (
            folder is None
            or not inputs
            or not all(graph.tensors[t].is_constant for t in inputs)
            or any(t in graph.outputs for t in op.outputs)
            or not _quant_allows(op, graph)
            or any(graph.tensors[t].dtype not in DTYPE_SIZES for t in op.outputs)
        ):
            keep.append(op)
            continue
        outs = [graph.tensors[t] for t in op.outputs]
        args = [np.asarray(graph.tensors[t].data) for t in inputs]
        try:
            with np.errstate(all="ignore"):
                count = _result_elements(op, args)
                small = count <= MAX_FOLDED_ELEMENTS and held + 8 * count <= MAX_CONSTANT_MEMORY
                results = folder(op, args, outs) if small else None
                pairs = zip(results or [], outs, strict=False)
                values = [np.array(v, dtype=o.dtype) for v, o in pairs]
        except (ValueError, IndexError, TypeError, ArithmeticError):
            results = None
        if results is None or len(results) != len(outs):
            keep.append(op)
            continue
        for t, out, data in zip(op.outputs, outs, values, strict=True):
            graph.tensors[t] = replace(out, data=data, shape=data.shape, shape_signature=None)
            held += int(data.nbytes)
        shown = ", ".join(_describe(graph.tensors[t]) for t in op.outputs)
        lines.append(f"folded {op.kind} into constant {shown}")
    return with_ops(graph, keep), lines


def _describe(t: Tensor) -> str:
    assert t.data is not None
    if t.data.size <= 8:
        return f"'{t.name}' = {t.data.tolist()}"
    return f"'{t.name}' of shape {list(t.data.shape)}"
