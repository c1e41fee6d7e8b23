"""Small helpers shared by the passes: copying a graph, rewiring tensors, dead code.

Passes never renumber tensors: a tensor that is no longer used stays in
``Graph.tensors`` (the planner and the code generator only look at tensors
that operators or the graph's inputs and outputs use), so tensor indices keep
matching the original ``.tflite`` file.
"""

from __future__ import annotations

from dataclasses import replace

from tinygen.ir import NO_TENSOR, Graph, Op, Tensor


def clone(graph: Graph) -> Graph:
    """A copy whose tensors, operators and lists can be changed freely (numpy data is shared)."""
    return Graph(
        [replace(t) for t in graph.tensors],
        [Op(op.kind, list(op.inputs), list(op.outputs), dict(op.attrs)) for op in graph.ops],
        list(graph.inputs),
        list(graph.outputs),
        graph.description,
    )


def with_ops(graph: Graph, ops: list[Op]) -> Graph:
    return Graph(graph.tensors, ops, graph.inputs, graph.outputs, graph.description)


def consumers(graph: Graph, index: int) -> list[int]:
    return graph.consumers(index)


def is_graph_io(graph: Graph, index: int) -> bool:
    return index in graph.inputs or index in graph.outputs


def only_consumer(graph: Graph, index: int, op_index: int) -> bool:
    """Tensor ``index`` is read by operator ``op_index`` alone and is no graph output."""
    return index not in graph.outputs and graph.consumers(index) == [op_index]


def replace_uses(graph: Graph, old: int, new: int) -> None:
    for op in graph.ops:
        op.inputs = [new if t == old else t for t in op.inputs]


def bypass(graph: Graph, op_index: int) -> bool:
    """Remove an operator that copies input 0 to output 0 unchanged; False if impossible."""
    op = graph.ops[op_index]
    x, y = op.inputs[0], op.outputs[0]
    if y not in graph.outputs:
        replace_uses(graph, y, x)
        del graph.ops[op_index]
        return True
    producer = graph.producer(x)
    if producer is not None and not is_graph_io(graph, x) and graph.consumers(x) == [op_index]:
        graph.ops[producer].outputs = [y if t == x else t for t in graph.ops[producer].outputs]
        del graph.ops[op_index]
        return True
    return False


def remove_dead_ops(graph: Graph) -> tuple[Graph, list[str]]:
    """Drop operators whose outputs nobody reads (working back from the graph outputs)."""
    needed = set(graph.outputs)
    keep: list[Op] = []
    dropped: list[str] = []
    for op in reversed(graph.ops):
        if any(t in needed for t in op.outputs):
            keep.append(op)
            needed.update(t for t in op.inputs if t != NO_TENSOR)
        else:
            dropped.append(op.kind)
    if not dropped:
        return graph, []
    line = f"removed {len(dropped)} dead operator(s): " + ", ".join(reversed(dropped))
    return with_ops(graph, list(reversed(keep))), [line]


def known_shape(tensor: Tensor) -> bool:
    return all(d > 0 for d in tensor.shape) and (
        tensor.shape_signature is None or all(d > 0 for d in tensor.shape_signature)
    )
