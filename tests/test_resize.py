"""RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR on int8 tensors, byte-exact with TFLite Micro
and TensorFlow Lite on models made with TensorFlow's converter: Keras UpSampling2D
(bilinear) and Resizing, tf.image.resize (half-pixel centres), TensorFlow 1's resize
functions with and without align_corners, up and down, unequal factors, two batches, a
one-row input. Keras UpSampling2D's nearest mode converts to RESHAPE and TILE, not to
RESIZE_NEAREST_NEIGHBOR."""

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
from tinygen.lowering.resize import (
    ONE,
    bilinear_table,
    lower_resize_bilinear,
    lower_resize_nearest,
    nearest_table,
)

BILINEAR, NEAREST = "RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR"


def _tf() -> Any:
    import tensorflow as tf

    return tf


def _keras(layer: Callable[[Any], Any], shape: tuple[int, ...]) -> bytes:
    tf = _tf()
    import keras_models

    model = tf.keras.Sequential([tf.keras.layers.Input(shape, batch_size=1),
                                 layer(tf.keras.layers)])
    return keras_models.convert(model, shape)


def _fn(fn: Callable[[Any], Any], shape: tuple[int, ...]) -> bytes:
    return bytes(tf_models.convert(fn, shape, seed=3))


def _v1(name: str, size: tuple[int, int], **kw: Any) -> Callable[[Any], Any]:
    return lambda x: getattr(_tf().compat.v1.image, name)(x, size, **kw)


def _v2(size: tuple[int, int], method: str = "bilinear") -> Callable[[Any], Any]:
    return lambda x: _tf().image.resize(x, size, method=method)


#: name -> (model, operator kind, align_corners, half_pixel_centers).
CASES: dict[str, tuple[Callable[[], bytes], str, bool, bool]] = {
    "upsampling2d_bilinear": (
        lambda: _keras(lambda L: L.UpSampling2D(2, interpolation="bilinear"), (4, 4, 3)),
        BILINEAR, False, True),
    "upsampling2d_bilinear_2x3": (
        lambda: _keras(lambda L: L.UpSampling2D((2, 3), interpolation="bilinear"), (3, 4, 2)),
        BILINEAR, False, True),
    "keras_resizing_bilinear": (
        lambda: _keras(lambda L: L.Resizing(7, 9), (4, 5, 3)), BILINEAR, False, True),
    "image_resize_bilinear_down": (
        lambda: _fn(_v2((3, 2)), (2, 7, 5, 3)), BILINEAR, False, True),
    "v1_bilinear": (lambda: _fn(_v1("resize_bilinear", (7, 9)), (1, 4, 5, 3)),
                    BILINEAR, False, False),
    "v1_bilinear_align_corners": (
        lambda: _fn(_v1("resize_bilinear", (7, 9), align_corners=True), (1, 4, 5, 3)),
        BILINEAR, True, False),
    "v1_bilinear_one_row": (lambda: _fn(_v1("resize_bilinear", (6, 3)), (1, 1, 2, 2)),
                            BILINEAR, False, False),
    "keras_resizing_nearest": (
        lambda: _keras(lambda L: L.Resizing(7, 9, interpolation="nearest"), (4, 5, 3)),
        NEAREST, False, True),
    "image_resize_nearest_down": (
        lambda: _fn(_v2((3, 2), "nearest"), (2, 7, 5, 3)), NEAREST, False, True),
    "v1_nearest": (lambda: _fn(_v1("resize_nearest_neighbor", (8, 15)), (1, 4, 5, 3)),
                   NEAREST, False, False),
    "v1_nearest_align_corners": (
        lambda: _fn(_v1("resize_nearest_neighbor", (7, 9), align_corners=True), (1, 4, 5, 3)),
        NEAREST, True, False),
}


@cache
def _model(name: str) -> bytes:
    return CASES[name][0]()


def _resize(graph: Graph) -> tuple[int, Any]:
    found = [(i, op) for i, op in enumerate(graph.ops) if op.kind in (BILINEAR, NEAREST)]
    assert len(found) == 1 and len(graph.ops) == 1, [op.kind for op in graph.ops]
    return found[0]


