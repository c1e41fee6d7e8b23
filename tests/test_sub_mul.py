"""SUB and MUL on int8 tensors with broadcasting, byte-exact with TFLite Micro and TensorFlow
Lite on models made with TensorFlow's converter: same shapes, a broadcast row, column and
scalar, a constant operand, fused ReLU, a squeeze-excite-style gate (MUL by a pooled vector)."""

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
from tinygen.frontend.tflite import parse_tflite


def _tf() -> Any:
    import tensorflow as tf

    return tf


def _const(shape: tuple[int, ...], seed: int) -> Any:
    return _tf().constant(np.random.default_rng(seed).uniform(-1.5, 1.5, shape).astype(np.float32))


CASES: dict[str, tuple[Callable[[Any], Any], tuple[int, ...], str]] = {
    "sub_same": (lambda x: x - _tf().nn.relu(x), (1, 4, 4, 3), "SUB"),
    "sub_const_row": (lambda x: x - _const((3,), 1), (1, 5, 3), "SUB"),
    "sub_relu": (lambda x: _tf().nn.relu(_const((1, 4, 1), 2) - x), (1, 4, 6), "SUB"),
    "mul_same": (lambda x: x * _tf().nn.relu(x), (1, 3, 5, 2), "MUL"),
    "mul_const_column": (lambda x: x * _const((4, 1), 3), (1, 4, 7), "MUL"),
    "mul_scalar": (lambda x: x * 2.75, (1, 9), "MUL"),
    "mul_gate": (lambda x: x * _tf().reduce_mean(x, axis=[1, 2], keepdims=True),
                 (1, 4, 4, 5), "MUL"),
}


@cache
def _model(name: str) -> bytes:
    fn, shape, _ = CASES[name]
    return bytes(tf_models.convert(fn, shape, seed=len(name)))


@pytest.mark.parametrize("name", CASES)
def test_byte_exact_with_both_interpreters(name: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    data = _model(name)
    kind = CASES[name][2]
    graph = parse_tflite(data, name)
    assert kind in {op.kind for op in graph.ops}, [op.kind for op in graph.ops]
    model = compile_graph(graph, "elementwise")
    assert f"tg_{kind.lower()}_s8(&" in model.sources.sources["elementwise.c"]
    assert_verified(data, tmp_path / f"{name}.tflite", capsys, runs=16, seed=2)


def test_library_builds_as_strict_c99_and_cxx(tmp_path: Path) -> None:
    from library_build import STRICT_C, STRICT_CXX, compile_objects

    from tinygen.package.folder import write_library

    for name in ("sub_const_row", "mul_gate"):
        write_library(compile_graph(parse_tflite(_model(name)), "elementwise"),
                      tmp_path / name)
        compile_objects(tmp_path / name, STRICT_C, tmp_path / f"{name}_c")
        compile_objects(tmp_path / name, STRICT_CXX, tmp_path / f"{name}_cxx")
