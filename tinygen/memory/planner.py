"""Memory planning: where each activation tensor and scratch buffer lives in the one arena.

``plan_memory`` takes the lowered graph, optionally reorders its operators,
decides which tensors share bytes (``sharing``), assigns offsets
(``offsets``) and returns the calls to emit together with the plan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tinygen.errors import TinygenError
from tinygen.ir import Graph
from tinygen.lowering.call import KernelCall
from tinygen.memory.buffers import Buffer, buffer_profile
from tinygen.memory.liveness import LiveRange, activation_lower_bound, live_ranges
from tinygen.memory.offsets import Placement, assign_offsets, check_offsets
from tinygen.memory.schedule import best_order, order_peak, reorder
from tinygen.memory.sharing import Sharing, share

DEFAULT_ALIGNMENT = 16
ALIGNMENTS = (4, 8, 16)


@dataclass(frozen=True)
class MemoryOptions:
    alignment: int = DEFAULT_ALIGNMENT
    in_place: bool = True  # aliases, in-place element-wise and depthwise operators
    reorder: bool = True  # operator order with the lowest peak
    exact: bool = True  # MILP offset search when the greedy plans miss the bound
    time_limit: float = 10.0  # seconds for the exact search

    def __post_init__(self) -> None:
        if self.alignment not in ALIGNMENTS:
            raise TinygenError(
                f"alignment {self.alignment} is not supported: use one of "
                + ", ".join(map(str, ALIGNMENTS))
            )


@dataclass(frozen=True)
class MemoryPlan:
    offsets: dict[int, int]  # tensor index → byte offset in the arena
    scratch_offsets: dict[int, int]  # op index → offset of its scratch buffer
    arena_bytes: int
    alignment: int
    ranges: tuple[LiveRange, ...]
    buffers: tuple[Buffer, ...]
    buffer_offsets: tuple[int, ...]
    lower_bound: int  # activation lower bound of the original operator order
    order_bound: int  # the same bound after reordering
    plan_bound: int  # max over steps of the bytes the buffers occupy (after sharing)
    live_bytes: tuple[int, ...]  # per step, bytes the buffers occupy
    strategy: str  # which offset strategy won
    order: tuple[int, ...]  # original index of each scheduled operator
    aliased_ops: tuple[int, ...] = ()
    in_place_ops: tuple[int, ...] = ()
    in_place_depthwise: tuple[int, ...] = ()
    overlapped_ops: tuple[int, ...] = ()
    #: Persistent state (variable tensors) in its own buffer beside the arena, which no
    #: inference reuses: tensor index → byte offset, and the buffer's bytes.
    state_offsets: dict[int, int] = field(default_factory=dict)
    state_bytes: int = 0

    @property
    def ram_bytes(self) -> int:
        """The arena and the state: the model's writable memory."""
        return self.arena_bytes + self.state_bytes


def state_layout(graph: Graph, alignment: int) -> tuple[dict[int, int], int]:
    """Offsets of the variable tensors one after the other (aligned), and the total."""
    offsets: dict[int, int] = {}
    end = 0
    for t in graph.state_tensors():
        offsets[t] = end
        end += -(-graph.tensors[t].nbytes // alignment) * alignment
    return offsets, end


@dataclass(frozen=True)
class PlannedGraph:
    graph: Graph  # operators in the planned order
    calls: list[KernelCall]
    plan: MemoryPlan


def plan_memory(
    graph: Graph,
    calls: list[KernelCall],
    options: MemoryOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> PlannedGraph:
    options = options or MemoryOptions()
    lower_bound = activation_lower_bound(graph)
    order = list(range(len(graph.ops)))
    if options.reorder and len(graph.ops) > 1:
        order = best_order(graph)
        graph = reorder(graph, order)
        calls = [calls[i] for i in order]
    order_bound = order_peak(graph, list(range(len(graph.ops)))) if graph.ops else lower_bound
    ranges = live_ranges(graph)
    steps = len(graph.ops)
    # Every tensor starts on a multiple of its element's size (an int64 index, for one).
    alignment = max([options.alignment] + [graph.tensors[r.tensor].itemsize for r in ranges])

    def place(sharing: Sharing, time_limit: float, say: Callable[[str], None] | None) -> Placement:
        return assign_offsets(
            list(sharing.buffers), steps, alignment, options.exact, time_limit,
            progress=say,
        )

    sharing = share(
        graph, calls, ranges, options.in_place, lambda s: place(s, 2.0, None).arena_bytes
    )
    buffers = list(sharing.buffers)
    placement = place(sharing, options.time_limit, progress)
    if not check_offsets(buffers, placement.offsets):
        raise TinygenError("the memory plan overlaps live tensors (this is a tinygen bug)")
    offsets: dict[int, int] = {}
    for buffer, offset in zip(buffers, placement.offsets, strict=True):
        for segment in buffer.segments:
            if segment.tensor >= 0:
                offsets[segment.tensor] = offset + segment.shift
    scratch = {op: placement.offsets[i] for op, i in sharing.scratch.items()}
    profile = buffer_profile(buffers, steps) if steps else [0]
    state_offsets, state_bytes = state_layout(graph, alignment)
    plan = MemoryPlan(
        offsets=offsets,
        scratch_offsets=scratch,
        arena_bytes=placement.arena_bytes,
        alignment=alignment,
        ranges=tuple(ranges),
        buffers=tuple(buffers),
        buffer_offsets=placement.offsets,
        lower_bound=lower_bound,
        order_bound=order_bound,
        plan_bound=max(profile),
        live_bytes=tuple(profile),
        strategy=placement.strategy,
        order=tuple(order),
        aliased_ops=sharing.aliased_ops,
        in_place_ops=sharing.in_place_ops,
        in_place_depthwise=sharing.in_place_depthwise,
        overlapped_ops=sharing.overlapped_ops,
        state_offsets=state_offsets,
        state_bytes=state_bytes,
    )
    return PlannedGraph(graph, list(sharing.calls), plan)
