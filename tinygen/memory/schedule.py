"""Operator reordering: the topological order whose peak of live activation bytes is lowest.

Reordering changes no value, only which tensors are alive together. The search
walks the lattice of "sets of operators already run" level by level (one more
operator per level) and keeps, for each set, the order reaching it with the
lowest peak. Branching graphs of small width have few such sets; when a level
holds more than ``max_states`` the best ones are kept (a beam), so the result is
exact for narrow graphs and a good heuristic for wide ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.ir import NO_TENSOR, Graph


@dataclass(frozen=True)
class _Problem:
    sizes: dict[int, int]  # arena tensor → bytes
    op_inputs: list[tuple[int, ...]]  # arena tensors read by each op
    op_outputs: list[tuple[int, ...]]
    producers: dict[int, int]  # tensor → op writing it
    consumers: dict[int, int]  # tensor → bit mask of the ops reading it
    keep: frozenset[int]  # graph outputs: never freed
    initial: int  # bytes live before the first operator (graph inputs)


def _problem(graph: Graph) -> _Problem:
    arena = set(graph.activation_tensors())
    sizes = {t: graph.tensors[t].nbytes for t in arena}
    op_inputs, op_outputs = [], []
    producers: dict[int, int] = {}
    consumers: dict[int, int] = {}
    for i, op in enumerate(graph.ops):
        ins = tuple(dict.fromkeys(t for t in op.inputs if t != NO_TENSOR and t in arena))
        outs = tuple(t for t in op.outputs if t in arena)
        op_inputs.append(ins)
        op_outputs.append(outs)
        for t in ins:
            consumers[t] = consumers.get(t, 0) | (1 << i)
        for t in outs:
            producers[t] = i
    initial = sum(sizes[t] for t in set(graph.inputs))
    return _Problem(sizes, op_inputs, op_outputs, producers, consumers, frozenset(graph.outputs),
                    initial)


def order_peak(graph: Graph, order: list[int]) -> int:
    """Peak live bytes when the operators run in ``order`` (inputs and outputs of a step count)."""
    p = _problem(graph)
    done, live, peak = 0, p.initial, p.initial
    for i in order:
        live, step_peak = _advance(p, done, live, i)
        done |= 1 << i
        peak = max(peak, step_peak)
    return peak


def _advance(p: _Problem, done: int, live: int, op: int) -> tuple[int, int]:
    """Live bytes after running ``op`` from state ``done``, and the peak while it runs."""
    during = live + sum(p.sizes[t] for t in p.op_outputs[op])
    after = during
    now = done | (1 << op)
    for t in p.op_inputs[op]:
        if t not in p.keep and p.consumers[t] & ~now == 0:
            after -= p.sizes[t]
    for t in p.op_outputs[op]:
        if t not in p.keep and t not in p.consumers:
            after -= p.sizes[t]  # written and never read
    return after, during


#: Candidate steps the search may weigh (about a second of work): when a level's states
#: times the operators left would exceed what remains, the beam narrows, and a graph too
#: large even for one state per level keeps the model's order.
MAX_WORK = 400_000


def best_order(graph: Graph, max_states: int = 4000) -> list[int]:
    """A topological order of ``graph.ops`` with the lowest peak found (ties keep the original)."""
    n = len(graph.ops)
    if n * n > MAX_WORK:
        return list(range(n))
    p = _problem(graph)
    needs = [0] * n  # ops that must run before op i
    for i in range(n):
        for t in p.op_inputs[i]:
            if t in p.producers:
                needs[i] |= 1 << p.producers[t]
    # state → (peak so far, live bytes now, order as a tuple)
    level: dict[int, tuple[int, int, tuple[int, ...]]] = {0: (p.initial, p.initial, ())}
    work = 0
    for step in range(n):
        work += len(level) * n
        states = max(1, min(max_states, (MAX_WORK - work) // max((n - step - 1) * n, 1)))
        following: dict[int, tuple[int, int, tuple[int, ...]]] = {}
        for done, (peak, live, order) in level.items():
            for i in range(n):
                if done >> i & 1 or needs[i] & ~done:
                    continue
                after, during = _advance(p, done, live, i)
                state = done | (1 << i)
                candidate = (max(peak, during), after, (*order, i))
                if state not in following or candidate < following[state]:
                    following[state] = candidate
        if len(following) > states:
            kept = sorted(following.items(), key=lambda kv: kv[1])[:states]
            following = dict(kept)
        level = following
    (_, (_, _, order)), = level.items()
    original = list(range(n))
    if order_peak(graph, list(order)) < order_peak(graph, original):
        return list(order)
    return original


def reorder(graph: Graph, order: list[int]) -> Graph:
    """``graph`` with its operators in ``order`` (tensors keep their indices)."""
    return Graph(
        graph.tensors, [graph.ops[i] for i in order], graph.inputs, graph.outputs,
        graph.description,
    )
