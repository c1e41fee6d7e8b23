"""Buffers: tensors (and kernel scratch) placed together at fixed distances in the arena.

A buffer is a list of segments. Each segment is a tensor or a scratch area with
its live steps, its size and its ``shift`` from the buffer's offset. Tensors
share a buffer when an operator aliases its input (a reshape), overwrites it in
place, or overlaps it (see ``overlap``); at the step where one member hands
over to the next both are live.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    first: int
    last: int
    size: int
    tensor: int  # -1 for a scratch segment
    shift: int = 0  # bytes from the buffer's offset
    op: int = -1  # the operator a scratch segment serves

    @property
    def end(self) -> int:
        return self.shift + self.size

    def overlaps(self, other: Segment) -> bool:
        return self.first <= other.last and other.first <= self.last


@dataclass(frozen=True)
class Buffer:
    segments: tuple[Segment, ...]

    @property
    def first(self) -> int:
        return min(s.first for s in self.segments)

    @property
    def last(self) -> int:
        return max(s.last for s in self.segments)

    @property
    def size(self) -> int:
        return max(s.end for s in self.segments)

    @property
    def tensors(self) -> tuple[int, ...]:
        return tuple(s.tensor for s in self.segments if s.tensor >= 0)

    def extent_at(self, step: int) -> int:
        """Bytes from the lowest to the highest live segment at ``step`` (0 if none)."""
        live = [s for s in self.segments if s.first <= step <= s.last and s.size]
        if not live:
            return 0
        return max(s.end for s in live) - min(s.shift for s in live)


def align(value: int, alignment: int) -> int:
    return (value + alignment - 1) // alignment * alignment


def buffer_profile(buffers: list[Buffer], steps: int, alignment: int = 1) -> list[int]:
    """Arena bytes the buffers occupy at each operator step (extents rounded up to alignment)."""
    profile = [0] * max(steps, 1)
    for b in buffers:
        span = range(max(b.first, 0), min(b.last, steps - 1) + 1)
        if len(b.segments) == 1:  # the common case: one tensor, the same bytes throughout
            size = align(b.segments[0].size, alignment)
            for step in span:
                profile[step] += size
            continue
        for step in span:
            profile[step] += align(b.extent_at(step), alignment)
    return profile
