"""The data-movement operators of calibration, as index maps.

TRANSPOSE, SLICE, STRIDED_SLICE, CONCATENATION, PACK, UNPACK, SPLIT, SPLIT_V,
SPACE_TO_DEPTH, DEPTH_TO_SPACE, SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND,
RESIZE_NEAREST_NEIGHBOR, MIRROR_PAD and GATHER (constant indices, no batch dimensions)
only move values: each output element is one element of one input (or a padded 0.0).
:func:`index_maps` works out which, once per operator, by running the operator's numpy
equivalent on the element numbers of its inputs (input ``k``'s elements numbered after
those of inputs ``0 .. k-1``) with the tensors' real shapes, so the batch dimension and
the samples stacked along it never mix: the runner then gathers each sample's values
with the maps. Semantics are TensorFlow Lite's (its reference kernels): negative axes
count from the end, STRIDED_SLICE clamps its indices and applies its begin, end and
shrink masks and its offset, SPLIT_V takes one size of -1 as the rest,
RESIZE_NEAREST_NEIGHBOR picks rows and columns as its float32 arithmetic does
(:func:`tinygen.lowering.resize.nearest_table`), MIRROR_PAD's REFLECT and SYMMETRIC are
numpy's modes of the same names, SPACE_TO_BATCH_ND pads with 0.0 (the element number
``ZERO``) and deals block offsets to batches offset-major, BATCH_TO_SPACE_ND undoes that
and crops.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from tinygen.errors import TinygenError
from tinygen.ir import Graph, Op
from tinygen.lowering.movement import AxisMasks, strided_slice_axis
from tinygen.lowering.resize import nearest_table

#: The values of constant input k (int64).
Constant = Callable[[int], np.ndarray]
#: The element number that stands for a 0.0 the operator pads with (the runner's last).
ZERO = -1
#: (op, the inputs' element numbers in their shapes, constant inputs) → output numbers.
Mover = Callable[[Op, list[np.ndarray], Constant], list[np.ndarray]]


def _axis(axis: int, rank: int) -> int:
    return axis + rank if axis < 0 else axis


def _ints(values: np.ndarray) -> list[int]:
    return [int(v) for v in values.reshape(-1)]


def _transpose(_: Op, xs: list[np.ndarray], const: Constant) -> list[np.ndarray]:
    return [np.transpose(xs[0], _ints(const(1)))]


def _slice(_: Op, xs: list[np.ndarray], const: Constant) -> list[np.ndarray]:
    x = xs[0]
    begin, size = _ints(const(1)), _ints(const(2))
    index = tuple(
        slice(b, n if s == -1 else b + s) for b, s, n in zip(begin, size, x.shape, strict=True)
    )
    return [x[index]]


def _strided_slice(
    op: Op, xs: list[np.ndarray], const: Constant
) -> list[np.ndarray]:
    x = xs[0]
    begin, end = _ints(const(1)), _ints(const(2))
    steps = _ints(const(3)) if len(op.inputs) > 3 else [1] * x.ndim
    lists, kept = [], []
    for d in range(x.ndim):
        masks = AxisMasks.of(op.attrs, d)
        first, count = strided_slice_axis(
            x.shape[d], begin[d], end[d], steps[d], masks, bool(op.attrs.get("offset", False))
        )
        lists.append(first + steps[d] * np.arange(count))
        if not masks.shrink:
            kept.append(count)
    return [x[np.ix_(*lists)].reshape(kept)]


def _concatenation(
    op: Op, xs: list[np.ndarray], _: Constant
) -> list[np.ndarray]:
    return [np.concatenate(xs, axis=_axis(int(op.attrs.get("axis", 0)), xs[0].ndim))]


def _pack(op: Op, xs: list[np.ndarray], _: Constant) -> list[np.ndarray]:
    return [np.stack(xs, axis=_axis(int(op.attrs.get("axis", 0)), xs[0].ndim + 1))]


def _unpack(op: Op, xs: list[np.ndarray], _: Constant) -> list[np.ndarray]:
    axis = _axis(int(op.attrs.get("axis", 0)), xs[0].ndim)
    return [np.take(xs[0], i, axis=axis) for i in range(xs[0].shape[axis])]


def _split(op: Op, xs: list[np.ndarray], const: Constant) -> list[np.ndarray]:
    axis = _axis(_ints(const(0))[0], xs[0].ndim)
    return list(np.split(xs[0], len(op.outputs), axis=axis))


def _split_v(op: Op, xs: list[np.ndarray], const: Constant) -> list[np.ndarray]:
    x = xs[0]
    axis = _axis(_ints(const(2))[0], x.ndim)
    sizes = _ints(const(1))
    if sizes.count(-1) == 1:
        sizes[sizes.index(-1)] = x.shape[axis] - sum(s for s in sizes if s != -1)
    return list(np.split(x, np.cumsum(sizes)[:-1], axis=axis))


def _space_to_depth(
    op: Op, xs: list[np.ndarray], _: Constant
) -> list[np.ndarray]:
    n, h, w, c = xs[0].shape
    bs = int(op.attrs["block_size"])
    blocks = xs[0].reshape(n, h // bs, bs, w // bs, bs, c).transpose(0, 1, 3, 2, 4, 5)
    return [blocks.reshape(n, h // bs, w // bs, bs * bs * c)]


def _depth_to_space(
    op: Op, xs: list[np.ndarray], _: Constant
) -> list[np.ndarray]:
    n, h, w, c = xs[0].shape
    bs = int(op.attrs["block_size"])
    blocks = xs[0].reshape(n, h, w, bs, bs, c // (bs * bs)).transpose(0, 1, 3, 2, 4, 5)
    return [blocks.reshape(n, h * bs, w * bs, c // (bs * bs))]


def _resize_nearest(
    op: Op, xs: list[np.ndarray], const: Constant
) -> list[np.ndarray]:
    x = xs[0]
    out_h, out_w = _ints(const(1))
    align = bool(op.attrs.get("align_corners", False))
    half = bool(op.attrs.get("half_pixel_centers", False))
    rows = nearest_table(x.shape[1], out_h, align, half)
    cols = nearest_table(x.shape[2], out_w, align, half)
    return [x[:, rows][:, :, cols]]


def _mirror_pad(op: Op, xs: list[np.ndarray], const: Constant) -> list[np.ndarray]:
    widths = [(int(a), int(b)) for a, b in const(1).reshape(-1, 2)]
    mode = "reflect" if op.attrs.get("mode") == "REFLECT" else "symmetric"
    return [np.pad(xs[0], widths, mode=mode)]


def _gather(op: Op, xs: list[np.ndarray], const: Constant) -> list[np.ndarray]:
    axis = _axis(int(op.attrs.get("axis", 0)), xs[0].ndim)
    return [np.take(xs[0], const(1), axis=axis)]


def _space_to_batch(op: Op, xs: list[np.ndarray], const: Constant) -> list[np.ndarray]:
    """Pad the spatial dimensions with 0.0, then deal each block offset to its own batch
    (offset-major: batch ``offset · n + b``), as TensorFlow defines SPACE_TO_BATCH_ND."""
    x = xs[0]
    block = _ints(const(1))
    pads = [(int(a), int(b)) for a, b in const(2).reshape(-1, 2)]
    m = len(block)
    padded = np.pad(x, [(0, 0), *pads] + [(0, 0)] * (x.ndim - 1 - m), constant_values=ZERO)
    split = [padded.shape[0]]
    for d, b in enumerate(block):
        split += [padded.shape[1 + d] // b, b]
    rest = list(padded.shape[1 + m:])
    blocks = padded.reshape(split + rest)
    order = [2 + 2 * d for d in range(m)] + [0] + [1 + 2 * d for d in range(m)]
    order += list(range(1 + 2 * m, 1 + 2 * m + len(rest)))
    moved = blocks.transpose(order)
    return [moved.reshape([-1, *(padded.shape[1 + d] // b for d, b in enumerate(block)), *rest])]


def _batch_to_space(op: Op, xs: list[np.ndarray], const: Constant) -> list[np.ndarray]:
    """The inverse: batch ``offset · n + b`` back to its block offset, then the crops."""
    x = xs[0]
    block = _ints(const(1))
    crops = [(int(a), int(b)) for a, b in const(2).reshape(-1, 2)]
    m = len(block)
    n = x.shape[0] // math.prod(block)
    spatial, rest = list(x.shape[1 : 1 + m]), list(x.shape[1 + m :])
    blocks = x.reshape([*block, n, *spatial, *rest])
    order = [m] + [i for d in range(m) for i in (m + 1 + d, d)]
    order += list(range(1 + 2 * m, 1 + 2 * m + len(rest)))
    moved = blocks.transpose(order).reshape([n, *(s * b for s, b in zip(spatial, block,
                                                                        strict=True)), *rest])
    index = tuple(slice(a, moved.shape[1 + d] - b) for d, (a, b) in enumerate(crops))
    return [moved[(slice(None), *index)]]


#: Operator kind → index-map builder and the slots of its data inputs (None: all of them).
MOVERS: dict[str, tuple[Mover, tuple[int, ...] | None]] = {
    "TRANSPOSE": (_transpose, (0,)),
    "SLICE": (_slice, (0,)),
    "STRIDED_SLICE": (_strided_slice, (0,)),
    "CONCATENATION": (_concatenation, None),
    "PACK": (_pack, None),
    "UNPACK": (_unpack, (0,)),
    "SPLIT": (_split, (1,)),
    "SPLIT_V": (_split_v, (0,)),
    "SPACE_TO_DEPTH": (_space_to_depth, (0,)),
    "DEPTH_TO_SPACE": (_depth_to_space, (0,)),
    "RESIZE_NEAREST_NEIGHBOR": (_resize_nearest, (0,)),
    "MIRROR_PAD": (_mirror_pad, (0,)),
    "GATHER": (_gather, (0,)),
    "SPACE_TO_BATCH_ND": (_space_to_batch, (0,)),
    "BATCH_TO_SPACE_ND": (_batch_to_space, (0,)),
}


def data_slots(op: Op) -> tuple[int, ...]:
    """The input slots a mover reads values from."""
    slots = MOVERS[op.kind][1]
    return tuple(range(len(op.inputs))) if slots is None else slots


def index_maps(graph: Graph, index: int, op: Op) -> list[np.ndarray]:
    """For each output of operator ``index``, the flat element number (in its data inputs,
    numbered one after the other; ``ZERO`` for a padded 0.0) that each of its elements
    takes."""
    mover, _ = MOVERS[op.kind]
    numbers, offset = [], 0
    for slot in data_slots(op):
        shape = graph.tensors[op.inputs[slot]].shape
        size = math.prod(shape)
        numbers.append(np.arange(offset, offset + size).reshape(shape))
        offset += size

    def const(slot: int) -> np.ndarray:
        data = graph.tensors[op.inputs[slot]].data
        if data is None:  # (rules.check_quantizable refuses this first)
            raise TinygenError(f"cannot quantize this model: operator {index} ({op.kind}) "
                               f"computes its input {slot} at run time; it must be a constant")
        return np.asarray(data).astype(np.int64)

    try:
        maps = mover(op, numbers, const)
    except (ValueError, IndexError) as exc:
        raise TinygenError(
            f"cannot quantize this model: operator {index} ({op.kind}) does not fit its "
            f"inputs' shapes ({exc})"
        ) from exc
    if len(maps) != len(op.outputs):
        raise TinygenError(
            f"cannot quantize this model: operator {index} ({op.kind}) makes {len(maps)} "
            f"outputs, but has {len(op.outputs)}"
        )
    for y, m in zip(op.outputs, maps, strict=True):
        want = graph.tensors[y].shape
        if tuple(m.shape) != tuple(want):
            raise TinygenError(
                f"cannot quantize this model: operator {index} ({op.kind}) makes "
                f"{list(m.shape)}, but its output '{graph.tensors[y].name}' is {list(want)}"
            )
    return [np.ascontiguousarray(m).reshape(-1) for m in maps]
