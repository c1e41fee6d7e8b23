"""GATHER on int8 tensors, byte-exact with TFLite Micro and TensorFlow Lite on models made
with TensorFlow's converter: constant int32 and int64 indices, negative axes, batch_dims,
indices computed at run time (a second model input) and an embedding table looked up by
them; an index outside the axis at run time (TensorFlow Lite fails the inference, TFLite
Micro reads outside its input) gives a slice of the output's zero point. And what the
data-movement operators refuse, with the operator named."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tf_models
from test_data_movement import TFLM, all_kernels_model, assert_verified_by

from tinygen.compiler import compile_graph
from tinygen.errors import TinygenError
from tinygen.frontend.tflite import parse_tflite
from tinygen.ir import Graph, Quantization
from tinygen.lowering import lower_graph


def _tf() -> Any:
    import tensorflow as tf

    return tf


def _gather(indices: Any, axis: int, batch_dims: int = 0, dtype: str = "int32") -> Callable:
    return lambda x: _tf().gather(x, _tf().constant(indices, getattr(_tf(), dtype)), axis=axis,
                                  batch_dims=batch_dims)


#: name → (model function, input shape, interpreter that cannot run the model)
CASES: dict[str, tuple[Callable[[Any], Any], tuple[int, ...], str | None]] = {
    "axis": (_gather([2, 0, 1, 1], 2), (1, 4, 6), None),
    "rows": (_gather([4, 0, 4], 0), (5, 3), None),
    "negative_axis_2d_indices": (_gather([[2, 0], [1, 5]], -1), (1, 4, 6), None),
    "batch_dims": (_gather([[2, 0, 1], [1, 1, 3]], 2, batch_dims=1), (2, 3, 4, 5), None),
    "int64_indices": (_gather([2, 0, 3], 1, dtype="int64"), (1, 4, 6), TFLM),
}


@cache
def _model(name: str) -> bytes:
    fn, shape, _ = CASES[name]
    return bytes(tf_models.convert(fn, shape, seed=len(name)))


@pytest.mark.parametrize("name", CASES)
def test_constant_indices(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _model(name)
    graph = parse_tflite(data, name)
    assert [op.kind for op in graph.ops] == ["GATHER"]
    model = compile_graph(graph, "gather")
    assert "tg_gather_s8(&" in model.sources.sources["gather.c"]
    assert_verified_by(data, tmp_path / f"{name}.tflite", capsys, CASES[name][2])


def _convert(fn: Callable[..., Any], specs: list[tuple[tuple[int, ...], str]],
             samples: Callable[[np.random.Generator], list[np.ndarray]]) -> bytes:
    """An int8 model of ``fn`` on inputs of (shape, dtype) ``specs``; ``samples`` draws one
    set of calibration inputs."""
    tf = _tf()
    func = tf.function(fn, input_signature=[tf.TensorSpec(s, getattr(tf, d)) for s, d in specs])
    converter = tf.lite.TFLiteConverter.from_concrete_functions([func.get_concrete_function()],
                                                                func)
    rng = np.random.default_rng(0)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: (samples(rng) for _ in range(16))
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    if any(d == "float32" for _, d in specs):
        converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return bytes(converter.convert())


@cache
def _runtime_model() -> bytes:
    """GATHER of the int8 input's rows at int32 indices, the model's second input."""
    return _convert(lambda x, i: _tf().gather(x, i, axis=1),
                    [((1, 5, 3), "float32"), ((2, 2), "int32")],
                    lambda rng: [rng.uniform(-2, 2, (1, 5, 3)).astype(np.float32),
                                 rng.integers(0, 5, (2, 2)).astype(np.int32)])


@cache
def _embedding_model() -> bytes:
    """An int8 embedding table (a constant) looked up by int32 indices, the only input."""
    table = np.random.default_rng(1).uniform(-1, 1, (6, 4)).astype(np.float32)
    return _convert(lambda i: _tf().gather(_tf().constant(table), i), [((3,), "int32")],
                    lambda rng: [rng.integers(0, 6, (3,)).astype(np.int32)])


def _verify(data: bytes, input_sets: list[list[np.ndarray]]) -> None:
    """Both interpreters and tinygen's C and reference agree on ``input_sets`` (in-range
    indices: ``tinygen verify``'s random int32 inputs would fall outside the axis)."""
    from tinygen.verify.compare import verify

    model = compile_graph(parse_tflite(data), "gather")
    result = verify(model, data, input_sets)
    assert result.ok and not result.missing and result.tflm_disagreements == 0, result
    assert result.runs == len(input_sets)


