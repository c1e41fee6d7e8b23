"""Offset assignment: greedy by size, first fit, with alignment."""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.ir import Graph
from tinygen.memory.liveness import LiveRange, live_ranges

DEFAULT_ALIGNMENT = 16


@dataclass(frozen=True)
class MemoryPlan:
    offsets: dict[int, int]  # tensor index → byte offset in the arena
    arena_bytes: int
    alignment: int
    ranges: tuple[LiveRange, ...]


def _align(value: int, alignment: int) -> int:
    return (value + alignment - 1) // alignment * alignment


def plan_memory(graph: Graph, alignment: int = DEFAULT_ALIGNMENT) -> MemoryPlan:
    ranges = live_ranges(graph)
    placed: list[tuple[LiveRange, int]] = []
    offsets: dict[int, int] = {}
    for r in sorted(ranges, key=lambda r: (-r.size, r.first, r.tensor)):
        clashes = sorted((off, off + other.size) for other, off in placed if other.overlaps(r))
        offset = 0
        for start, end in clashes:
            if offset + r.size <= start:
                break
            offset = max(offset, _align(end, alignment))
        offsets[r.tensor] = offset
        placed.append((r, offset))
    arena = max((off + r.size for r, off in placed), default=0)
    return MemoryPlan(offsets, _align(arena, alignment), alignment, tuple(ranges))
