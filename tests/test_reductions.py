"""SUM, REDUCE_MAX, REDUCE_MIN, ARG_MAX, ARG_MIN and L2_NORMALIZATION on int8 tensors, on
models made with TensorFlow's converter: axes of 1-D to 6-D tensors (negative, repeated,
all of them, keep_dims or not), int32 and int64 indices (also as an intermediate through a
reshape, and next to an int8 output), ties, and rows of one element.

Each model goes through ``tinygen verify``. Where both interpreters run it, every output
byte must equal TFLite Micro's and TensorFlow Lite's; TFLite Micro computes no int64
indices, so those are judged against TensorFlow Lite; TensorFlow Lite's reference SUM reads
int8 as uint8 (tensorflow/tensorflow#102490), so SUM is judged against TFLite Micro."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tf_models
from op_harness import assert_verified

from tinygen.cli import main
from tinygen.compiler import compile_graph
from tinygen.errors import TinygenError
from tinygen.frontend.tflite import parse_tflite
from tinygen.ir import Graph, Quantization
from tinygen.lowering.arg_minmax import lower_arg_minmax
from tinygen.lowering.reduce import lower_sum
from tinygen.memory.planner import MemoryOptions


def _tf() -> Any:
    import tensorflow as tf

    return tf


def _relu(x: Any) -> Any:
    return _tf().nn.relu(x)


def _sum(axis: Any, keep: bool = False, pre: Callable[[Any], Any] = lambda x: x) -> Callable:
    return lambda x: _tf().reduce_sum(pre(x), axis=axis, keepdims=keep)


def _max(axis: Any, keep: bool = False) -> Callable:
    return lambda x: _tf().reduce_max(x, axis=axis, keepdims=keep)


def _min(axis: Any, keep: bool = False) -> Callable:
    return lambda x: _tf().reduce_min(x, axis=axis, keepdims=keep)


def _argmax(axis: int, wide: bool = False, pre: Callable[[Any], Any] = lambda x: x) -> Callable:
    tf = _tf()
    kind = tf.int64 if wide else tf.int32
    return lambda x: tf.argmax(pre(x), axis=axis, output_type=kind)


def _argmin(axis: int, wide: bool = False) -> Callable:
    tf = _tf()
    return lambda x: tf.argmin(x, axis=axis, output_type=tf.int64 if wide else tf.int32)


def _l2(pre: Callable[[Any], Any] = lambda x: x) -> Callable:
    return lambda x: _tf().math.l2_normalize(pre(x), axis=-1)


BOTH, TFLITE, TFLM = "both", "TensorFlow Lite", "TFLite Micro"
#: name → (model, input shape, operator, C function, who judges)
CASES: dict[str, tuple[Callable, tuple[int, ...], str, str, str]] = {
    "sum_2d": (_sum([1]), (3, 7), "SUM", "tg_mean_s8", TFLM),
    "sum_3d_last_keep": (_sum([-1], keep=True), (2, 5, 4), "SUM", "tg_mean_s8", TFLM),
    "sum_4d_spatial": (_sum([1, 2]), (1, 4, 4, 3), "SUM", "tg_mean_s8", TFLM),
    "sum_5d_three_axes": (_sum([0, 2, -1]), (2, 3, 2, 2, 3), "SUM", "tg_mean_s8", TFLM),
    "sum_all": (_sum(None), (2, 3, 4), "SUM", "tg_mean_s8", TFLM),
    "sum_after_relu": (_sum([1], pre=_relu), (1, 6, 4), "SUM", "tg_mean_s8", TFLM),
    "max_2d_first": (_max([0]), (5, 3), "REDUCE_MAX", "tg_reduce_minmax_s8", BOTH),
    "max_4d_spatial_keep": (_max([1, 2], keep=True), (1, 4, 5, 3), "REDUCE_MAX",
                            "tg_reduce_minmax_s8", BOTH),
    "max_repeated_axis": (_max([-1, 2], keep=True), (2, 3, 4), "REDUCE_MAX",
                          "tg_reduce_minmax_s8", BOTH),
    "max_6d": (_max([1, 4]), (1, 2, 3, 2, 3, 2), "REDUCE_MAX", "tg_reduce_minmax_s8", BOTH),
    "min_3d_two_axes": (_min([-1, 0]), (3, 4, 5), "REDUCE_MIN", "tg_reduce_minmax_s8", BOTH),
    "min_1d": (_min([0], keep=True), (9,), "REDUCE_MIN", "tg_reduce_minmax_s8", BOTH),
    "argmax_2d_last": (_argmax(-1), (4, 7), "ARG_MAX", "tg_arg_minmax_s8", BOTH),
    "argmax_4d_channels": (_argmax(3), (1, 3, 3, 6), "ARG_MAX", "tg_arg_minmax_s8", BOTH),
    "argmax_5d_first": (_argmax(0), (3, 2, 2, 1, 2), "ARG_MAX", "tg_arg_minmax_s8", BOTH),
    "argmax_ties_after_relu": (_argmax(1, pre=_relu), (2, 6, 3), "ARG_MAX",
                               "tg_arg_minmax_s8", BOTH),
    "argmin_3d_middle": (_argmin(1), (2, 5, 3), "ARG_MIN", "tg_arg_minmax_s8", BOTH),
    "argmax_int64": (_argmax(-1, wide=True), (2, 7), "ARG_MAX", "tg_arg_minmax_s8", TFLITE),
    "argmin_int64": (_argmin(0, wide=True), (4, 3), "ARG_MIN", "tg_arg_minmax_s8", TFLITE),
    "l2_2d": (_l2(), (3, 8), "L2_NORMALIZATION", "tg_l2_normalization_s8", BOTH),
    "l2_4d": (_l2(), (1, 3, 3, 5), "L2_NORMALIZATION", "tg_l2_normalization_s8", BOTH),
    "l2_after_relu": (_l2(_relu), (2, 4, 6), "L2_NORMALIZATION", "tg_l2_normalization_s8",
                      BOTH),
    "l2_rows_of_one": (_l2(), (6, 1), "L2_NORMALIZATION", "tg_l2_normalization_s8", BOTH),
    # sums of squares beyond 2**29 (all 127 after the RELU's zero point -128), where the
    # inverse square root scales its input down
    "l2_long_rows": (_l2(_relu), (2, 9000), "L2_NORMALIZATION", "tg_l2_normalization_s8",
                     BOTH),
}


@cache
def _model(name: str) -> bytes:
    fn, shape, *_ = CASES[name]
    return bytes(tf_models.convert(fn, shape, seed=len(name)))


@cache
def _converted(key: str) -> bytes:
    """Models for the tests after the per-case ones."""
    tf = _tf()
    models: dict[str, tuple[Callable, tuple[int, ...]]] = {
        # int32 and int64 indices as intermediates (ARG_MAX then RESHAPE), and an index
        # output next to an int8 one
        "indices_reshaped": (
            lambda x: tf.reshape(tf.argmax(tf.nn.relu(x), axis=-1, output_type=tf.int32), (-1,)),
            (2, 3, 7)),
        "wide_indices_reshaped": (
            lambda x: tf.reshape(tf.argmax(tf.nn.relu(x), axis=-1), (-1,)), (2, 3, 7)),
        "index_and_value": (
            lambda x: (tf.argmax(x, axis=1, output_type=tf.int32), tf.reduce_max(x, axis=1)),
            (3, 5)),
    }
    fn, shape = models[key]
    return bytes(tf_models.convert(fn, shape, seed=3))


def _assert_judged(data: bytes, path: Path, capsys: pytest.CaptureFixture[str],
                   judge: str) -> None:
    if judge == BOTH:
        assert_verified(data, path, capsys, runs=10, seed=1)
        return
    path.write_bytes(data)
    capsys.readouterr()
    assert main(["verify", str(path), "--runs", "10", "--seed", "1"]) == 0
    captured = capsys.readouterr()
    assert f"every output byte equal to {judge}'s" in captured.out, captured
    if judge == TFLITE:  # no int64 indices in TFLite Micro
        assert "TFLite Micro cannot run this model" in captured.err, captured.err
    else:
        assert "tinygen follows TFLite Micro" in captured.err, captured.err
        assert "tensorflow/tensorflow#102490" in captured.err, captured.err


@pytest.mark.parametrize("name", CASES)
def test_byte_exact_with_the_interpreters(name: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    _, _, kind, function, judge = CASES[name]
    data = _model(name)
    graph = parse_tflite(data, name)
    assert kind in {op.kind for op in graph.ops}, [op.kind for op in graph.ops]
    model = compile_graph(graph, "reduction")
    assert f"{function}(&" in model.sources.sources["reduction.c"]
    _assert_judged(data, tmp_path / f"{name}.tflite", capsys, judge)


@pytest.mark.parametrize(("key", "judge"), [("indices_reshaped", BOTH),
                                            ("wide_indices_reshaped", TFLITE),
                                            ("index_and_value", BOTH)])
def test_index_tensors_as_intermediates_and_outputs(key: str, judge: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    data = _converted(key)
    model = compile_graph(parse_tflite(data), "indices")
    dtypes = {model.graph.tensors[t].dtype for t in model.graph.outputs}
    assert dtypes & {"int32", "int64"}, dtypes
    _assert_judged(data, tmp_path / f"{key}.tflite", capsys, judge)


def test_int64_indices_start_on_8_bytes_with_alignment_4() -> None:
    data = _converted("wide_indices_reshaped")
    model = compile_graph(parse_tflite(data), "wide", MemoryOptions(alignment=4))
    wide = [t for t in model.plan.offsets if model.graph.tensors[t].dtype == "int64"]
    assert wide and all(model.plan.offsets[t] % 8 == 0 for t in wide), model.plan.offsets
    assert model.plan.alignment == 8
    header = model.sources.header
    assert "int64_t [6]" in header and "WIDE_OUTPUT0_BYTES 48" in header, header


def _graph(name: str) -> Graph:
    return parse_tflite(_model(name), name)


def _requantized(graph: Graph, tensor: int, scale: float, zero_point: int = 0) -> None:
    graph.tensors[tensor].quant = Quantization(np.array([scale], np.float32),
                                               np.array([zero_point], np.int64))


def _op(graph: Graph, kind: str) -> tuple[int, Any]:
    return next((i, op) for i, op in enumerate(graph.ops) if op.kind == kind)


def test_reduce_max_needs_one_quantization() -> None:
    graph = _graph("max_2d_first")
    _, op = _op(graph, "REDUCE_MAX")
    _requantized(graph, op.outputs[0], 0.5, 3)
    with pytest.raises(TinygenError, match=r"operator \d+ \(REDUCE_MAX\).*must share their "
                                           "quantization"):
        compile_graph(graph, "bad")


def test_l2_normalization_refusals() -> None:
    graph = _graph("l2_2d")
    _, op = _op(graph, "L2_NORMALIZATION")
    _requantized(graph, op.outputs[0], 1 / 64)
    with pytest.raises(TinygenError, match=r"\(L2_NORMALIZATION\).*scale 1/128"):
        compile_graph(graph, "bad")
    graph = _graph("l2_2d")
    _, op = _op(graph, "L2_NORMALIZATION")
    op.attrs["activation"] = "RELU"
    with pytest.raises(TinygenError, match="fused activation RELU is not supported"):
        compile_graph(graph, "bad")
    graph = _graph("l2_2d")
    _, op = _op(graph, "L2_NORMALIZATION")
    for t in (op.inputs[0], op.outputs[0]):
        graph.tensors[t].shape = (1, 1, 1, 3, 8)
    with pytest.raises(TinygenError, match="1 to 4 dimensions"):
        compile_graph(graph, "bad")


def test_arg_minmax_refusals() -> None:
    graph = _graph("argmax_2d_last")
    i, op = _op(graph, "ARG_MAX")
    graph.tensors[op.inputs[1]].data = None
    with pytest.raises(TinygenError, match=r"operator \d+ \(ARG_MAX\): the axis is computed"):
        lower_arg_minmax(graph, i, op)
    graph = _graph("argmax_2d_last")
    i, op = _op(graph, "ARG_MAX")
    op.attrs["output_type"] = "int64"
    with pytest.raises(TinygenError, match="ask for int64 indices, but the output"):
        lower_arg_minmax(graph, i, op)
    graph = _graph("argmax_2d_last")
    i, op = _op(graph, "ARG_MAX")
    graph.tensors[op.inputs[1]].data = np.array(2, np.int32)
    with pytest.raises(TinygenError, match="axis 2 does not lie in the input's 2 dimensions"):
        lower_arg_minmax(graph, i, op)


def test_sum_refuses_a_sum_that_could_overflow() -> None:
    graph = _graph("sum_2d")
    i, op = _op(graph, "SUM")
    graph.tensors[op.inputs[0]].shape = (3, 9_000_000)
    with pytest.raises(TinygenError, match=r"\(SUM\): a sum over 9,000,000 elements would "
                                           "overflow"):
        lower_sum(graph, i, op)


def test_library_builds_as_strict_c99_and_cxx(tmp_path: Path) -> None:
    from library_build import STRICT_C, STRICT_CXX, compile_objects

    from tinygen.package.folder import write_library

    for name in ("sum_4d_spatial", "max_6d", "argmax_int64", "argmin_3d_middle", "l2_4d"):
        write_library(compile_graph(parse_tflite(_model(name)), "reduction"), tmp_path / name)
        compile_objects(tmp_path / name, STRICT_C, tmp_path / f"{name}_c")
        compile_objects(tmp_path / name, STRICT_CXX, tmp_path / f"{name}_cxx")
