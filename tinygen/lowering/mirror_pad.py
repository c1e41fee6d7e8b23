"""Lowering of MIRROR_PAD on int8 tensors (REFLECT and SYMMETRIC, up to 6 dimensions).

Along each dimension the output is the input with ``before`` and ``after`` elements
mirrored in front and behind: REFLECT mirrors about the edge element (``[c b | a b c | b a]``),
SYMMETRIC repeats it (``[b a | a b c | c b]``). So the paddings can be at most the size minus
1 (REFLECT) or the size (SYMMETRIC), as TensorFlow requires; TFLite's kernels would read
outside the input beyond that, so tinygen refuses such a model. The kernel copies bytes:
input and output share their quantization.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tinygen.errors import quoted
from tinygen.ir import Graph, Op
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import expect
from tinygen.lowering.movement import MAX_DIMS, fail, same_quantization
from tinygen.lowering.space_batch import constant_ints

#: MirrorPadOptions' mode → how far the mirror starts from the edge (the kernels' offset).
MODES = {"REFLECT": 1, "SYMMETRIC": 0}


@dataclass(frozen=True)
class MirrorPadParams:
    dims: int
    in_shape: tuple[int, ...]  # MAX_DIMS, leading 1s
    out_shape: tuple[int, ...]
    before: tuple[int, ...]  # elements added in front along each dimension
    offset: int  # 1: REFLECT (the edge element is not repeated), 0: SYMMETRIC
    out_size: int


def lower_mirror_pad(graph: Graph, index: int, op: Op, dtype: str = "int8") -> KernelCall:
    x = expect(graph, index, op, op.inputs[0], "input", (dtype,))
    y = expect(graph, index, op, op.outputs[0], "output", (dtype,))
    shape = [int(d) for d in x.shape]
    rank = len(shape)
    if not 1 <= rank <= MAX_DIMS:
        raise fail(index, op, f"the input is {rank}-D; the kernel takes 1 to {MAX_DIMS} "
                   "dimensions")
    mode = op.attrs.get("mode", "REFLECT")
    if mode not in MODES:
        raise fail(index, op, f"the padding mode {mode} is neither REFLECT nor SYMMETRIC")
    offset = MODES[mode]
    paddings = constant_ints(graph, op.inputs[1]) if len(op.inputs) > 1 else None
    if paddings is None:
        raise fail(index, op, "the paddings are computed at run time; tinygen needs them "
                   "constant")
    if paddings.shape != (rank, 2) or (paddings < 0).any():
        raise fail(index, op, f"paddings {paddings.tolist()} are not {rank} pairs of "
                   "non-negative (before, after) counts")
    for d, (n, (b, a)) in enumerate(zip(shape, paddings.tolist(), strict=True)):
        if max(b, a) > n - offset:
            raise fail(index, op, f"dimension {d} of {n} elements cannot be {mode} padded by "
                       f"({b}, {a}): at most {n - offset} on each side")
    out_shape = [n + int(b) + int(a) for n, (b, a) in zip(shape, paddings, strict=True)]
    if [int(d) for d in y.shape] != out_shape:
        raise fail(index, op, f"input {shape} padded by {paddings.tolist()} is {out_shape}, "
                   f"but the output {quoted(y.name)} is {list(y.shape)}")
    if dtype == "int8":
        same_quantization(graph, index, op, op.inputs[0], op.outputs[0], "output")
    lead = MAX_DIMS - rank
    params = MirrorPadParams(
        dims=MAX_DIMS,
        in_shape=(1,) * lead + tuple(shape),
        out_shape=(1,) * lead + tuple(out_shape),
        before=(0,) * lead + tuple(int(b) for b, _ in paddings),
        offset=offset,
        out_size=math.prod(out_shape),
    )
    return KernelCall("mirror_pad_s8", (op.inputs[0],), (op.outputs[0],), params)