@pytest.mark.parametrize("name", CASES)
def test_byte_exact_with_both_interpreters(name: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    data = _model(name)
    _, kind, align, half = CASES[name]
    graph = parse_tflite(data, name)
    _, op = _resize(graph)
    assert op.kind == kind
    assert (op.attrs["align_corners"], op.attrs["half_pixel_centers"]) == (align, half)
    model = compile_graph(graph, "resize")
    kernel = "bilinear" if kind == BILINEAR else "nearest"
    assert f"tg_resize_{kernel}_s8(&" in model.sources.sources["resize.c"]
    assert_verified(data, tmp_path / f"{name}.tflite", capsys, runs=12, seed=5)


def test_bilinear_2x_inputs_meet_exact_halves() -> None:
    """2x half-pixel upsampling weighs neighbours by 9/16, 3/16, 3/16, 1/16, so random inputs
    reach sums exactly halfway between two outputs, of either sign: verify's runs check
    TensorFlow Lite's rounding of halves (away from zero), not just its weights."""
    model = compile_graph(parse_tflite(_model("upsampling2d_bilinear")), "resize")
    p = model.calls[0].params
    x = np.random.default_rng(5).integers(-128, 128, (p.in_h, p.in_w, p.channels))
    y0, y1, fy = p.rows.T.astype(np.int64)
    x0, x1, fx = p.cols.T.astype(np.int64)
    taps_y, taps_x = ((y0, ONE - fy), (y1, fy)), ((x0, ONE - fx), (x1, fx))
    total = sum(x[rows][:, cols] * (wy[:, None] * wx[None, :])[..., None]
                for rows, wy in taps_y for cols, wx in taps_x)
    halves = total[(total & ((1 << 20) - 1)) == 1 << 19]
    assert (halves < 0).any() and (halves > 0).any()


def test_tables_follow_tensorflow_lite() -> None:
    # 4 -> 8 with half-pixel centres: positions (i + 0.5) / 2 - 0.5 in 1/1024ths
    assert bilinear_table(4, 8, False, True).tolist() == [
        [0, 0, -256], [0, 1, 256], [0, 1, 768], [1, 2, 256], [1, 2, 768], [2, 3, 256],
        [2, 3, 768], [3, 3, 256]]
    # align_corners: 3 -> 5 puts output 1 halfway between inputs 0 and 1
    assert bilinear_table(3, 5, True, False)[:, 2].tolist() == [0, 512, 0, 512, 0]
    assert nearest_table(4, 8, False, True).tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    assert nearest_table(4, 7, True, False).tolist() == [0, 1, 1, 2, 2, 3, 3]
    assert nearest_table(5, 2, False, False).tolist() == [0, 2]


def _refusal(name: str, change: Callable[[Graph, Any], None]) -> str:
    graph = parse_tflite(_model(name))
    index, op = _resize(graph)
    change(graph, op)
    lower = lower_resize_bilinear if op.kind == BILINEAR else lower_resize_nearest
    with pytest.raises(TinygenError) as caught:
        lower(graph, index, op)
    message = str(caught.value)
    assert message.startswith(f"operator {index} ({op.kind}): "), message
    return message


def _requantized(graph: Graph, op: Any) -> None:
    y = graph.tensors[op.outputs[0]]
    q = Quantization(y.quant.scale * 2, y.quant.zero_point, y.quant.axis)
    graph.tensors[op.outputs[0]] = dataclasses.replace(y, quant=q)


def _size(graph: Graph, op: Any) -> None:
    t = graph.tensors[op.inputs[1]]
    graph.tensors[op.inputs[1]] = dataclasses.replace(t, data=np.array([7, 8], np.int32))


def test_refusals_name_the_operator() -> None:
    both = "align_corners and half_pixel_centers are both set"
    assert both in _refusal("v1_bilinear_align_corners",
                            lambda g, op: op.attrs.update(half_pixel_centers=True))
    assert "share their quantization" in _refusal("keras_resizing_nearest", _requantized)
    assert "does not give the output" in _refusal("v1_bilinear", _size)


def test_bilinear_reading_outside_the_input_is_refused() -> None:
    """TensorFlow 1's bilinear resize of 1 row to 55: TensorFlow Lite's rounded scale (19/1024)
    puts output row 54 at 1026/1024, and its kernel would read row 1 of a 1-row input."""
    data = _fn(_v1("resize_bilinear", (55, 3)), (1, 1, 3, 2))
    with pytest.raises(TinygenError, match=r"operator 0 \(RESIZE_BILINEAR\): TensorFlow Lite's "
                       "kernel would read input row 1, outside an input of 1 row"):
        compile_graph(parse_tflite(data), "resize")


def test_library_builds_as_strict_c99_and_cxx(tmp_path: Path) -> None:
    from library_build import STRICT_C, STRICT_CXX, compile_objects

    from tinygen.package.folder import write_library

    for name in ("image_resize_bilinear_down", "image_resize_nearest_down"):
        write_library(compile_graph(parse_tflite(_model(name)), "resize"), tmp_path / name)
        compile_objects(tmp_path / name, STRICT_C, tmp_path / f"{name}_c")
        compile_objects(tmp_path / name, STRICT_CXX, tmp_path / f"{name}_cxx")
