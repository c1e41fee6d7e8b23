"""Randomized multi-operator models: every memory plan stays byte-exact with TFLM.

Each model chains convolutions, depthwise convolutions, pooling, reshapes and
two-branch additions at random sizes, so the planner's aliases, in-place
operators, overlaps, in-place depthwise convolutions and reordering all meet
real kernels; each model is also compiled from a random topological order of its
operators. ``--planner-cases N --seed S`` runs more.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import tf_models

from tinygen.compiler import compile_graph
from tinygen.frontend.tflite import parse_tflite
from tinygen.ir import Graph
from tinygen.memory.planner import MemoryOptions
from tinygen.memory.schedule import reorder
from tinygen.verify.compare import verify
from tinygen.verify.inputs import random_inputs

Layer = Callable[[Any], Any]


def _random_model(rng: random.Random) -> tuple[Callable[[Any], Any], tuple[int, ...]]:
    tf = tf_models._tf()
    nprng = np.random.default_rng(rng.randrange(1 << 30))
    size, channels = rng.choice([8, 10, 12, 16]), rng.choice([2, 3, 4, 8])
    shape = (1, size, size, channels)

    def weights(*dims: int) -> Any:
        scale = 1.5 / np.sqrt(dims[-2])
        return tf.constant((nprng.normal(size=dims) * scale).astype(np.float32))

    def conv(c_in: int, c_out: int, k: int, stride: int, padding: str) -> Layer:
        w = weights(k, k, c_in, c_out)
        return lambda x: tf.nn.relu(tf.nn.conv2d(x, w, stride, padding))

    def depthwise(c: int, stride: int, multiplier: int) -> Layer:
        w = weights(3, 3, c, multiplier)
        return lambda x: tf.nn.relu6(
            tf.nn.depthwise_conv2d(x, w, [1, stride, stride, 1], "SAME")
        )

    layers: list[Layer] = []
    c, s = channels, size
    for _ in range(rng.randint(3, 6)):
        kind = rng.choice(["conv", "conv", "dw", "dw", "pool", "branch", "wide", "reshape"])
        if kind == "conv":
            c_out, k = rng.choice([4, 8, 16]), rng.choice([1, 3])
            stride = 2 if s >= 6 and rng.random() < 0.3 else 1
            padding = rng.choice(["SAME", "VALID"]) if k == 3 and s > 4 else "SAME"
            layers.append(conv(c, c_out, k, stride, padding))
            c = c_out
            s = -(-s // stride) if padding == "SAME" else -(-(s - 2) // stride)
        elif kind == "dw":
            stride = 2 if s >= 6 and rng.random() < 0.3 else 1
            multiplier = 1 if rng.random() < 0.8 else 2
            layers.append(depthwise(c, stride, multiplier))
            c, s = c * multiplier, -(-s // stride)
        elif kind == "pool" and s >= 4:
            pool = rng.choice([tf.nn.avg_pool2d, tf.nn.max_pool2d])
            layers.append(lambda x, pool=pool: pool(x, 2, 2, "VALID"))
            s //= 2
        elif kind == "branch":
            a, b = conv(c, c, 1, 1, "SAME"), conv(c, c, 3, 1, "SAME")
            layers.append(lambda x, a=a, b=b: a(x) + b(x))
        elif kind == "wide":  # two expand-project branches: their order sets the peak
            ea, pa = conv(c, 4 * c, 1, 1, "SAME"), conv(4 * c, c, 1, 1, "SAME")
            eb, pb = conv(c, 4 * c, 1, 1, "SAME"), conv(4 * c, c, 1, 1, "SAME")
            layers.append(lambda x, ea=ea, pa=pa, eb=eb, pb=pb: pa(ea(x)) + pb(eb(x)))
        elif kind == "reshape":
            layers.append(lambda x, s=s, c=c: tf.reshape(tf.reshape(x, (1, -1)), (1, s, s, c)))
    dense = weights(s * s * c, 5)

    def model(x: Any) -> Any:
        for layer in layers:
            x = layer(x)
        return tf.nn.softmax(tf.matmul(tf.reshape(x, (1, -1)), dense))

    return model, shape


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" in metafunc.fixturenames:
        count = metafunc.config.getoption("--planner-cases")
        metafunc.parametrize("case", range(count))


OPTIONS = {
    "default": MemoryOptions(),
    "no-sharing": MemoryOptions(in_place=False, reorder=False),
    "align-4": MemoryOptions(alignment=4),
}


def _degenerate(graph: Graph) -> bool:
    """An activation that the representative data never moved (a ReLU that is always 0):
    the converter gives it a scale near 1e-8, and TFLM may abort on what follows."""
    return any(
        t.quant is not None and t.data is None and t.quant.scale0 < 1e-6 for t in graph.tensors
    )


def _shuffled(graph: Graph, rng: random.Random) -> Graph:
    """The same graph with its operators in a random topological order."""
    producer = {t: i for i, op in enumerate(graph.ops) for t in op.outputs}
    needs = [
        {producer[t] for t in op.inputs if t in producer} for op in graph.ops
    ]
    done: list[int] = []
    while len(done) < len(graph.ops):
        ready = [i for i in range(len(graph.ops)) if i not in done and needs[i] <= set(done)]
        done.append(rng.choice(ready))
    return reorder(graph, done)


def test_random_model_plans_are_exact(case: int, pytestconfig: pytest.Config) -> None:
    rng = random.Random(pytestconfig.getoption("--seed") * 1000 + case)
    for _ in range(10):
        fn, shape = _random_model(rng)
        data = tf_models.convert(fn, shape, seed=case)
        graph = parse_tflite(data)
        if not _degenerate(graph):
            break
    arenas = {}
    variants = [(label, graph, options) for label, options in OPTIONS.items()]
    variants.append(("shuffled", _shuffled(graph, rng), MemoryOptions()))
    for label, source, options in variants:
        model = compile_graph(source, f"p{case}", options)
        arenas[label] = model.plan.arena_bytes
        result = verify(model, data, random_inputs(model.graph, 3, case),
                        portable=label == "shuffled")
        detail = result.first_divergence.describe() if result.first_divergence else ""
        assert result.ok, f"{label}: {detail}"
        assert model.plan.arena_bytes >= model.plan.plan_bound
    assert arenas["default"] <= arenas["no-sharing"]