def test_indices_computed_at_run_time() -> None:
    data = _runtime_model()
    graph = parse_tflite(data)
    assert [op.kind for op in graph.ops] == ["GATHER"]
    assert [graph.tensors[t].dtype for t in graph.inputs] == ["int8", "int32"]
    rng = np.random.default_rng(4)
    _verify(data, [[rng.integers(-128, 128, (1, 5, 3), dtype=np.int8),
                    rng.integers(0, 5, (2, 2), dtype=np.int32)] for _ in range(8)])


def test_embedding_table_in_flash() -> None:
    data = _embedding_model()
    graph = parse_tflite(data)
    assert [op.kind for op in graph.ops] == ["GATHER"]
    assert graph.tensors[graph.ops[0].inputs[0]].is_constant
    rng = np.random.default_rng(5)
    _verify(data, [[rng.integers(0, 6, (3,), dtype=np.int32)] for _ in range(8)] +
            [[np.array([5, 5, 0], np.int32)]])


def test_index_outside_the_axis_at_run_time_gives_zero_point(tmp_path: Path) -> None:
    from tinygen.reference.interpreter import run_reference
    from tinygen.verify.c_model import CModel

    model = compile_graph(parse_tflite(_runtime_model()), "gather")
    graph = model.graph
    zero = graph.tensors[graph.outputs[0]].quant.zero_point0
    x = np.arange(-60, -45, dtype=np.int8).reshape(1, 5, 3)
    indices = np.array([[4, -1], [5, 1 << 30]], np.int32)
    expected = np.full((1, 2, 2, 3), zero, np.int8)
    expected[0, 0, 0] = x[0, 4]
    c_out = CModel(model, tmp_path).invoke([x, indices])[0]
    assert np.array_equal(c_out, expected)
    reference = run_reference(graph, model.calls, [x, indices])[graph.outputs[0]]
    assert np.array_equal(reference, expected)


# -- refusals ------------------------------------------------------------------------------

def _refused(graph: Graph, *words: str) -> None:
    with pytest.raises(TinygenError) as caught:
        lower_graph(graph)
    message = str(caught.value)
    assert message.startswith("operator 0 ("), message
    for word in words:
        assert word in message, message


def _parsed(fn: Callable[[Any], Any], shape: tuple[int, ...], kind: str) -> Graph:
    graph = parse_tflite(tf_models.convert(fn, shape))
    assert [op.kind for op in graph.ops] == [kind]
    return graph


def _set_constant(graph: Graph, k: int, values: Any) -> None:
    t = graph.ops[0].inputs[k]
    data = np.asarray(values, dtype=graph.tensors[t].data.dtype)
    graph.tensors[t] = dataclasses.replace(graph.tensors[t], data=data, shape=data.shape)


