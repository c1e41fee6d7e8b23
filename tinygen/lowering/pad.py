"""Lowering of PAD and PADV2 on int8 tensors (constant padding, up to 6 dimensions).

The output is the input surrounded, along each dimension, by ``before`` and ``after``
elements of one value: the output's zero point (PAD, a real 0) or PADV2's constant,
stored in the input's quantization. TensorFlow Lite requires the input and the output
to share their quantization, so the kernel only moves bytes; a model where they differ
is refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tinygen.errors import TinygenError, quoted
from tinygen.ir import NO_TENSOR, Graph, Op
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import expect, quant_of
from tinygen.lowering.space_batch import constant_ints

MAX_DIMS = 6


@dataclass(frozen=True)
class PadParams:
    dims: int
    in_shape: tuple[int, ...]  # MAX_DIMS, leading 1s
    out_shape: tuple[int, ...]
    before: tuple[int, ...]  # elements added in front along each dimension
    pad_value: int
    in_size: int
    out_size: int


def _fail(index: int, op: Op, message: str) -> TinygenError:
    return TinygenError(f"operator {index} ({op.kind}): {message}")


def lower_pad(graph: Graph, index: int, op: Op, dtype: str = "int8") -> KernelCall:
    """The padding of ``dtype`` elements; for float32 the parameters count elements and
    ``pad_value`` is 0 (the caller reads PADV2's float constant)."""
    x = expect(graph, index, op, op.inputs[0], "input", (dtype,))
    y = expect(graph, index, op, op.outputs[0], "output", (dtype,))
    rank = len(x.shape)
    if rank > MAX_DIMS:
        raise _fail(index, op, f"more than {MAX_DIMS} dimensions ({list(x.shape)})")
    paddings = constant_ints(graph, op.inputs[1])
    if paddings is None:
        raise _fail(index, op, "the paddings are computed at run time; tinygen needs them "
                    "constant")
    if paddings.shape != (rank, 2) or (paddings < 0).any():
        raise _fail(index, op, f"paddings {paddings.tolist()} are not {rank} pairs of "
                    "non-negative (before, after) counts")
    out_shape = tuple(int(d + b + a) for d, (b, a) in zip(x.shape, paddings, strict=True))
    if tuple(y.shape) != out_shape:
        raise _fail(index, op, f"input {list(x.shape)} padded by {paddings.tolist()} is "
                    f"{list(out_shape)}, but the output {quoted(y.name)} is {list(y.shape)}")
    pad_value = 0 if dtype != "int8" else _int8_pad_value(graph, index, op)
    lead = (1,) * (MAX_DIMS - rank)
    params = PadParams(
        dims=MAX_DIMS,
        in_shape=lead + tuple(int(d) for d in x.shape),
        out_shape=lead + out_shape,
        before=(0,) * (MAX_DIMS - rank) + tuple(int(b) for b, _ in paddings),
        pad_value=pad_value,
        in_size=math.prod(x.shape),
        out_size=math.prod(out_shape),
    )
    return KernelCall("pad_s8", (op.inputs[0],), (op.outputs[0],), params)


def _int8_pad_value(graph: Graph, index: int, op: Op) -> int:
    """The int8 padding value, after checking input and output share their quantization."""
    xq = quant_of(graph, op.inputs[0], "input", index, op)
    yq = quant_of(graph, op.outputs[0], "output", index, op)
    if np.float32(xq.scale0) != np.float32(yq.scale0) or xq.zero_point0 != yq.zero_point0:
        raise _fail(index, op, f"the input (scale {xq.scale0:g}, zero point {xq.zero_point0}) "
                    f"and the output (scale {yq.scale0:g}, zero point {yq.zero_point0}) must "
                    "share their quantization, as TensorFlow Lite requires")
    pad_value = int(yq.zero_point0)
    if op.kind == "PADV2" and len(op.inputs) > 2 and op.inputs[2] != NO_TENSOR:
        constant = graph.tensors[op.inputs[2]]
        if constant.data is None or constant.dtype != "int8" or np.asarray(constant.data).size != 1:
            raise _fail(index, op, "the padding value must be one constant int8 value")
        pad_value = int(np.asarray(constant.data).reshape(-1)[0])
    return pad_value
