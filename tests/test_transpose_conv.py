"""TRANSPOSE_CONV on int8 tensors, byte-exact with TFLite Micro and TensorFlow Lite on models
made with TensorFlow's converter: Keras Conv2DTranspose with and without bias, SAME and
VALID, square and unequal strides and windows, strides wider than the window, output
padding, a fused ReLU / ReLU6 and a ReLU layer after an unbiased layer, per-tensor weights,
and tf.nn.conv2d_transpose with two batches and output sizes SAME / VALID do not fix."""

from __future__ import annotations

import dataclasses
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
from tinygen.ir import Graph, Quantization
from tinygen.lowering.transpose_conv import lower_transpose_conv


def _tf() -> Any:
    import tensorflow as tf

    return tf


def _keras(layer: Callable[[Any], Any], shape: tuple[int, ...], per_channel: bool = True,
           relu_layer: bool = False) -> bytes:
    """One Keras layer (then a ReLU layer if asked) on a batch-1 input, full int8."""
    tf = _tf()
    import keras_models

    tf.keras.utils.set_random_seed(7)
    layers = [layer(tf.keras.layers)] + ([tf.keras.layers.ReLU()] if relu_layer else [])
    model = tf.keras.Sequential([tf.keras.layers.Input(shape, batch_size=1), *layers])
    if per_channel:
        return keras_models.convert(model, shape)
    rng = np.random.default_rng(0)
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: (
        [rng.uniform(-1, 1, (1, *shape)).astype(np.float32)] for _ in range(16))
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    converter._experimental_disable_per_channel = True
    return bytes(converter.convert())


def _bias() -> Any:
    return _tf().keras.initializers.RandomUniform(-0.5, 0.5)


def _tconv(filters: int, kernel: Any, strides: Any, padding: str, **kw: Any) -> Callable:
    if kw.pop("bias", True):
        kw["bias_initializer"] = _bias()
    else:
        kw["use_bias"] = False
    return lambda L: L.Conv2DTranspose(filters, kernel, strides=strides, padding=padding, **kw)


def _nn(in_shape: tuple[int, ...], filt: tuple[int, ...], out_shape: tuple[int, ...],
        stride: int, padding: str) -> bytes:
    """tf.nn.conv2d_transpose with weights [kh, kw, out_c, in_c] and an explicit output shape."""
    tf = _tf()
    w = tf.constant((np.random.default_rng(3).normal(size=filt) * 0.4).astype(np.float32))
    return bytes(tf_models.convert(
        lambda x: tf.nn.conv2d_transpose(x, w, out_shape, stride, padding), in_shape, seed=1))


#: name -> (model, whether the operator has a bias, its fused activation).
CASES: dict[str, tuple[Callable[[], bytes], bool, str]] = {
    "same_bias": (lambda: _keras(_tconv(4, 3, 2, "same"), (5, 5, 3)), True, "NONE"),
    "valid_no_bias": (lambda: _keras(_tconv(4, 3, 2, "valid", bias=False), (5, 5, 3)),
                      False, "NONE"),
    "relu_fused": (lambda: _keras(_tconv(4, 3, 2, "same", activation="relu"), (5, 5, 3)),
                   True, "RELU"),
    "relu6_fused": (lambda: _keras(_tconv(4, 4, 2, "same", activation="relu6"), (3, 3, 3)),
                    True, "RELU6"),
    "relu_layer_no_bias": (lambda: _keras(_tconv(4, 3, 2, "same", bias=False), (5, 5, 3),
                                          relu_layer=True), False, "NONE"),
    "stride1_window_2x3": (lambda: _keras(_tconv(5, (2, 3), 1, "same"), (4, 6, 2)),
                           True, "NONE"),
    "strides_2x3_window_3x2": (lambda: _keras(_tconv(3, (3, 2), (2, 3), "same",
                                                     activation="relu"), (4, 3, 3)),
                               True, "RELU"),
    "stride_wider_than_window": (lambda: _keras(_tconv(2, 2, 3, "valid"), (3, 3, 4)),
                                 True, "NONE"),
    "output_padding": (lambda: _keras(_tconv(3, 3, 2, "same", output_padding=1), (4, 4, 2)),
                       True, "NONE"),
    "per_tensor_weights": (lambda: _keras(_tconv(4, 3, 2, "same"), (5, 5, 3),
                                          per_channel=False), True, "NONE"),
    "two_batches": (lambda: _nn((2, 5, 5, 3), (3, 3, 4, 3), (2, 9, 9, 4), 2, "SAME"),
                    False, "NONE"),
    "same_odd_output": (lambda: _nn((1, 5, 5, 3), (3, 3, 4, 3), (1, 10, 9, 4), 2, "SAME"),
                        False, "NONE"),
    "valid_larger_output": (lambda: _nn((1, 4, 4, 3), (3, 3, 2, 3), (1, 10, 10, 2), 2,
                                        "VALID"), False, "NONE"),
    "valid_window_5": (lambda: _nn((1, 4, 4, 3), (5, 5, 2, 3), (1, 12, 12, 2), 2, "VALID"),
                       False, "NONE"),
}


