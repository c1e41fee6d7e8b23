"""MAXIMUM, MINIMUM and SQUARED_DIFFERENCE on int8 tensors with broadcasting.

Models made with TensorFlow's converter are verified byte for byte against TFLite Micro and
TensorFlow Lite: same shapes, a constant row, column and scalar, a pooled vector, two
computed tensors, 2-D to 5-D (the converter makes SQUARED_DIFFERENCE up to 4-D only).
Then each operator alone, its two inputs and output requantized at random, against
TensorFlow Lite's interpreter: MAXIMUM and MINIMUM compare the stored bytes whatever the
quantizations, as both interpreters do.
"""

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
from tinygen.frontend.tflite_writer import write_tflite
from tinygen.ir import Graph, Quantization
from tinygen.lowering import lower_graph
from tinygen.reference.interpreter import run_reference
from tinygen.verify.tflite_ref import TfliteReference
from tinygen.verify.tflm import TflmModel


def _tf() -> Any:
    import tensorflow as tf

    return tf


def _const(shape: tuple[int, ...], seed: int) -> Any:
    return _tf().constant(np.random.default_rng(seed).uniform(-1.5, 1.5, shape).astype(np.float32))


def _minmax_3d(x: Any) -> Any:
    tf = _tf()
    return (tf.maximum(x, _const((8,), 1)), tf.minimum(x, 0.3),
            tf.minimum(tf.maximum(x, -0.5), 0.5), tf.maximum(x, tf.nn.relu(x) * 0.5))


def _minmax_ranks(x: Any) -> Any:
    tf = _tf()
    return (tf.maximum(x, _const((1, 1, 1, 1, 3), 2)),
            tf.minimum(x, tf.reduce_mean(x, axis=[1, 2], keepdims=True)),
            tf.minimum(tf.reshape(x, (6, 6)), _const((6, 1), 3)),
            tf.maximum(tf.reshape(x, (1, 6, 2, 3)), -0.2))


def _squared_difference(x: Any) -> Any:
    tf = _tf()
    sd = tf.math.squared_difference
    return (sd(x, tf.reduce_mean(x, axis=[1, 2], keepdims=True)), sd(x, _const((3,), 4)),
            sd(x, tf.nn.relu(x)), sd(tf.reshape(x, (12, 4)), _const((12, 1), 5)),
            sd(tf.reshape(x, (4, 4, 3)) * 2.0, _const((4, 1, 3), 6)))


#: name → (function, input shape, operators, ranks of their outputs)
MODELS: dict[str, tuple[Callable[[Any], Any], tuple[int, ...], set[str], set[int]]] = {
    "minmax_3d": (_minmax_3d, (1, 3, 8), {"MAXIMUM", "MINIMUM"}, {3}),
    "minmax_ranks": (_minmax_ranks, (1, 2, 3, 2, 3), {"MAXIMUM", "MINIMUM"}, {2, 4, 5}),
    "squared_difference": (_squared_difference, (1, 4, 4, 3), {"SQUARED_DIFFERENCE"},
                           {2, 3, 4}),
}


@cache
def _model(name: str) -> bytes:
    fn, shape, _, _ = MODELS[name]
    return bytes(tf_models.convert(fn, shape, seed=len(name)))


