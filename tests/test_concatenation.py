"""CONCATENATION on int8 tensors, byte-exact with TFLite Micro and TensorFlow Lite on models
made with TensorFlow's converter: along channels, rows and the last axis of 2-D to 4-D
tensors, of two to four inputs (one of them twice, one computed from the other)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import tf_models
from op_harness import assert_verified

from tinygen.compiler import compile_graph
from tinygen.frontend.tflite import parse_tflite


def _tf() -> Any:
    import tensorflow as tf

    return tf


def _channels(x: Any) -> Any:
    tf = _tf()
    return tf.concat([tf.nn.relu(x), tf.nn.max_pool2d(x, 2, 1, "SAME"), x], axis=-1)


def _rows(x: Any) -> Any:
    tf = _tf()
    return tf.concat([x, tf.nn.relu(x), tf.nn.max_pool1d(x, 2, 2, "VALID")], axis=1)


def _dense(x: Any) -> Any:
    tf = _tf()
    return tf.concat([x, tf.nn.relu(x), x, tf.nn.relu(x)], axis=1)


def _height(x: Any) -> Any:
    tf = _tf()
    return tf.concat([tf.nn.avg_pool2d(x, 2, 2, "VALID"), tf.nn.max_pool2d(x, 2, 2, "VALID")],
                     axis=1)


CASES: dict[str, tuple[Callable[[Any], Any], tuple[int, ...]]] = {
    "channels": (_channels, (1, 4, 5, 3)),
    "rows_3d": (_rows, (1, 6, 4)),
    "dense": (_dense, (1, 5)),
    "height": (_height, (1, 6, 6, 2)),
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
    assert "CONCATENATION" in {op.kind for op in graph.ops}
    model = compile_graph(graph, "joined")
    assert "tg_concatenation_s8(&" in model.sources.sources["joined.c"]
    assert "static const int8_t *const joined_op" in model.sources.sources["joined.c"]
    assert_verified(data, tmp_path / f"{name}.tflite", capsys, runs=12, seed=3)


def test_output_never_shares_an_input() -> None:
    model = compile_graph(parse_tflite(_model("channels")), "joined")
    plan, tensors = model.plan, model.graph.tensors
    (step,) = [i for i, c in enumerate(model.calls) if c.kernel == "concatenation_s8"]
    call = model.calls[step]
    assert step not in plan.aliased_ops + plan.in_place_ops + plan.overlapped_ops
    y = call.outputs[0]
    for x in call.inputs:
        assert (plan.offsets[x] + tensors[x].nbytes <= plan.offsets[y]
                or plan.offsets[y] + tensors[y].nbytes <= plan.offsets[x])


def test_library_builds_as_strict_c99_and_cxx(tmp_path: Path) -> None:
    from library_build import STRICT_C, STRICT_CXX, compile_objects

    from tinygen.package.folder import write_library

    write_library(compile_graph(parse_tflite(_model("dense")), "joined"), tmp_path / "lib")
    compile_objects(tmp_path / "lib", STRICT_C, tmp_path / "c")
    compile_objects(tmp_path / "lib", STRICT_CXX, tmp_path / "cxx")