@cache
def _model(name: str) -> bytes:
    return CASES[name][0]()


def _transpose_conv(graph: Graph) -> tuple[int, Any]:
    found = [(i, op) for i, op in enumerate(graph.ops) if op.kind == "TRANSPOSE_CONV"]
    assert len(found) == 1, [op.kind for op in graph.ops]
    return found[0]


@pytest.mark.parametrize("name", CASES)
def test_byte_exact_with_both_interpreters(name: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    data = _model(name)
    _, biased, activation = CASES[name]
    graph = parse_tflite(data, name)
    _, op = _transpose_conv(graph)
    assert (len(op.inputs) == 4) == biased
    assert op.attrs["activation"] == activation
    model = compile_graph(graph, "tconv")
    source = model.sources.sources["tconv.c"]
    assert "tg_transpose_conv_s8(&" in source
    if name == "relu_layer_no_bias":
        assert [o.kind for o in graph.ops] == ["TRANSPOSE_CONV", "RELU"]
    assert_verified(data, tmp_path / f"{name}.tflite", capsys, runs=12, seed=3)


def test_output_never_overlaps_input() -> None:
    model = compile_graph(parse_tflite(_model("same_bias")), "tconv")
    index, op = _transpose_conv(model.graph)
    x, y = model.graph.tensors[op.inputs[2]], model.graph.tensors[op.outputs[0]]
    xs, ys = model.plan.offsets[op.inputs[2]], model.plan.offsets[op.outputs[0]]
    assert xs + x.nbytes <= ys or ys + y.nbytes <= xs
    assert model.calls[index].kernel == "transpose_conv_s8"


def test_report_counts_its_macs() -> None:
    """Every input pixel meets every tap once: in_pixels x in_c x out_c x taps MACs."""
    from tinygen.report.operators import macs

    model = compile_graph(parse_tflite(_model("same_bias")), "tconv")
    index, op = _transpose_conv(model.graph)
    x, w = model.graph.tensors[op.inputs[2]], model.graph.tensors[op.inputs[1]]
    out_c, kh, kw, in_c = w.shape
    assert macs(model.calls[index]) == int(np.prod(x.shape[:3])) * in_c * out_c * kh * kw > 0


def _refusal(change: Callable[[Graph, Any], None]) -> str:
    graph = parse_tflite(_model("same_bias"))
    index, op = _transpose_conv(graph)
    change(graph, op)
    with pytest.raises(TinygenError) as caught:
        lower_transpose_conv(graph, index, op)
    message = str(caught.value)
    assert message.startswith(f"operator {index} (TRANSPOSE_CONV): "), message
    return message


def _set_data(graph: Graph, t: int, data: np.ndarray) -> None:
    graph.tensors[t] = dataclasses.replace(graph.tensors[t], data=data, shape=data.shape)


def test_refusals_name_the_operator() -> None:
    assert "fused activation TANH" in _refusal(lambda g, op: op.attrs.update(activation="TANH"))
    assert "padding" in _refusal(lambda g, op: op.attrs.update(padding="EXPLICIT"))
    assert "is not the output" in _refusal(
        lambda g, op: _set_data(g, op.inputs[0], np.array([1, 11, 10, 4], np.int32)))
    assert "biases for 4 output channels" in _refusal(
        lambda g, op: _set_data(g, op.inputs[3], np.zeros(3, np.int32)))

    def zero_point(graph: Graph, op: Any) -> None:
        w = graph.tensors[op.inputs[1]]
        q = Quantization(w.quant.scale, np.ones_like(w.quant.zero_point), w.quant.axis)
        graph.tensors[op.inputs[1]] = dataclasses.replace(w, quant=q)

    assert "zero point 0" in _refusal(zero_point)


def test_library_builds_as_strict_c99_and_cxx(tmp_path: Path) -> None:
    from library_build import STRICT_C, STRICT_CXX, compile_objects

    from tinygen.package.folder import write_library

    for name in ("relu_fused", "two_batches"):
        write_library(compile_graph(parse_tflite(_model(name)), "tconv"), tmp_path / name)
        compile_objects(tmp_path / name, STRICT_C, tmp_path / f"{name}_c")
        compile_objects(tmp_path / name, STRICT_CXX, tmp_path / f"{name}_cxx")
