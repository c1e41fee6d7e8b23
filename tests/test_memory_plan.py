"""Issue 3: the memory planner reaches the activation lower bound, then goes below it."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
import tf_models

from tinygen.compiler import compile_file, compile_graph
from tinygen.frontend.tflite import parse_tflite, read_tflite
from tinygen.ir import NO_TENSOR, Graph
from tinygen.memory.buffers import Buffer, Segment, buffer_profile
from tinygen.memory.offsets import assign_offsets, check_offsets
from tinygen.memory.planner import MemoryOptions
from tinygen.memory.schedule import best_order, order_peak, reorder
from tinygen.verify.compare import verify
from tinygen.verify.inputs import random_inputs

#: Activation lower bounds quoted by the issue (operators in the model's order).
BOUNDS = {
    "hello_world_int8": 32,
    "ad01_int8": 768,
    "kws_ref_model": 16_000,
    "str_ww_ref_model": 6_656,
    "pretrainedResnet_quant": 49_152,
    "vww_96_int8": 55_296,
}


def independent_bound(graph: Graph) -> int:
    """Most bytes of non-constant tensors alive at one operator, counted from scratch."""
    last_read: dict[int, int] = {}
    for i, op in enumerate(graph.ops):
        for t in op.inputs:
            if t != NO_TENSOR and graph.tensors[t].data is None:
                last_read[t] = i
    for t in graph.outputs:
        last_read[t] = len(graph.ops)
    written = {t: -1 for t in graph.inputs}
    for i, op in enumerate(graph.ops):
        for t in op.outputs:
            written.setdefault(t, i)
    peak = 0
    for i in range(len(graph.ops)):
        alive = [
            t for t, w in written.items() if w <= i <= max(last_read.get(t, w), w)
        ]
        peak = max(peak, sum(graph.tensors[t].nbytes for t in alive))
    return peak


@pytest.mark.parametrize("name", sorted(BOUNDS))
def test_arena_at_or_below_the_bound(name: str, shared_dir: Path) -> None:
    path = shared_dir / "models" / f"{name}.tflite"
    plain = compile_file(path, memory=MemoryOptions(in_place=False, reorder=False))
    # The bound recomputed here, the planner's, and the figure agree.
    assert independent_bound(plain.graph) == plain.plan.lower_bound == BOUNDS[name]
    # Without any sharing the plan reaches the bound exactly, plus the scratch (im2col rows)
    # a specialized kernel takes at the peak.
    scratch = max((b.size for b in plain.plan.buffers if b.segments[0].tensor < 0), default=0)
    assert plain.plan.arena_bytes == plain.plan.plan_bound
    assert BOUNDS[name] <= plain.plan.arena_bytes <= BOUNDS[name] + scratch
    model = compile_file(path)
    assert model.plan.lower_bound == BOUNDS[name]
    assert model.plan.arena_bytes <= BOUNDS[name]
    assert model.plan.arena_bytes >= model.plan.plan_bound
    assert check_offsets(list(model.plan.buffers), model.plan.buffer_offsets)


@pytest.mark.parametrize(
    ("name", "below"),
    [("vww_96_int8", 15_000), ("kws_ref_model", 6_000), ("pretrainedResnet_quant", 10_000)],
)
def test_in_place_goes_well_below_the_bound(name: str, below: int, shared_dir: Path) -> None:
    model = compile_file(shared_dir / "models" / f"{name}.tflite")
    assert model.plan.arena_bytes <= BOUNDS[name] - below


@pytest.mark.parametrize(
    "options",
    [MemoryOptions(in_place=False, reorder=False), MemoryOptions(alignment=4)],
    ids=["no-sharing", "align-4"],
)
def test_other_plans_stay_byte_exact(options: MemoryOptions, shared_dir: Path) -> None:
    path = shared_dir / "models" / "kws_ref_model.tflite"
    model = compile_file(path, memory=options)
    assert all(off % options.alignment == 0 for off in model.plan.buffer_offsets)
    result = verify(model, path.read_bytes(), random_inputs(model.graph, 5, 3))
    assert result.ok, result.first_divergence and result.first_divergence.describe()


def _buffers(spec: list[tuple[int, int, int]]) -> list[Buffer]:
    return [Buffer((Segment(a, b, size, i),)) for i, (a, b, size) in enumerate(spec)]


def test_exact_search_beats_first_fit() -> None:
    # Found by random search: every greedy order needs 160 bytes, 144 (the bound) is possible.
    buffers = _buffers([(0, 2, 48), (1, 1, 64), (3, 5, 64), (5, 5, 16), (2, 5, 48), (4, 4, 32)])
    greedy = assign_offsets(buffers, 6, 16, exact=False)
    exact = assign_offsets(buffers, 6, 16, exact=True)
    assert greedy.arena_bytes == 160
    assert exact.strategy == "exact" and exact.arena_bytes == 144
    assert check_offsets(buffers, exact.offsets)


def test_offsets_valid_on_random_instances() -> None:
    rng = random.Random(11)
    for _ in range(40):
        spec = []
        for _ in range(rng.randint(1, 12)):
            a = rng.randint(0, 7)
            spec.append((a, rng.randint(a, 7), rng.randint(1, 200)))
        buffers = _buffers(spec)
        for alignment in (4, 16):
            placement = assign_offsets(buffers, 8, alignment, exact=True, time_limit=2)
            assert check_offsets(buffers, placement.offsets)
            assert all(o % alignment == 0 for o in placement.offsets)
            assert placement.arena_bytes >= max(buffer_profile(buffers, 8, alignment))


def test_check_offsets_catches_an_overlap() -> None:
    buffers = _buffers([(0, 1, 32), (1, 2, 32)])
    assert check_offsets(buffers, [0, 32])
    assert not check_offsets(buffers, [0, 16])


def _branching_model() -> bytes:
    tf = tf_models._tf()
    rng = np.random.default_rng(5)

    def weights(*shape: int) -> object:
        return tf.constant(rng.normal(size=shape).astype(np.float32) * 0.3)

    wa, wb = weights(3, 3, 4, 24), weights(3, 3, 4, 24)
    pa, pb = weights(1, 1, 24, 4), weights(1, 1, 24, 4)

    def fn(x: object) -> object:
        a = tf.nn.relu(tf.nn.conv2d(x, wa, 1, "SAME"))
        b = tf.nn.relu(tf.nn.conv2d(x, wb, 1, "SAME"))
        return tf.nn.conv2d(a, pa, 1, "SAME") + tf.nn.conv2d(b, pb, 1, "SAME")

    return tf_models.convert(fn, (1, 12, 12, 4))


def _breadth_first(graph: Graph) -> list[int]:
    """Operators by depth from the inputs: both branches' wide layers run before either narrows."""
    depth: dict[int, int] = {t: 0 for t in graph.inputs}
    levels = []
    for i, op in enumerate(graph.ops):
        d = 1 + max((depth.get(t, 0) for t in op.inputs if t != NO_TENSOR), default=0)
        for t in op.outputs:
            depth[t] = d
        levels.append((d, i))
    return [i for _, i in sorted(levels)]


