"""Lowering of the float32 data-movement operators: TRANSPOSE, SLICE, STRIDED_SLICE,
SPACE_TO_DEPTH, DEPTH_TO_SPACE, SPLIT, SPLIT_V, UNPACK, PACK, CONCATENATION, GATHER, PAD,
PADV2, MIRROR_PAD, SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND.

They only move elements, so they run the int8 byte-moving kernels on the float tensors
viewed as bytes (``KernelCall.byte_view``): the int8 lowerings compute the geometry in
elements (their ``dtype`` parameter), and here each element becomes its 4 bytes, folded into
the innermost extent (or, where the innermost dimension is walked with a stride or
mirrored, a new innermost dimension of 4 bytes). The results are the input's floats, bit
for bit. PAD and PADV2 pad with a float value: with the byte kernel where its 4 bytes are
equal (0.0f), else with ``tg_pad_f32``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from tinygen.errors import TinygenError
from tinygen.ir import NO_TENSOR, Graph, Op
from tinygen.lowering.call import KernelCall
from tinygen.lowering.concatenation import ConcatenationParams, lower_concatenation
from tinygen.lowering.gather import GatherParams, lower_gather
from tinygen.lowering.mirror_pad import MirrorPadParams, lower_mirror_pad
from tinygen.lowering.movement import (
    MAX_DIMS,
    StridedCopyParams,
    fail,
    lower_depth_to_space,
    lower_slice,
    lower_space_to_depth,
    lower_strided_slice,
    lower_transpose,
    simplified,
)
from tinygen.lowering.movement_split import (
    SplitParams,
    lower_pack,
    lower_split,
    lower_split_v,
    lower_unpack,
)
from tinygen.lowering.pad import PadParams, lower_pad
from tinygen.lowering.space_batch import (
    SpaceBatchGeometry,
    lower_batch_to_space,
    lower_space_to_batch,
)

F32 = "float32"
#: Bytes of one float32 element.
ITEM = 4

Lowerer = Callable[[Graph, int, Op], KernelCall]


@dataclasses.dataclass(frozen=True)
class PadF32Params:
    dims: int
    in_shape: tuple[int, ...]  # MAX_DIMS, leading 1s
    out_shape: tuple[int, ...]
    before: tuple[int, ...]  # elements added in front along each dimension
    pad_value: np.float32
    in_size: int
    out_size: int


def _bytes(call: KernelCall, kernel: str, params: object) -> KernelCall:
    """``call`` as the byte kernel ``kernel`` (registered under a float32 name)."""
    return dataclasses.replace(call, kernel=kernel, params=params, byte_view=True)


def _scaled_last(values: tuple[int, ...]) -> tuple[int, ...]:
    return (*values[:-1], values[-1] * ITEM)


def _strided(index: int, op: Op, call: KernelCall) -> KernelCall:
    if call.kernel == "copy":  # (its parameters count bytes)
        return call
    p: StridedCopyParams = call.params
    shape, strides = simplified([*p.out_shape, ITEM], [*(s * ITEM for s in p.in_strides), 1])
    if len(shape) > MAX_DIMS:
        raise fail(index, op, f"the view of the float32 bytes needs {len(shape)} dimensions; "
                   f"the kernel takes {MAX_DIMS}")
    lead = MAX_DIMS - len(shape)
    params = StridedCopyParams(
        dims=MAX_DIMS,
        out_shape=(1,) * lead + tuple(shape),
        in_strides=(0,) * lead + tuple(strides),
        start=p.start * ITEM,
        size=p.size * ITEM,
    )
    return _bytes(call, "strided_copy_f32", params)


def _view(lower: Callable[..., KernelCall]) -> Lowerer:
    def lowered(graph: Graph, index: int, op: Op) -> KernelCall:
        return _strided(index, op, lower(graph, index, op, F32))

    lowered.__doc__ = f"{lower.__name__} on float32 tensors, as a copy of bytes."
    return lowered


def _split(lower: Callable[..., KernelCall]) -> Lowerer:
    def lowered(graph: Graph, index: int, op: Op) -> KernelCall:
        call = lower(graph, index, op, F32)
        if call.kernel == "copy":
            return call
        p: SplitParams = call.params
        params = dataclasses.replace(p, in_inner=p.in_inner * ITEM, inner=p.inner * ITEM)
        return _bytes(call, "split_f32", params)

    lowered.__doc__ = f"{lower.__name__} on float32 tensors, as a split of bytes."
    return lowered


def _concatenated(call: KernelCall, kernel: str) -> KernelCall:
    p: ConcatenationParams = call.params
    params = dataclasses.replace(p, out_inner=p.out_inner * ITEM, inner=p.inner * ITEM)
    return _bytes(call, kernel, params)


def lower_pack_f32(graph: Graph, index: int, op: Op) -> KernelCall:
    return _concatenated(lower_pack(graph, index, op, F32), "pack_f32")


def lower_concatenation_f32(graph: Graph, index: int, op: Op) -> KernelCall:
    return _concatenated(lower_concatenation(graph, index, op, F32), "concatenation_f32")


def lower_gather_f32(graph: Graph, index: int, op: Op) -> KernelCall:
    call = lower_gather(graph, index, op, F32)
    p: GatherParams = call.params
    # an index outside the axis (at run time) gives 0 bytes: 0.0f
    params = dataclasses.replace(p, inner_size=p.inner_size * ITEM, fill=0)
    return _bytes(call, "gather_f32", params)


def _pad_value(graph: Graph, index: int, op: Op) -> np.float32:
    """0.0f, or PADV2's constant (TensorFlow Lite's pad value for float tensors)."""
    if op.kind != "PADV2" or len(op.inputs) < 3 or op.inputs[2] == NO_TENSOR:
        return np.float32(0.0)
    constant = graph.tensors[op.inputs[2]]
    if constant.data is None or constant.dtype != F32 or np.asarray(constant.data).size != 1:
        raise TinygenError(f"operator {index} ({op.kind}): the padding value must be one "
                           "constant float32 value")
    return np.float32(np.asarray(constant.data).reshape(-1)[0])


def lower_pad_f32(graph: Graph, index: int, op: Op) -> KernelCall:
    call = lower_pad(graph, index, op, F32)
    p: PadParams = call.params
    value = _pad_value(graph, index, op)
    raw = np.frombuffer(value.tobytes(), dtype=np.int8)
    if (raw == raw[0]).all():  # (0.0f): the byte kernel, one byte value everywhere
        params = dataclasses.replace(
            p, in_shape=_scaled_last(p.in_shape), out_shape=_scaled_last(p.out_shape),
            before=_scaled_last(p.before), pad_value=int(raw[0]), in_size=p.in_size * ITEM,
            out_size=p.out_size * ITEM)
        return _bytes(call, "pad_bytes_f32", params)
    params = PadF32Params(p.dims, p.in_shape, p.out_shape, p.before, value, p.in_size,
                          p.out_size)
    return dataclasses.replace(call, kernel="pad_f32", params=params)


def lower_mirror_pad_f32(graph: Graph, index: int, op: Op) -> KernelCall:
    call = lower_mirror_pad(graph, index, op, F32)
    p: MirrorPadParams = call.params
    if p.in_shape[-1] == p.out_shape[-1]:  # the innermost dimension is not padded
        in_shape, out_shape, before = (_scaled_last(p.in_shape), _scaled_last(p.out_shape),
                                       p.before)
    elif p.in_shape[0] == 1 and p.out_shape[0] == 1:  # room for a dimension of the 4 bytes
        in_shape, out_shape = (*p.in_shape[1:], ITEM), (*p.out_shape[1:], ITEM)
        before = (*p.before[1:], 0)
    else:
        raise fail(index, op, f"a {MAX_DIMS}-D float32 input padded along its innermost "
                   "dimension is not supported")
    params = dataclasses.replace(p, in_shape=in_shape, out_shape=out_shape, before=before,
                                 out_size=p.out_size * ITEM)
    return _bytes(call, "mirror_pad_f32", params)


def _space_batch(lower: Callable[..., KernelCall], kernel: str) -> Lowerer:
    def lowered(graph: Graph, index: int, op: Op) -> KernelCall:
        call = lower(graph, index, op, F32)
        p: SpaceBatchGeometry = call.params
        # (SPACE_TO_BATCH_ND's pad_value is 0: TensorFlow Lite pads float tensors with 0.0f)
        return _bytes(call, kernel, dataclasses.replace(p, channels=p.channels * ITEM))

    lowered.__doc__ = f"{lower.__name__} on float32 tensors, as a copy of bytes."
    return lowered


MOVEMENT_LOWERERS: dict[str, Lowerer] = {
    "TRANSPOSE": _view(lower_transpose),
    "SLICE": _view(lower_slice),
    "STRIDED_SLICE": _view(lower_strided_slice),
    "SPACE_TO_DEPTH": _view(lower_space_to_depth),
    "DEPTH_TO_SPACE": _view(lower_depth_to_space),
    "SPLIT": _split(lower_split),
    "SPLIT_V": _split(lower_split_v),
    "UNPACK": _split(lower_unpack),
    "PACK": lower_pack_f32,
    "CONCATENATION": lower_concatenation_f32,
    "GATHER": lower_gather_f32,
    "PAD": lower_pad_f32,
    "PADV2": lower_pad_f32,
    "MIRROR_PAD": lower_mirror_pad_f32,
    "SPACE_TO_BATCH_ND": _space_batch(lower_space_to_batch, "space_to_batch_nd_f32"),
    "BATCH_TO_SPACE_ND": _space_batch(lower_batch_to_space, "batch_to_space_nd_f32"),
}
