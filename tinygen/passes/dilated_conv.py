"""SPACE_TO_BATCH_ND → (DEPTHWISE_)CONV_2D → BATCH_TO_SPACE_ND becomes one dilated convolution.

How TFLM computes the sequence: SPACE_TO_BATCH_ND copies bytes and fills the
padding with ``SpaceToBatchParams::output_offset``, which TFLM never sets (the
padding is raw 0, not the zero point); the convolution is VALID with stride 1;
BATCH_TO_SPACE_ND copies bytes and drops the crops. Output ``i`` of the
sequence reads padded input ``i + crop_before + k * dilation``, i.e. input
``i - (pad_before - crop_before) + k * dilation``: a dilated convolution whose
padding before is ``pad_before - crop_before``. A convolution pads with the
zero point, so the rewrite is exact only where the padded values are never
read or the zero point is 0; it is made only when TFLM's own SAME or VALID
padding arithmetic gives exactly that padding and the same output size.
Anything else is left alone (and reported as unsupported by lowering).
"""

from __future__ import annotations

import numpy as np

from tinygen.ir import Graph
from tinygen.lowering.common import output_size, padding_before
from tinygen.passes.graph_utils import clone, only_consumer

_CONVS = ("CONV_2D", "DEPTHWISE_CONV_2D")


def _const(graph: Graph, index: int) -> np.ndarray | None:
    t = graph.tensors[index]
    return None if t.data is None else np.asarray(t.data, dtype=np.int64)


def _match(graph: Graph, s2b_index: int) -> tuple[int, int, str] | None:
    """Indices of the convolution and BATCH_TO_SPACE_ND, and the padding; None if inexact."""
    s2b = graph.ops[s2b_index]
    x, t1 = s2b.inputs[0], s2b.outputs[0]
    users = graph.consumers(t1)
    if len(users) != 1 or not only_consumer(graph, t1, users[0]):
        return None
    conv_index = users[0]
    conv = graph.ops[conv_index]
    if conv.kind not in _CONVS or conv.inputs[0] != t1:
        return None
    t2 = conv.outputs[0]
    users = graph.consumers(t2)
    if len(users) != 1 or not only_consumer(graph, t2, users[0]):
        return None
    b2s_index = users[0]
    b2s = graph.ops[b2s_index]
    if b2s.kind != "BATCH_TO_SPACE_ND" or b2s.inputs[0] != t2:
        return None
    block, pads = _const(graph, s2b.inputs[1]), _const(graph, s2b.inputs[2])
    block2, crops = _const(graph, b2s.inputs[1]), _const(graph, b2s.inputs[2])
    if block is None or pads is None or block2 is None or crops is None:
        return None
    if block.shape != (2,) or pads.shape != (2, 2) or crops.shape != (2, 2):
        return None
    if not np.array_equal(block, block2) or np.any(pads < 0) or np.any(crops < 0):
        return None
    a = conv.attrs
    if (a.get("padding"), a.get("stride_h"), a.get("stride_w")) != ("VALID", 1, 1):
        return None
    if (a.get("dilation_h", 1), a.get("dilation_w", 1)) != (1, 1):
        return None
    tx, tt1, tt2 = graph.tensors[x], graph.tensors[t1], graph.tensors[t2]
    y = graph.tensors[b2s.outputs[0]]
    if tx.dtype != "int8" or len(tx.shape) != 4 or len(y.shape) != 4 or tx.shape[0] != 1:
        return None
    if tx.quant is None or not tx.quant.same_as(tt1.quant):
        return None
    if tt2.quant is None or not tt2.quant.same_as(y.quant) or y.shape[0] != 1:
        return None
    w = graph.tensors[conv.inputs[1]]
    if len(w.shape) != 4:
        return None
    zero_point_is_zero = tx.quant.zero_point0 == 0
    for padding in ("VALID", "SAME"):
        fits = True
        for d in range(2):
            size, filt, dil = tx.shape[1 + d], w.shape[1 + d], int(block[d])
            before = int(pads[d][0] - crops[d][0])
            out = y.shape[1 + d]
            if (
                before < 0
                or output_size(padding, size, filt, 1, dil) != out
                or padding_before(1, dil, size, filt, out) != before
            ):
                fits = False
                break
            reads_padding = before > 0 or out - 1 + (filt - 1) * dil - before >= size
            if reads_padding and not zero_point_is_zero:
                fits = False
                break
        if fits:
            return conv_index, b2s_index, padding
    return None


def fuse_dilated_convs(graph: Graph) -> tuple[Graph, list[str]]:
    graph = clone(graph)
    lines = []
    i = 0
    while i < len(graph.ops):
        op = graph.ops[i]
        found = _match(graph, i) if op.kind == "SPACE_TO_BATCH_ND" else None
        if found is None:
            i += 1
            continue
        conv_index, b2s_index, padding = found
        conv, b2s = graph.ops[conv_index], graph.ops[b2s_index]
        block = _const(graph, op.inputs[1])
        assert block is not None
        conv.inputs = [op.inputs[0], *conv.inputs[1:]]
        conv.outputs = list(b2s.outputs)
        conv.attrs.update(padding=padding, dilation_h=int(block[0]), dilation_w=int(block[1]))
        lines.append(
            f"rewrote SPACE_TO_BATCH_ND + {conv.kind} + BATCH_TO_SPACE_ND into {conv.kind} "
            f"with dilation {int(block[0])}x{int(block[1])}, padding {padding} "
            f"('{graph.tensors[b2s.outputs[0]].name}')"
        )
        for index in sorted((i, b2s_index), reverse=True):
            del graph.ops[index]
        i = 0
    return graph, lines