def test_reordering_lowers_the_peak_and_stays_exact(tmp_path: Path) -> None:
    data = _branching_model()
    graph = parse_tflite(data)
    bad = _breadth_first(graph)
    wide_first = reorder(graph, bad)
    assert order_peak(wide_first, list(range(len(bad)))) > order_peak(
        wide_first, best_order(wide_first)
    )
    plain = compile_graph(wide_first, "branchy", MemoryOptions(in_place=False, reorder=False))
    model = compile_graph(wide_first, "branchy", MemoryOptions(in_place=False))
    assert model.plan.order != tuple(range(len(model.plan.order)))
    assert model.plan.order_bound < model.plan.lower_bound == plain.plan.lower_bound
    assert model.plan.arena_bytes < plain.plan.arena_bytes
    result = verify(model, data, random_inputs(model.graph, 5, 1))
    assert result.ok, result.first_divergence and result.first_divergence.describe()


def test_quantize_writes_over_its_float_input() -> None:
    tf = tf_models._tf()
    w = tf.constant(np.random.default_rng(8).normal(size=(64, 64)).astype(np.float32) * 0.2)
    data = tf_models.convert(lambda x: tf.nn.relu(tf.matmul(x, w)), (1, 64), float_io=True)
    model = compile_graph(parse_tflite(data), "fio")
    kinds = [op.kind for op in model.graph.ops]
    assert kinds[0] == "QUANTIZE" and 0 in model.plan.in_place_ops
    x = model.graph.inputs[0]
    q = model.graph.ops[0].outputs[0]
    assert model.plan.offsets[q] == model.plan.offsets[x]  # int8 over its own float input
    result = verify(model, data, random_inputs(model.graph, 5, 2))
    assert result.ok, result.first_divergence and result.first_divergence.describe()


def test_schedule_exact_on_a_small_diamond() -> None:
    graph = diamond_graph()
    order = best_order(graph)
    every = _all_orders(graph)
    assert order_peak(graph, order) == min(order_peak(graph, o) for o in every)


def diamond_graph() -> Graph:
    """x → (a: 100 B → a2: 1 B), (b: 100 B → b2: 1 B) → y, as a bare IR graph."""
    from tinygen.ir import Op, Tensor

    sizes = {"x": 10, "a": 100, "a2": 1, "b": 100, "b2": 1, "y": 1}
    names = list(sizes)
    tensors = [Tensor(n, (sizes[n],), "int8") for n in names]
    t = {n: i for i, n in enumerate(names)}
    ops = [
        Op("A", [t["x"]], [t["a"]]),
        Op("B", [t["x"]], [t["b"]]),
        Op("A2", [t["a"]], [t["a2"]]),
        Op("B2", [t["b"]], [t["b2"]]),
        Op("Y", [t["a2"], t["b2"]], [t["y"]]),
    ]
    return Graph(tensors, ops, [t["x"]], [t["y"]])


def _all_orders(graph: Graph) -> list[list[int]]:
    import itertools

    producers = {t: i for i, op in enumerate(graph.ops) for t in op.outputs}
    result = []
    for perm in itertools.permutations(range(len(graph.ops))):
        seen: set[int] = set()
        ok = True
        for i in perm:
            if any(t in producers and producers[t] not in seen for t in graph.ops[i].inputs):
                ok = False
                break
            seen.add(i)
        if ok:
            result.append(list(perm))
    return result


def test_read_graph_unchanged_by_planning(shared_dir: Path) -> None:
    graph = read_tflite(shared_dir / "models" / "pretrainedResnet_quant.tflite")
    kinds = [op.kind for op in graph.ops]
    compile_graph(graph, "resnet")
    assert [op.kind for op in graph.ops] == kinds
