"""Live ranges of the arena tensors over the operator schedule."""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.ir import NO_TENSOR, Graph


@dataclass(frozen=True)
class LiveRange:
    tensor: int
    first: int  # step that writes it (-1: before the first operator, a graph input)
    last: int  # last step that reads it (len(ops): after the last one, a graph output)
    size: int  # bytes

    def overlaps(self, other: LiveRange) -> bool:
        return self.first <= other.last and other.first <= self.last


def live_ranges(graph: Graph) -> list[LiveRange]:
    first: dict[int, int] = {t: -1 for t in graph.inputs}
    last: dict[int, int] = {t: -1 for t in graph.inputs}
    for step, op in enumerate(graph.ops):
        for t in op.inputs:
            if t != NO_TENSOR and not graph.tensors[t].is_constant:
                last[t] = step
        for t in op.outputs:
            first.setdefault(t, step)
            last.setdefault(t, step)
    for t in graph.outputs:
        last[t] = len(graph.ops)
    return [
        LiveRange(t, first[t], last[t], graph.tensors[t].nbytes) for t in graph.activation_tensors()
    ]
