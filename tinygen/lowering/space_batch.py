"""Lowering of SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND on int8 tensors, as TensorFlow Lite does.

SPACE_TO_BATCH_ND pads the spatial dimensions of an [N, H, W, C] input and moves
each of the block_h x block_w phases of the padded image into batches of their
own: output batch ``(shift_h * block_w + shift_w) * N + n`` holds the padded
pixels ``(n, oh * block_h + shift_h, ow * block_w + shift_w)``. The padding is
the output's zero point (TensorFlow Lite's reference kernel; TFLite Micro pads
with raw 0 and does not resize the batch). BATCH_TO_SPACE_ND puts the phases
back and then drops the crops. A 3-D input [N, H, C] (Conv1D) is [N, H, 1, C]
with one block size and one padding pair.

TensorFlow Lite computes the output shape from the input shape, the block shape
and the paddings or crops; ``space_batch_shape`` does the same, and lowering
refuses a model whose stored output shape disagrees with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinygen.errors import TinygenError, quoted
from tinygen.ir import Graph, Op
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import quant_of

SPACE_TO_BATCH = "SPACE_TO_BATCH_ND"
BATCH_TO_SPACE = "BATCH_TO_SPACE_ND"


@dataclass(frozen=True)
class SpaceBatchGeometry:
    """The fields both kernels share; a 3-D tensor has in_w = out_w = block_w = 1."""

    in_batches: int
    in_h: int
    in_w: int
    channels: int
    out_batches: int
    out_h: int
    out_w: int
    block_h: int
    block_w: int


@dataclass(frozen=True)
class SpaceToBatchParams(SpaceBatchGeometry):
    pad_top: int
    pad_left: int
    pad_value: int  # the output's zero point


@dataclass(frozen=True)
class BatchToSpaceParams(SpaceBatchGeometry):
    crop_top: int
    crop_left: int


def constant_ints(graph: Graph, index: int) -> np.ndarray | None:
    """The values of a constant integer tensor, or None if it is computed at run time."""
    data = graph.tensors[index].data
    if data is None or np.asarray(data).dtype.kind not in "iu":
        return None
    return np.asarray(data, dtype=np.int64)


def space_batch_shape(
    kind: str, shape: tuple[int, ...], block: np.ndarray, pairs: np.ndarray
) -> tuple[int, ...]:
    """Output shape of ``kind`` on an input of ``shape``; ValueError says why there is none.

    ``pairs`` holds the paddings (SPACE_TO_BATCH_ND) or crops (BATCH_TO_SPACE_ND),
    one (before, after) pair per spatial dimension.
    """
    what = "paddings" if kind == SPACE_TO_BATCH else "crops"
    if len(shape) not in (3, 4):
        raise ValueError(f"the input must be 3-D or 4-D, it has shape {list(shape)}")
    spatial = len(shape) - 2
    if block.shape != (spatial,):
        raise ValueError(
            f"the block shape must hold {spatial} value(s) for a {len(shape)}-D input, "
            f"it is {block.tolist()}"
        )
    if pairs.shape != (spatial, 2):
        raise ValueError(
            f"the {what} must have shape [{spatial}, 2] for a {len(shape)}-D input, "
            f"they are {pairs.tolist()}"
        )
    if np.any(block < 1):
        raise ValueError(
            f"every block size must be at least 1, the block shape is {block.tolist()}"
        )
    if np.any(pairs < 0):
        raise ValueError(f"the {what} must not be negative, they are {pairs.tolist()}")
    blocks = int(np.prod(block))
    out = list(shape)
    if kind == SPACE_TO_BATCH:
        out[0] = shape[0] * blocks
        for d in range(spatial):
            padded = shape[1 + d] + int(pairs[d].sum())
            if padded % int(block[d]):
                raise ValueError(
                    f"dimension {1 + d} padded to {padded} is not a multiple of its block "
                    f"size {int(block[d])}"
                )
            out[1 + d] = padded // int(block[d])
        return tuple(out)
    if shape[0] % blocks:
        raise ValueError(
            f"the input batch {shape[0]} is not a multiple of the block size product {blocks}"
        )
    out[0] = shape[0] // blocks
    for d in range(spatial):
        out[1 + d] = shape[1 + d] * int(block[d]) - int(pairs[d].sum())
        if out[1 + d] < 1:
            raise ValueError(f"the crops {pairs.tolist()} leave nothing of dimension {1 + d}")
    return tuple(out)


def _checked(graph: Graph, index: int, op: Op,
             dtype: str = "int8") -> tuple[np.ndarray, np.ndarray, int]:
    """Block shape, paddings or crops, and the zero point (0 for float32); TinygenError if
    TFLite would refuse."""
    where = f"operator {index} ({op.kind})"
    what = "paddings" if op.kind == SPACE_TO_BATCH else "crops"
    if len(op.inputs) != 3:
        raise TinygenError(
            f"{where}: expected 3 inputs (data, block shape, {what}), found {len(op.inputs)}"
        )
    x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    block, pairs = constant_ints(graph, op.inputs[1]), constant_ints(graph, op.inputs[2])
    if block is None or pairs is None:
        raise TinygenError(
            f"{where}: the block shape and the {what} must be constant integer tensors; "
            "convert the model with a fixed input shape so that the converter folds them"
        )
    if x.dtype != dtype or y.dtype != dtype:
        raise TinygenError(
            f"{where}: only {dtype} tensors are supported, the input is {x.dtype} and the "
            f"output {y.dtype}"
        )
    xq = quant_of(graph, op.inputs[0], "input", index, op) if dtype == "int8" else None
    yq = quant_of(graph, op.outputs[0], "output", index, op) if dtype == "int8" else None
    if xq is not None and yq is not None and not xq.same_as(yq):
        raise TinygenError(
            f"{where}: input and output quantization must be equal (TensorFlow Lite requires "
            f"it), but the input has scale {xq.scale0:g} and zero point {xq.zero_point0} and "
            f"the output scale {yq.scale0:g} and zero point {yq.zero_point0}"
        )
    try:
        shape = space_batch_shape(op.kind, x.shape, block, pairs)
    except ValueError as exc:
        raise TinygenError(f"{where}: {exc}") from None
    if shape != y.shape:
        raise TinygenError(
            f"{where}: the model stores output {quoted(y.name)} with shape {list(y.shape)}, but "
            f"input {list(x.shape)}, block shape {block.tolist()} and {what} "
            f"{pairs.tolist()} give {list(shape)}; models converted with a dynamic batch "
            "size can store such shapes: convert the model with batch size 1 (Keras: "
            "Input(..., batch_size=1))"
        )
    return block, pairs, yq.zero_point0 if yq is not None else 0


def _as_4d(shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """[N, H, W, C], a 3-D [N, H, C] as [N, H, 1, C] (TensorFlow Lite's rule)."""
    if len(shape) == 3:
        return shape[0], shape[1], 1, shape[2]
    n, h, w, c = shape
    return n, h, w, c


def _lower(graph: Graph, index: int, op: Op, dtype: str = "int8") -> KernelCall:
    block, pairs, zero_point = _checked(graph, index, op, dtype)
    n, h, w, c = _as_4d(graph.tensors[op.inputs[0]].shape)
    out_n, out_h, out_w, _ = _as_4d(graph.tensors[op.outputs[0]].shape)
    wide = block.size == 2
    geometry = {
        "in_batches": n,
        "in_h": h,
        "in_w": w,
        "channels": c,
        "out_batches": out_n,
        "out_h": out_h,
        "out_w": out_w,
        "block_h": int(block[0]),
        "block_w": int(block[1]) if wide else 1,
    }
    before_h, before_w = int(pairs[0][0]), int(pairs[1][0]) if wide else 0
    params: SpaceBatchGeometry
    if op.kind == SPACE_TO_BATCH:
        kernel = "space_to_batch_nd_s8"
        params = SpaceToBatchParams(
            **geometry, pad_top=before_h, pad_left=before_w, pad_value=zero_point
        )
    else:
        kernel = "batch_to_space_nd_s8"
        params = BatchToSpaceParams(**geometry, crop_top=before_h, crop_left=before_w)
    return KernelCall(kernel, (op.inputs[0],), (op.outputs[0],), params)


def lower_space_to_batch(graph: Graph, index: int, op: Op, dtype: str = "int8") -> KernelCall:
    """SPACE_TO_BATCH_ND on ``dtype`` tensors (the parameters count elements)."""
    return _lower(graph, index, op, dtype)


def lower_batch_to_space(graph: Graph, index: int, op: Op, dtype: str = "int8") -> KernelCall:
    """BATCH_TO_SPACE_ND on ``dtype`` tensors (the parameters count elements)."""
    return _lower(graph, index, op, dtype)
