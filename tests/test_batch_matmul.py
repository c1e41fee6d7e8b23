"""BATCH_MATMUL on int8 tensors, byte-exact with TFLite Micro and TensorFlow Lite on models made
with TensorFlow's converter: both operands at run time (adj_x, adj_y, both), a constant
right-hand side per batch and broadcast over the batch, a constant left-hand side, ranks 3
to 5; and the refusals."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tf_models
from op_harness import assert_verified

from tinygen.compiler import compile_graph
from tinygen.errors import TinygenError
from tinygen.frontend.tflite import parse_tflite
from tinygen.ir import Graph, Op, Quantization
from tinygen.lowering.batch_matmul import lower_batch_matmul


def _tf() -> Any:
    import tensorflow as tf

    return tf


def _const(shape: tuple[int, ...], seed: int) -> Any:
    return _tf().constant(np.random.default_rng(seed).uniform(-1, 1, shape).astype(np.float32))


def _matmul(b: Callable[[Any], Any], adj_x: bool = False, adj_y: bool = False) -> Callable:
    return lambda x: _tf().linalg.matmul(x, b(x), transpose_a=adj_x, transpose_b=adj_y)


def _relu(x: Any) -> Any:
    return _tf().nn.relu(x)


#: name → (model, input shape); every one holds a BATCH_MATMUL
CASES: dict[str, tuple[Callable[[Any], Any], tuple[int, ...]]] = {
    "runtime_adj_y": (_matmul(lambda x: x, adj_y=True), (2, 3, 4)),
    "runtime_adj_x": (_matmul(_relu, adj_x=True), (2, 4, 3)),
    "runtime_adj_x_adj_y": (_matmul(_relu, adj_x=True, adj_y=True), (2, 4, 4)),
    "runtime_5d": (_matmul(lambda x: x, adj_y=True), (1, 2, 2, 3, 4)),
    "constant_rhs_per_batch": (_matmul(lambda x: _const((3, 4, 5), 1)), (3, 6, 4)),
    "constant_rhs_broadcast": (_matmul(lambda x: _const((1, 3, 4, 5), 2)), (2, 1, 3, 4)),
    "constant_lhs": (lambda x: _tf().linalg.matmul(_const((3, 2, 4), 3),
                                                   _tf().reshape(x, (3, 4, 2))), (3, 8)),
}


@cache
def _model(name: str) -> bytes:
    fn, shape = CASES[name]
    return bytes(tf_models.convert(fn, shape, seed=len(name)))


@pytest.mark.parametrize("name", CASES)
def test_byte_exact_with_both_interpreters(name: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    data = _model(name)
    graph = parse_tflite(data, name)
    assert "BATCH_MATMUL" in {op.kind for op in graph.ops}, [op.kind for op in graph.ops]
    model = compile_graph(graph, "matmul")
    assert "tg_batch_matmul_s8(&" in model.sources.sources["matmul.c"]
    assert_verified(data, tmp_path / f"{name}.tflite", capsys, runs=12, seed=3)


def _graph(name: str) -> tuple[Graph, int, Op]:
    graph = parse_tflite(_model(name), name)
    index, op = next((i, o) for i, o in enumerate(graph.ops) if o.kind == "BATCH_MATMUL")
    return graph, index, op


def test_constant_operand_stays_in_flash() -> None:
    graph, _, op = _graph("constant_rhs_broadcast")
    model = compile_graph(graph, "matmul")
    rhs = op.inputs[1]
    assert graph.tensors[rhs].is_constant and rhs not in model.plan.offsets
    assert f"matmul_t{rhs}" in model.sources.sources["matmul.c"]


def test_refuses_batches_that_do_not_broadcast() -> None:
    graph, index, op = _graph("runtime_adj_x")  # x [2, 4, 3] and relu(x)
    graph.tensors[op.inputs[1]].shape = (3, 4, 3)
    with pytest.raises(TinygenError, match=r"operator \d+ \(BATCH_MATMUL\): the batch "
                                           "dimensions of .* do not broadcast"):
        lower_batch_matmul(graph, index, op)


def test_refuses_operands_that_do_not_multiply() -> None:
    graph, index, op = _graph("runtime_adj_y")
    op.attrs["adj_y"] = False
    with pytest.raises(TinygenError, match="do not multiply: 4 and 3 elements to sum"):
        lower_batch_matmul(graph, index, op)


def test_refuses_per_channel_quantization_and_6d() -> None:
    graph, index, op = _graph("constant_rhs_per_batch")
    rhs = graph.tensors[op.inputs[1]]
    rhs.quant = Quantization(np.full(5, rhs.quant.scale0, np.float32), np.zeros(5, np.int64), 2)
    with pytest.raises(TinygenError, match="per-channel quantization is not supported"):
        lower_batch_matmul(graph, index, op)
    graph, index, op = _graph("runtime_adj_y")
    for t in op.inputs:
        graph.tensors[t].shape = (1, 1, 1, 2, 3, 4)
    with pytest.raises(TinygenError, match="takes 2 to 5 dimensions"):
        lower_batch_matmul(graph, index, op)


def test_refuses_an_accumulator_that_could_overflow() -> None:
    graph, index, op = _graph("runtime_adj_y")
    for t in op.inputs:
        graph.tensors[t].shape = (2, 3, 40_000)
    with pytest.raises(TinygenError, match="sums of 40,000 products would overflow"):
        lower_batch_matmul(graph, index, op)


def test_library_builds_as_strict_c99_and_cxx(tmp_path: Path) -> None:
    from library_build import STRICT_C, STRICT_CXX, compile_objects

    from tinygen.package.folder import write_library

    for name in ("runtime_adj_x", "constant_rhs_broadcast"):
        write_library(compile_graph(parse_tflite(_model(name)), "matmul"), tmp_path / name)
        compile_objects(tmp_path / name, STRICT_C, tmp_path / f"{name}_c")
        compile_objects(tmp_path / name, STRICT_CXX, tmp_path / f"{name}_cxx")
