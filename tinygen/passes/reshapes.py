"""Reshape clean-up: static shape inputs, identity operators, chains of reshapes."""

from __future__ import annotations

from tinygen.ir import Graph
from tinygen.passes.graph_utils import bypass, clone, known_shape, only_consumer

#: Operators that only relabel the shape; the bytes do not change.
RESHAPES = ("RESHAPE", "SQUEEZE", "EXPAND_DIMS")


def _same_type(graph: Graph, a: int, b: int) -> bool:
    x, y = graph.tensors[a], graph.tensors[b]
    if x.dtype != y.dtype or (x.quant is None) != (y.quant is None):
        return False
    return x.quant is None or x.quant.same_as(y.quant)


def static_reshape_inputs(graph: Graph) -> tuple[Graph, list[str]]:
    """RESHAPE's shape input, wherever it comes from, becomes the static output shape."""
    graph = clone(graph)
    lines = []
    for op in graph.ops:
        if op.kind != "RESHAPE":
            continue
        x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
        if not known_shape(y) or x.size != y.size:
            continue
        shape_input = op.inputs[1] if len(op.inputs) > 1 else None
        op.attrs["new_shape"] = list(y.shape)
        if shape_input is None or shape_input < 0:
            continue
        op.inputs = op.inputs[:1]
        if not graph.tensors[shape_input].is_constant:
            lines.append(f"RESHAPE to '{y.name}': computed shape replaced by {list(y.shape)}")
    return graph, lines


def remove_identities(graph: Graph) -> tuple[Graph, list[str]]:
    """Drop reshapes to the same shape and int8→int8 QUANTIZE with identical parameters."""
    graph = clone(graph)
    lines = []
    i = 0
    while i < len(graph.ops):
        op = graph.ops[i]
        if op.kind not in (*RESHAPES, "QUANTIZE"):
            i += 1
            continue
        x, y = op.inputs[0], op.outputs[0]
        tx, ty = graph.tensors[x], graph.tensors[y]
        identity = (op.kind in RESHAPES and tx.shape == ty.shape and _same_type(graph, x, y)) or (
            op.kind == "QUANTIZE"
            and tx.dtype == ty.dtype == "int8"
            and tx.shape == ty.shape
            and tx.quant is not None
            and tx.quant.same_as(ty.quant)
        )
        if identity and not tx.is_constant and bypass(graph, i):
            lines.append(f"removed identity {op.kind} '{tx.name}' -> '{ty.name}'")
            continue
        i += 1
    return graph, lines


def merge_reshapes(graph: Graph) -> tuple[Graph, list[str]]:
    """A reshape that only feeds another reshape is merged into it."""
    graph = clone(graph)
    lines = []
    changed = True
    while changed:
        changed = False
        for i, first in enumerate(graph.ops):
            mid = first.outputs[0]
            if first.kind not in RESHAPES or not _same_type(graph, first.inputs[0], mid):
                continue
            users = graph.consumers(mid)
            if len(users) != 1 or not only_consumer(graph, mid, users[0]):
                continue
            second = graph.ops[users[0]]
            if second.kind not in RESHAPES or not _same_type(graph, mid, second.outputs[0]):
                continue
            out = graph.tensors[second.outputs[0]]
            second.kind = "RESHAPE"
            second.inputs = [first.inputs[0]]
            second.attrs = {"new_shape": list(out.shape), "version": 1}
            del graph.ops[i]
            lines.append(
                f"merged {first.kind} + reshape into one RESHAPE "
                f"'{graph.tensors[first.inputs[0]].name}' -> '{out.name}'"
            )
            changed = True
            break
    return graph, lines
