"""Offset assignment: place buffers in the arena so that buffers alive together never overlap.

Several strategies run and the smallest arena wins:

* ``greedy-by-size``: largest buffer first, each at the lowest offset that fits
  (what TFLM's greedy planner does);
* ``greedy-by-peak``: buffers alive at the most crowded step first, then by size;
* ``greedy-by-start``: in the order the schedule creates them;
* ``exact``: a mixed-integer program (``scipy.optimize.milp``, HiGHS) over the
  offsets and one "which one is lower" binary per pair of buffers alive
  together, started only when the greedy plans miss the bound and the problem
  is small; it stops at a time limit and keeps its best plan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tinygen.memory.buffers import Buffer, align, buffer_profile


@dataclass(frozen=True)
class Placement:
    offsets: tuple[int, ...]  # per buffer
    arena_bytes: int
    strategy: str


def _arena(buffers: list[Buffer], offsets: list[int], alignment: int) -> int:
    end = max((o + b.size for b, o in zip(buffers, offsets, strict=True)), default=0)
    return align(end, alignment)


#: (other buffer, low, high): this buffer's offset must not lie in (o_other + low, o_other + high)
Clash = tuple[int, int, int]


def _clashes(buffers: list[Buffer]) -> list[list[Clash]]:
    result: list[list[Clash]] = [[] for _ in buffers]
    firsts, lasts = [b.first for b in buffers], [b.last for b in buffers]
    for i, a in enumerate(buffers):
        for j in range(i + 1, len(buffers)):
            if firsts[i] > lasts[j] or firsts[j] > lasts[i]:
                continue
            b = buffers[j]
            for sa in a.segments:
                for sb in b.segments:
                    if sa.overlaps(sb) and sa.size and sb.size:
                        result[i].append((j, sb.shift - sa.end, sb.end - sa.shift))
                        result[j].append((i, sa.shift - sb.end, sa.end - sb.shift))
    return result


def first_fit(
    buffers: list[Buffer], order: list[int], alignment: int, clashes: list[list[Clash]]
) -> list[int]:
    """Place buffers in ``order``, each at the lowest aligned offset clear of those placed."""
    offsets: list[int | None] = [None] * len(buffers)
    for i in order:
        forbidden = sorted(
            (o + low, o + high)
            for j, low, high in clashes[i]
            if (o := offsets[j]) is not None
        )
        offset = 0
        for low, high in forbidden:
            if offset <= low:
                break
            if offset < high:
                offset = align(high, alignment)
        offsets[i] = offset
    return [o or 0 for o in offsets]


def _greedy_orders(buffers: list[Buffer], steps: int) -> dict[str, list[int]]:
    indices = range(len(buffers))
    profile = buffer_profile(buffers, steps)
    crowd = [
        max((profile[s] for s in range(max(b.first, 0), min(b.last, steps - 1) + 1)), default=0)
        for b in buffers
    ]
    return {
        "greedy-by-size": sorted(indices, key=lambda i: (-buffers[i].size, buffers[i].first, i)),
        "greedy-by-peak": sorted(indices, key=lambda i: (-crowd[i], -buffers[i].size, i)),
        "greedy-by-start": sorted(indices, key=lambda i: (buffers[i].first, -buffers[i].size, i)),
    }


def exact_offsets(
    buffers: list[Buffer],
    alignment: int,
    clashes: list[list[Clash]],
    lower: int,
    upper: int,
    time_limit: float,
) -> list[int] | None:
    """Offsets of a smallest arena ≤ ``upper`` found by MILP within ``time_limit`` seconds.

    One binary per pair of buffers alive together says which lies lower; the
    gap it needs is the widest over their segment pairs alive together.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = len(buffers)
    gaps: dict[tuple[int, int], int] = {}  # (i, j): o_i − o_j ≥ gap when i lies above j
    for i in range(n):
        for j, _low, high in clashes[i]:
            gaps[(i, j)] = max(gaps.get((i, j), 0), high)
    pairs = sorted({(min(i, j), max(i, j)) for i, j in gaps})
    count = n + 1 + len(pairs)  # slot k_i (offset = alignment·k_i), arena A, binaries
    arena = n
    rows, highs = [], []
    for i, b in enumerate(buffers):  # alignment·k_i + size_i ≤ A
        r = np.zeros(count)
        r[i], r[arena] = alignment, -1
        rows.append(r)
        highs.append(-b.size)
    big = 2 * upper
    for p, (i, j) in enumerate(pairs):
        z = n + 1 + p
        r = np.zeros(count)  # z = 1: i above j:  a·k_j − a·k_i + gap_ij ≤ big·(1 − z)
        r[j], r[i], r[z] = alignment, -alignment, big
        rows.append(r)
        highs.append(big - gaps[(i, j)])
        r = np.zeros(count)  # z = 0: j above i:  a·k_i − a·k_j + gap_ji ≤ big·z
        r[i], r[j], r[z] = alignment, -alignment, -big
        rows.append(r)
        highs.append(-gaps[(j, i)])
    cost = np.zeros(count)
    cost[arena] = 1
    upper_k = [max((upper - b.size) // alignment, 0) for b in buffers]
    bounds = Bounds(
        np.array([0] * n + [lower] + [0] * len(pairs), dtype=float),
        np.array(upper_k + [upper] + [1] * len(pairs), dtype=float),
    )
    integrality = np.ones(count)
    integrality[arena] = 0
    result = milp(
        cost,
        constraints=LinearConstraint(np.array(rows), -np.inf, np.array(highs)),
        bounds=bounds,
        integrality=integrality,
        options={"time_limit": time_limit, "disp": False},
    )
    if result.x is None:
        return None
    return [round(float(result.x[i])) * alignment for i in range(n)]


def assign_offsets(
    buffers: list[Buffer],
    steps: int,
    alignment: int,
    exact: bool = True,
    time_limit: float = 10.0,
    max_exact_buffers: int = 250,
    progress: Callable[[str], None] | None = None,
) -> Placement:
    clashes = _clashes(buffers)
    bound = max(buffer_profile(buffers, steps, alignment), default=0)
    best: Placement | None = None
    for name, order in _greedy_orders(buffers, steps).items():
        offsets = first_fit(buffers, order, alignment, clashes)
        arena = _arena(buffers, offsets, alignment)
        if best is None or arena < best.arena_bytes:
            best = Placement(tuple(offsets), arena, name)
    if best is None:
        return Placement((), 0, "empty")
    if exact and best.arena_bytes > bound and len(buffers) <= max_exact_buffers:
        if progress:
            progress(f"searching offsets exactly ({len(buffers)} buffers, ≤ {time_limit:g} s)")
        offsets = exact_offsets(buffers, alignment, clashes, bound, best.arena_bytes, time_limit)
        if offsets is not None and check_offsets(buffers, offsets):
            arena = _arena(buffers, offsets, alignment)
            if arena < best.arena_bytes:
                best = Placement(tuple(offsets), arena, "exact")
    return best


def check_offsets(buffers: list[Buffer], offsets: list[int] | tuple[int, ...]) -> bool:
    """True when no two segments of different buffers alive at the same step overlap."""
    for i, a in enumerate(buffers):
        for j in range(i + 1, len(buffers)):
            for sa in a.segments:
                for sb in buffers[j].segments:
                    if not (sa.overlaps(sb) and sa.size and sb.size):
                        continue
                    a0, b0 = offsets[i] + sa.shift, offsets[j] + sb.shift
                    if a0 < b0 + sb.size and b0 < a0 + sa.size:
                        return False
    return True