def test_refusals() -> None:
    tf = _tf()
    graph = _parsed(lambda x: tf.transpose(x, [0, 2, 1]), (1, 4, 6), "TRANSPOSE")
    y = graph.ops[0].outputs[0]
    q = graph.tensors[y].quant
    graph.tensors[y] = dataclasses.replace(
        graph.tensors[y], quant=Quantization(q.scale * 2, q.zero_point, q.axis))
    _refused(graph, "TRANSPOSE", "must share their quantization")
    graph = _parsed(lambda x: tf.transpose(x, [0, 2, 1]), (1, 4, 6), "TRANSPOSE")
    _set_constant(graph, 1, [0, 2, 2])
    _refused(graph, "is not a permutation")

    graph = _parsed(lambda x: x[:, 1:3, ::2], (1, 4, 6), "STRIDED_SLICE")
    graph.ops[0].attrs["ellipsis_mask"] = 2
    _refused(graph, "STRIDED_SLICE", "ellipsis_mask 2 is not supported")
    graph = _parsed(lambda x: x[:, 1:3, ::2], (1, 4, 6), "STRIDED_SLICE")
    _set_constant(graph, 3, [1, 0, 2])
    _refused(graph, "hold a 0")
    graph = _parsed(lambda x: x[:, 2, 1:], (1, 4, 6), "STRIDED_SLICE")
    _set_constant(graph, 3, [1, -1, 1])  # TensorFlow Lite's loop then writes nothing
    _refused(graph, "dimension 1 keeps no element")
    graph = _parsed(lambda x: x[:, 1:3, ::2], (1, 4, 6), "STRIDED_SLICE")
    graph.tensors[graph.ops[0].inputs[1]].data = None  # computed at run time
    _refused(graph, "begin indices are computed at run time")

    graph = _parsed(lambda x: tf.slice(x, [0, 1, 2], [1, 2, 3]), (1, 4, 6), "SLICE")
    _set_constant(graph, 1, [0, 3, 2])
    _refused(graph, "SLICE", "dimension 1: begin 3 and size 2 do not lie inside")

    graph = _parsed(lambda x: tf.pad(x, [[0, 0], [1, 1], [0, 0]], mode="REFLECT"), (1, 4, 6),
                    "MIRROR_PAD")
    _set_constant(graph, 1, [[0, 0], [4, 0], [0, 0]])
    _refused(graph, "MIRROR_PAD", "cannot be REFLECT padded by (4, 0): at most 3")

    graph = _parsed(lambda x: tf.gather(x, [2, 0], axis=1), (1, 4, 6), "GATHER")
    _set_constant(graph, 1, [2, 4])
    _refused(graph, "GATHER", "the index 4 lies outside the 4 elements of axis 1")

    graph = parse_tflite(_runtime_model())
    t = graph.ops[0].inputs[1]
    graph.tensors[t] = dataclasses.replace(graph.tensors[t], dtype="int64")
    _refused(graph, "GATHER", "int64 computed at run time")


def test_library_builds_as_strict_c99_and_cxx(tmp_path: Path) -> None:
    from library_build import STRICT_C, STRICT_CXX, compile_objects

    from tinygen.package.folder import write_library

    for name, data in (("runtime", _runtime_model()), ("constant", _model("batch_dims"))):
        write_library(compile_graph(parse_tflite(data), "gather"), tmp_path / name)
        compile_objects(tmp_path / name, STRICT_C, tmp_path / f"{name}_c")
        compile_objects(tmp_path / name, STRICT_CXX, tmp_path / f"{name}_cxx")


def test_kernels_are_sanitizer_clean(tmp_path: Path) -> None:
    """Under AddressSanitizer and UndefinedBehaviorSanitizer, with the guard bytes around the
    arena: run-time indices inside and far outside the axis, and every view kernel."""
    from sanitizer_build import build, model_input_bytes, model_outputs, run, write_model_program

    from tinygen.reference.interpreter import run_reference

    rng = np.random.default_rng(6)
    runtime = [[rng.integers(-128, 128, (1, 5, 3), dtype=np.int8),
                rng.integers(-(1 << 31), 1 << 31, (2, 2), dtype=np.int64).astype(np.int32)]
               for _ in range(2)]
    runtime += [[runtime[0][0], np.array([[0, 4], [-1, 5]], np.int32)]]
    views = [[rng.integers(-128, 128, (1, 3, 4, 2), dtype=np.int8)] for _ in range(3)]
    for name, data, input_sets in (("gather", _runtime_model(), runtime),
                                   ("movement", all_kernels_model(), views)):
        model = compile_graph(parse_tflite(data), name)
        sources, includes = write_model_program(model, tmp_path / name)
        exe = build(sources, includes, tmp_path / name / "program",
                    [f"{name.upper()}_ARENA_GUARD"])
        result = run(exe, b"".join(model_input_bytes(x) for x in input_sets))
        assert result.clean, result.stderr[-3000:]
        outputs = model_outputs(model, result.stdout, len(input_sets))
        for inputs, got in zip(input_sets, outputs, strict=True):
            expected = run_reference(model.graph, model.calls, inputs)
            for t, value in zip(model.graph.outputs, got, strict=True):
                assert np.array_equal(value, expected[t]), name
