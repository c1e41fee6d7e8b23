"""SPACE_TO_BATCH_ND → (DEPTHWISE_)CONV_2D → BATCH_TO_SPACE_ND becomes one dilated convolution.

TensorFlow's converter writes a dilated convolution of a model with a dynamic batch as
this sequence. In TensorFlow Lite's semantics it is exactly a dilated convolution:

* SPACE_TO_BATCH_ND with block ``b`` and paddings ``(pb, pa)`` pads the input with the
  zero point (the int8 padding value is the output's zero point, and input and output
  share their quantization) and deals its rows ``sh, sh + b, sh + 2b, …`` to batch ``sh``;
* the convolution, stride 1 and no dilation of its own, runs on every batch (SAME
  padding there pads with the zero point too);
* BATCH_TO_SPACE_ND interleaves the batches again and drops the crops ``(cb, ca)``.

Output row ``y`` then reads input rows ``y - (pb - cb + p·b) + k·b`` for the taps ``k``
(``p`` the convolution's own padding before), and every row outside the input is the zero
point, which is what a convolution's padding contributes. So the sequence is one
convolution with dilation ``b``, explicit padding ``pb - cb + p·b`` before and the output
size of BATCH_TO_SPACE_ND, whatever the paddings, crops, zero point or SAME/VALID. Only a
negative padding before (crops larger than the paddings) is left alone; so is anything
that does not fit the pattern: the two operators then run as kernels of their own.

(TFLite Micro gets these models wrong: its SPACE_TO_BATCH_ND pads with raw 0 instead of
the zero point and keeps the batch of 1 that the flatbuffer stores for a dynamic batch.)

A Conv1D gives the 3-D form: SPACE_TO_BATCH_ND on ``[n, w, c]`` with one block size, a
reshape to ``[n', 1, w', c]`` before the convolution and one back after it. It becomes a
reshape of the input to ``[n, 1, w, c]``, the dilated convolution, and a reshape back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from tinygen.geometry import output_size, padding_before
from tinygen.ir import Graph, Op
from tinygen.passes.graph_utils import clone, only_consumer

_CONVS = ("CONV_2D", "DEPTHWISE_CONV_2D")
_RESHAPES = ("RESHAPE", "EXPAND_DIMS", "SQUEEZE")


@dataclass(frozen=True)
class _Match:
    ops: tuple[int, ...]  # S2B, [reshape], conv, [reshape], B2S: the operators replaced
    conv: int
    block: tuple[int, int]  # (h, w) dilation
    pads: tuple[int, int]  # explicit padding before (h, w)
    out_hw: tuple[int, int]
    rank: int  # 4, or 3 for the Conv1D form


def _const(graph: Graph, index: int) -> np.ndarray | None:
    t = graph.tensors[index]
    return None if t.data is None else np.asarray(t.data, dtype=np.int64)


def _single_user(graph: Graph, tensor: int) -> int | None:
    users = graph.consumers(tensor)
    if len(users) != 1 or not only_consumer(graph, tensor, users[0]):
        return None
    return users[0]


def _follow(graph: Graph, tensor: int, kinds: tuple[str, ...]) -> int | None:
    """The one operator reading ``tensor`` as its first input, if it is one of ``kinds``."""
    user = _single_user(graph, tensor)
    if user is None:
        return None
    op = graph.ops[user]
    return user if op.kind in kinds and op.inputs[0] == tensor else None


def _spatial_4d(shape: tuple[int, ...], rank: int) -> tuple[int, ...] | None:
    """A 3-D ``[n, w, c]`` shape seen as ``[n, 1, w, c]``; 4-D as it is."""
    if len(shape) != rank:
        return None
    return shape if rank == 4 else (shape[0], 1, shape[1], shape[2])


def _chain(graph: Graph, s2b_index: int) -> tuple[int, ...] | None:
    """S2B, an optional reshape, a convolution, an optional reshape, B2S, each feeding the next."""
    chain = [s2b_index]
    tensor = graph.ops[s2b_index].outputs[0]
    step = _follow(graph, tensor, (*_CONVS, *_RESHAPES))
    if step is not None and graph.ops[step].kind in _RESHAPES:
        chain.append(step)
        step = _follow(graph, graph.ops[step].outputs[0], _CONVS)
    if step is None:
        return None
    chain.append(step)
    step = _follow(graph, graph.ops[step].outputs[0], ("BATCH_TO_SPACE_ND", *_RESHAPES))
    if step is not None and graph.ops[step].kind in _RESHAPES:
        chain.append(step)
        step = _follow(graph, graph.ops[step].outputs[0], ("BATCH_TO_SPACE_ND",))
    if step is None:
        return None
    chain.append(step)
    return tuple(chain)


def _match(graph: Graph, s2b_index: int) -> _Match | None:
    chain = _chain(graph, s2b_index)
    if chain is None:
        return None
    s2b, b2s = graph.ops[chain[0]], graph.ops[chain[-1]]
    conv_index = next(i for i in chain if graph.ops[i].kind in _CONVS)
    conv = graph.ops[conv_index]
    x, y = graph.tensors[s2b.inputs[0]], graph.tensors[b2s.outputs[0]]
    rank = len(x.shape)
    reshaped = len(chain) > 3
    if rank not in (3, 4) or reshaped != (rank == 3) or len(chain) not in (3, 5):
        return None
    block, pads = _const(graph, s2b.inputs[1]), _const(graph, s2b.inputs[2])
    block2, crops = _const(graph, b2s.inputs[1]), _const(graph, b2s.inputs[2])
    if block is None or pads is None or block2 is None or crops is None:
        return None
    m = rank - 2
    if block.shape != (m,) or pads.shape != (m, 2) or crops.shape != (m, 2):
        return None
    if not np.array_equal(block, block2) or np.any(block < 1):
        return None
    if np.any(pads < 0) or np.any(crops < 0):
        return None
    a = conv.attrs
    if (a.get("stride_h"), a.get("stride_w")) != (1, 1):
        return None
    if (a.get("dilation_h", 1), a.get("dilation_w", 1)) != (1, 1) or "pad_h" in a:
        return None
    t_in, t_out = graph.tensors[conv.inputs[0]], graph.tensors[conv.outputs[0]]
    w = graph.tensors[conv.inputs[1]]
    if x.dtype != "int8" or y.dtype != "int8" or len(w.shape) != 4 or len(y.shape) != rank:
        return None
    # SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND keep the quantization (TFLite requires it);
    # the padding value, the zero point, is then what the convolution's padding stands for.
    for a_t, b_t in ((x, graph.tensors[s2b.outputs[0]]), (t_in, x), (t_out, y)):
        if a_t.quant is None or not a_t.quant.same_as(b_t.quant):
            return None
    if rank == 3:
        if reshaped and (len(t_in.shape) != 4 or t_in.shape[1] != 1 or w.shape[1] != 1):
            return None
        block_hw, pads_hw, crops_hw = [1, *block], [[0, 0], *pads], [[0, 0], *crops]
    else:
        block_hw, pads_hw, crops_hw = list(block), list(pads), list(crops)
    x4 = _spatial_4d(x.shape, rank)
    y4 = _spatial_4d(y.shape, rank)
    assert x4 is not None and y4 is not None
    if x4[0] != y4[0]:
        return None
    padding, before, out = a.get("padding", "VALID"), [0, 0], [0, 0]
    for d in range(2):
        size, filt, b = x4[1 + d], int(w.shape[1 + d]), int(block_hw[d])
        pb, pa = int(pads_hw[d][0]), int(pads_hw[d][1])
        cb, ca = int(crops_hw[d][0]), int(crops_hw[d][1])
        if (size + pb + pa) % b:
            return None
        tile = (size + pb + pa) // b
        per_tile = output_size(padding, tile, filt, 1, 1)
        inner = padding_before(1, 1, tile, filt, per_tile)
        before[d] = pb - cb + inner * b
        out[d] = per_tile * b - cb - ca
        if before[d] < 0 or out[d] != y4[1 + d] or per_tile < 1:
            return None
    return _Match(
        chain,
        conv_index,
        (int(block_hw[0]), int(block_hw[1])),
        (before[0], before[1]),
        (out[0], out[1]),
        rank,
    )


def _padding_name(found: _Match, in_hw: tuple[int, int], filt_hw: tuple[int, int]) -> str:
    """SAME or VALID where the explicit padding is what that mode gives, else EXPLICIT."""
    for mode in ("SAME", "VALID"):
        if all(
            output_size(mode, in_hw[d], filt_hw[d], 1, found.block[d]) == found.out_hw[d]
            and padding_before(1, found.block[d], in_hw[d], filt_hw[d], found.out_hw[d])
            == found.pads[d]
            for d in range(2)
        ):
            return mode
    return "EXPLICIT"


def _new_tensor(graph: Graph, like: int, shape: tuple[int, ...], suffix: str) -> int:
    source = graph.tensors[like]
    graph.tensors.append(
        replace(source, name=f"{source.name}{suffix}", shape=shape, shape_signature=None)
    )
    return len(graph.tensors) - 1


def _rewrite(graph: Graph, found: _Match) -> tuple[list[Op], str]:
    s2b, b2s = graph.ops[found.ops[0]], graph.ops[found.ops[-1]]
    conv = graph.ops[found.conv]
    x, y = s2b.inputs[0], b2s.outputs[0]
    x4 = _spatial_4d(graph.tensors[x].shape, found.rank)
    filt = graph.tensors[conv.inputs[1]].shape
    assert x4 is not None
    attrs = dict(conv.attrs)
    attrs.update(
        padding=_padding_name(found, (x4[1], x4[2]), (filt[1], filt[2])),
        dilation_h=found.block[0],
        dilation_w=found.block[1],
        pad_h=found.pads[0],
        pad_w=found.pads[1],
    )
    if found.rank == 4:
        ops = [Op(conv.kind, [x, *conv.inputs[1:]], [y], attrs)]
    else:
        n, w, c = graph.tensors[x].shape
        x4 = _new_tensor(graph, x, (n, 1, w, c), "/as_4d")
        n, w, c = graph.tensors[y].shape
        y4 = _new_tensor(graph, y, (n, 1, w, c), "/as_4d")
        ops = [
            Op("RESHAPE", [x], [x4], {"new_shape": [*graph.tensors[x4].shape]}),
            Op(conv.kind, [x4, *conv.inputs[1:]], [y4], attrs),
            Op("RESHAPE", [y4], [y], {"new_shape": [*graph.tensors[y].shape]}),
        ]
    line = (
        f"rewrote SPACE_TO_BATCH_ND + {conv.kind} + BATCH_TO_SPACE_ND into {conv.kind} "
        f"with dilation {found.block[0]}x{found.block[1]}, padding {attrs['padding']} "
        f"({found.pads[0]}x{found.pads[1]} before), output {found.out_hw[0]}x{found.out_hw[1]} "
        f"('{graph.tensors[y].name}')"
    )
    return ops, line


def fuse_dilated_convs(graph: Graph) -> tuple[Graph, list[str]]:
    graph = clone(graph)
    lines = []
    i = 0
    while i < len(graph.ops):
        found = _match(graph, i) if graph.ops[i].kind == "SPACE_TO_BATCH_ND" else None
        if found is None:
            i += 1
            continue
        ops, line = _rewrite(graph, found)
        lines.append(line)
        first = min(found.ops)
        keep = [op for k, op in enumerate(graph.ops) if k not in found.ops]
        # The chain's operators are consecutive in a well-formed order only if nothing else
        # runs between them; put the replacement where the last of them was, after every
        # operator the chain's inputs may need.
        last = max(found.ops)
        before = [op for k, op in enumerate(graph.ops[: last + 1]) if k not in found.ops]
        graph.ops = before + ops + keep[len(before) :]
        i = first
    return graph, lines