@pytest.mark.parametrize("name", MODELS)
def test_byte_exact_with_both_interpreters(name: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    data = _model(name)
    kinds, ranks = MODELS[name][2:]
    graph = parse_tflite(data, name)
    assert kinds <= {op.kind for op in graph.ops}, [op.kind for op in graph.ops]
    assert ranks == {len(graph.tensors[op.outputs[0]].shape)
                     for op in graph.ops if op.kind in kinds}
    source = compile_graph(graph, "elementwise").sources.sources["elementwise.c"]
    for kind in kinds:
        assert f"tg_{kind.lower()}_s8(&" in source, kind
    assert_verified(data, tmp_path / f"{name}.tflite", capsys, runs=8, seed=4)


# -- each operator alone, requantized at random, against TensorFlow Lite ------------------


@cache
def _two_input_model(kind: str) -> bytes:
    """``kind`` of a (1, 4, 8) input and a (4, 1) second input (both read at run time)."""
    tf = _tf()
    fn = {"MAXIMUM": tf.maximum, "MINIMUM": tf.minimum,
          "SQUARED_DIFFERENCE": tf.math.squared_difference}[kind]
    graph = parse_tflite(tf_models.convert(lambda x: fn(x, _const((4, 1), 7)), (1, 4, 8)))
    assert [op.kind for op in graph.ops] == [kind]
    second = graph.ops[0].inputs[1]
    graph.tensors[second].data = None
    graph.inputs.append(second)
    return write_tflite(graph)


def _requantize(graph: Graph, rng: np.random.Generator) -> None:
    for t in (*graph.ops[0].inputs, graph.ops[0].outputs[0]):
        scale = float(np.exp(rng.uniform(np.log(1e-3), np.log(0.5))))
        graph.tensors[t].quant = Quantization(np.array([scale], np.float32),
                                              np.array([rng.integers(-128, 128)], np.int64))


def _output_real(graph: Graph) -> float:
    """SQUARED_DIFFERENCE's output rescale factor (TensorFlow Lite aborts at 1 or more)."""
    s1, s2, so = (graph.tensors[t].quant.scale0 for t in (*graph.ops[0].inputs,
                                                           graph.ops[0].outputs[0]))
    return (2 * max(s1, s2)) ** 2 / (2**14 * so)


@pytest.mark.parametrize("kind", ["MAXIMUM", "MINIMUM", "SQUARED_DIFFERENCE"])
def test_every_quantization_equals_tensorflow_lite(kind: str) -> None:
    rng = np.random.default_rng(len(kind))
    checked = 0
    for _ in range(30):
        graph = parse_tflite(_two_input_model(kind))
        _requantize(graph, rng)
        if kind == "SQUARED_DIFFERENCE" and _output_real(graph) >= 0.99:
            continue
        data = write_tflite(graph)
        graph = parse_tflite(data)
        inputs = [rng.integers(-128, 128, graph.tensors[t].shape).astype(np.int8)
                  for t in graph.inputs]
        ours = run_reference(graph, lower_graph(graph), inputs)[graph.outputs[0]]
        lite = TfliteReference(data).invoke(inputs)[0]
        assert np.array_equal(ours.reshape(-1), lite.reshape(-1))
        checked += 1
    assert checked >= 20


def test_squared_difference_output_multiplier_above_one_is_tflite_micros() -> None:
    """TensorFlow Lite's prepare aborts on an output rescale factor of 1 or more; TFLite
    Micro requantizes with a left shift, and so does tinygen."""
    graph = parse_tflite(_two_input_model("SQUARED_DIFFERENCE"))
    op = graph.ops[0]
    for t, (scale, zero) in zip((*op.inputs, op.outputs[0]),
                                ((0.05, 3), (0.05, 3), (2e-7, -100)), strict=True):
        graph.tensors[t].quant = Quantization(np.array([scale], np.float32),
                                              np.array([zero], np.int64))
    assert _output_real(graph) > 1
    data = write_tflite(graph)
    graph = parse_tflite(data)
    calls = lower_graph(graph)
    assert calls[0].params.output_shift > 0
    rng = np.random.default_rng(9)
    for _ in range(4):  # equal bytes (zero), or one step apart (saturated)
        second = rng.integers(-100, 100, (4, 1))
        first = second[None] + rng.integers(-1, 2, (1, 4, 8))
        inputs = [first.astype(np.int8), second.astype(np.int8)]
        ours = run_reference(graph, calls, inputs)[graph.outputs[0]]
        micro = TflmModel(data, 1).invoke(inputs)[0]
        assert np.array_equal(ours.reshape(-1), micro.reshape(-1))


def test_refusals_name_the_operator() -> None:
    graph = parse_tflite(_two_input_model("MAXIMUM"))
    graph.tensors[graph.inputs[1]].shape = (3, 1)
    with pytest.raises(TinygenError, match=r"operator 0 \(MAXIMUM\).*do not broadcast"):
        lower_graph(graph)
    graph = parse_tflite(_two_input_model("SQUARED_DIFFERENCE"))
    graph.tensors[graph.outputs[0]].quant = Quantization(np.array([1e-20], np.float32),
                                                         np.array([0], np.int64))
    with pytest.raises(TinygenError,
                       match=r"operator 0 \(SQUARED_DIFFERENCE\).*output rescale factor"):
        lower_graph(graph)


def test_library_builds_as_strict_c99_and_cxx(tmp_path: Path) -> None:
    from library_build import STRICT_C, STRICT_CXX, compile_objects

    from tinygen.package.folder import write_library

    for name in ("minmax_3d", "squared_difference"):
        write_library(compile_graph(parse_tflite(_model(name)), "elementwise"),
                      tmp_path / name)
        compile_objects(tmp_path / name, STRICT_C, tmp_path / f"{name}_c")
        compile_objects(tmp_path / name, STRICT_CXX, tmp_path / f"{name}_cxx")
