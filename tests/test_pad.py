"""PAD and PADV2 (constant padding) on int8 tensors, byte-exact with TFLite Micro and
TensorFlow Lite on models made with TensorFlow's converter: 2-D to 5-D, padding of every
dimension but the batch, ZeroPadding2D as Keras writes it, PADV2 constants inside and
outside the input's range."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import tf_models
from op_harness import assert_verified

from tinygen.cli import main
from tinygen.compiler import compile_graph
from tinygen.frontend.tflite import parse_tflite


def _tf() -> Any:
    import tensorflow as tf

    return tf


def _pad(pads: list[list[int]], value: float | None = None) -> Callable[[Any], Any]:
    def fn(x: Any) -> Any:
        tf = _tf()
        y = tf.pad(x, pads) if value is None else tf.pad(x, pads, constant_values=value)
        return tf.nn.relu(y) if value is None else y

    return fn


CASES: dict[str, tuple[Callable[[Any], Any], tuple[int, ...], str]] = {
    "hw": (_pad([[0, 0], [1, 2], [0, 1], [0, 0]]), (1, 4, 5, 3), "PAD"),
    "channels": (_pad([[0, 0], [0, 0], [0, 0], [2, 3]]), (1, 3, 3, 4), "PAD"),
    "rows_1d": (_pad([[0, 0], [3, 1], [0, 0]]), (1, 10, 6), "PAD"),
    "dense_2d": (_pad([[0, 0], [1, 4]]), (1, 7), "PAD"),
    "five_d": (_pad([[0, 0], [1, 0], [0, 1], [1, 1], [0, 2]]), (1, 2, 3, 2, 3), "PAD"),
    "v2_inside": (_pad([[0, 0], [1, 1], [2, 0], [0, 0]], 0.7), (1, 3, 3, 2), "PADV2"),
    "v2_outside": (_pad([[0, 0], [2, 2], [1, 1], [0, 0]], 9.0), (1, 3, 4, 2), "PADV2"),
}


@cache
def _model(name: str) -> bytes:
    fn, shape, _ = CASES[name]
    return bytes(tf_models.convert(fn, shape, seed=len(name)))


def _zero_padding_keras() -> bytes:
    import keras_models

    tf = _tf()
    layers = tf.keras.layers
    tf.keras.utils.set_random_seed(3)
    model = tf.keras.Sequential([layers.Input((8, 8, 3)), layers.ZeroPadding2D(((1, 0), (2, 1))),
                                 layers.Conv2D(4, 3, strides=2), layers.ReLU()])
    return keras_models.convert(model, (8, 8, 3))


@pytest.mark.parametrize("name", [*CASES, "keras_zero_padding"])
def test_byte_exact_with_both_interpreters(name: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    data = _zero_padding_keras() if name == "keras_zero_padding" else _model(name)
    kind = "PAD" if name == "keras_zero_padding" else CASES[name][2]
    graph = parse_tflite(data, name)
    assert kind in {op.kind for op in graph.ops}  # the converter kept it
    model = compile_graph(graph, "padded")
    assert "tg_pad_s8.c" in model.sources.sources
    assert "tg_pad_s8(&" in model.sources.sources["padded.c"]
    assert_verified(data, tmp_path / f"{name}.tflite", capsys, runs=12, seed=5)


def test_padded_output_never_shares_the_input() -> None:
    model = compile_graph(parse_tflite(_model("hw")), "padded")
    plan = model.plan
    for step, call in enumerate(model.calls):
        if call.kernel == "pad_s8":
            assert step not in plan.aliased_ops + plan.in_place_ops + plan.overlapped_ops
            (x,), (y,) = call.inputs, call.outputs
            tensors = model.graph.tensors
            assert (plan.offsets[x] + tensors[x].nbytes <= plan.offsets[y]
                    or plan.offsets[y] + tensors[y].nbytes <= plan.offsets[x])


def test_library_builds_as_strict_c99_and_cxx(tmp_path: Path) -> None:
    from library_build import STRICT_C, STRICT_CXX, compile_objects

    from tinygen.package.folder import write_library

    write_library(compile_graph(parse_tflite(_model("five_d")), "padded"), tmp_path / "lib")
    assert (tmp_path / "lib" / "src" / "tg_pad_s8.c").is_file()
    compile_objects(tmp_path / "lib", STRICT_C, tmp_path / "c")
    compile_objects(tmp_path / "lib", STRICT_CXX, tmp_path / "cxx")


def test_quantization_must_be_shared() -> None:
    import dataclasses

    from tinygen.errors import TinygenError
    from tinygen.lowering import lower_graph
    from tinygen.passes.canonicalize import canonicalize

    graph, _ = canonicalize(parse_tflite(_model("dense_2d")))
    pad = next(op for op in graph.ops if op.kind == "PAD")
    out = graph.tensors[pad.outputs[0]]
    tensors = list(graph.tensors)
    tensors[pad.outputs[0]] = dataclasses.replace(
        out, quant=dataclasses.replace(out.quant, zero_point=out.quant.zero_point + 1))
    with pytest.raises(TinygenError, match=r"\(PAD\): the input .* must share their quantization"):
        lower_graph(dataclasses.replace(graph, tensors=tensors))


def test_tinygen_quantizes_pad(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import numpy as np
    from quantize_harness import _float_tflite

    tf = _tf()
    layers = tf.keras.layers
    tf.keras.utils.set_random_seed(4)
    keras = tf.keras.Sequential([layers.Input((8, 8, 3), batch_size=1),
                                 layers.ZeroPadding2D(((1, 2), (0, 1))),
                                 layers.Conv2D(4, 3, activation="relu")])
    float_model = tmp_path / "float.tflite"
    float_model.write_bytes(_float_tflite(keras))
    np.save(tmp_path / "cal.npy", np.random.default_rng(0).normal(size=(20, 8, 8, 3))
            .astype(np.float32))
    int8 = tmp_path / "int8.tflite"
    assert main(["quantize", str(float_model), "--calibration", str(tmp_path / "cal.npy"),
                 "-o", str(int8)]) == 0
    graph = parse_tflite(int8.read_bytes())
    pad = next(op for op in graph.ops if op.kind == "PAD")
    x, y = (graph.tensors[t].quant for t in (pad.inputs[0], pad.outputs[0]))
    assert (x.scale0, x.zero_point0) == (y.scale0, y.zero_point0)
    capsys.readouterr()
    assert main(["verify", str(int8), "--runs", "8"]) == 0
    assert "every output byte equal" in capsys.readouterr().out
