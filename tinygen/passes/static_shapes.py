"""Static shapes: a dynamic batch dimension becomes 1; SHAPE of a known shape is a constant."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from tinygen.ir import Graph
from tinygen.passes.graph_utils import clone, known_shape, with_ops


def fix_dynamic_batch(graph: Graph) -> tuple[Graph, list[str]]:
    """Every tensor whose signature has -1 in the batch dimension gets batch 1 (constants
    keep the shape of their data)."""
    graph = clone(graph)
    fixed = 0
    for i, t in enumerate(graph.tensors):
        sig = t.shape_signature
        if t.is_constant or not sig or sig[0] >= 0 or any(d < 0 for d in sig[1:]):
            continue  # a constant's data fixes its shape
        shape = (1, *t.shape[1:]) if len(t.shape) == len(sig) else (1, *sig[1:])
        graph.tensors[i] = replace(t, shape=shape, shape_signature=shape)
        fixed += 1
    if not fixed:
        return graph, []
    return graph, [f"static shapes: dynamic batch dimension set to 1 on {fixed} tensor(s)"]


def fold_shape_ops(graph: Graph) -> tuple[Graph, list[str]]:
    """SHAPE of a tensor whose shape is fully known becomes a constant tensor."""
    graph = clone(graph)
    keep = []
    lines = []
    for op in graph.ops:
        if op.kind == "SHAPE" and op.outputs[0] not in graph.outputs:
            source = graph.tensors[op.inputs[0]]
            out = graph.tensors[op.outputs[0]]
            if known_shape(source) and out.dtype in ("int32", "int64"):
                data = np.array(source.shape, dtype=out.dtype)
                graph.tensors[op.outputs[0]] = replace(
                    out, data=data, shape=data.shape, shape_signature=None
                )
                lines.append(f"folded SHAPE of '{source.name}' into constant {data.tolist()}")
                continue
        keep.append(op)
    return with_ops(graph, keep), lines
