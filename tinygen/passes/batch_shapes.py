"""Batch sizes after SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND, recomputed from their inputs.

A model converted with a dynamic batch stores SPACE_TO_BATCH_ND's output with
batch 1 (its signature's -1, which ``fix_dynamic_batch`` makes 1), although the
operator multiplies the batch by the block sizes; TensorFlow Lite recomputes the
shapes when it resizes the tensors. Where the canonical graph keeps these
operators, this pass recomputes their output shapes from their inputs and carries
a changed batch through the operators after them whose output batch is their
input batch: CONV_2D, DEPTHWISE_CONV_2D, pooling, RELU, RELU6, QUANTIZE, and ADD
of equal shapes (or of a constant that broadcasts along the batch).

It is conservative: it changes only the batch dimension, only where every other
dimension already agrees, and only through those operators. Anything else is
left as it is, and lowering reports the disagreement.
"""

from __future__ import annotations

from dataclasses import replace

from tinygen.ir import Graph, Op
from tinygen.lowering.space_batch import (
    BATCH_TO_SPACE,
    SPACE_TO_BATCH,
    constant_ints,
    space_batch_shape,
)
from tinygen.passes.graph_utils import clone

#: Operators whose output has the batch of their data input 0.
_KEEP_BATCH = (
    "CONV_2D",
    "DEPTHWISE_CONV_2D",
    "AVERAGE_POOL_2D",
    "MAX_POOL_2D",
    "RELU",
    "RELU6",
    "QUANTIZE",
)


def _space_batch(graph: Graph, op: Op) -> int | None:
    """The batch TensorFlow Lite gives the output, if only the batch disagrees."""
    if len(op.inputs) != 3:
        return None
    block, pairs = constant_ints(graph, op.inputs[1]), constant_ints(graph, op.inputs[2])
    if block is None or pairs is None:
        return None
    try:
        shape = space_batch_shape(op.kind, graph.tensors[op.inputs[0]].shape, block, pairs)
    except ValueError:
        return None  # lowering explains it
    stored = graph.tensors[op.outputs[0]].shape
    if len(stored) != len(shape) or stored[1:] != shape[1:]:
        return None
    return shape[0]


def _carried_batch(graph: Graph, op: Op, before: dict[int, int]) -> int | None:
    """The new batch of an operator's output after its input's batch changed, or None."""
    out = graph.tensors[op.outputs[0]].shape
    data = op.inputs[:2] if op.kind == "ADD" else op.inputs[:1]
    changed = [t for t in data if t in before]
    if not changed or not out:
        return None
    shapes = {graph.tensors[t].shape for t in changed}
    if len(shapes) != 1 or any(before[t] != out[0] for t in changed):
        return None
    shape = shapes.pop()
    if shape[1:] != out[1:]:
        return None
    for t in data:
        if t in before:
            continue
        other = graph.tensors[t]
        # An operand that is not carried along must broadcast along the batch.
        if not other.is_constant or (len(other.shape) == len(out) and other.shape[0] != 1):
            return None
    return shape[0]


def fix_batch_shapes(graph: Graph) -> tuple[Graph, list[str]]:
    """Recompute the batch of SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND outputs and what follows."""
    graph = clone(graph)
    before: dict[int, int] = {}  # tensor whose batch this pass changed → its batch before
    lines = []
    for op in graph.ops:
        if len(op.outputs) != 1:
            continue
        if op.kind in (SPACE_TO_BATCH, BATCH_TO_SPACE):
            batch = _space_batch(graph, op)
        elif op.kind in _KEEP_BATCH or op.kind == "ADD":
            batch = _carried_batch(graph, op, before)
        else:
            continue
        t = op.outputs[0]
        tensor = graph.tensors[t]
        if batch is None or batch == tensor.shape[0]:
            continue
        shape = (batch, *tensor.shape[1:])
        graph.tensors[t] = replace(tensor, shape=shape, shape_signature=shape)
        before[t] = tensor.shape[0]
        lines.append(
            f"batch shapes: {op.kind} output '{tensor.name}' has batch {batch}, "
            f"not {tensor.shape[0]}"
        )
    return graph, lines
