"""Live ranges of the arena tensors over the operator schedule, and the lower bound they imply."""

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
    """One range per non-constant tensor, graph inputs and outputs included."""
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


def live_bytes(ranges: list[LiveRange], steps: int) -> list[int]:
    """Bytes that must be live while each operator step runs (its inputs and outputs included)."""
    profile = [0] * steps
    for r in ranges:
        for step in range(max(r.first, 0), min(r.last, steps - 1) + 1):
            profile[step] += r.size
    return profile


def activation_lower_bound(graph: Graph) -> int:
    """No arena that keeps every live tensor whole can be smaller than this for this order."""
    ranges = live_ranges(graph)
    steps = len(graph.ops)
    if steps == 0:
        return sum(r.size for r in ranges)
    return max(live_bytes(ranges, steps))
