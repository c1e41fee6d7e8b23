"""``tinygen quantize``: float .tflite + calibration samples → int8 .tflite, checked three ways.

* Valid: TFLite Micro and TensorFlow Lite run the result, and tinygen's generated C is
  byte-exact with them on it (``verify``).
* Faithful: on held-out samples, its dequantized output is at least as close to the float
  model's as TensorFlow's converter's (same calibration samples, same weight granularity),
  never more than 0.5 dB SQNR worse; its parameters are TensorFlow's wherever TensorFlow's
  calibration is not widened by an in-place ADD.
* Careful: bad calibration data, non-float models and operators the pass cannot quantize
  stop it with exit code 2 and nothing written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from quantize_harness import (
    KERAS_MODELS,
    FloatModel,
    keras_model,
    measure,
    outputs,
    shared_model,
    smooth_samples,
    tf_quantize,
)

from tinygen.cli import main
from tinygen.compiler import compile_graph
from tinygen.frontend.tflite import parse_tflite, read_tflite
from tinygen.frontend.tflite_writer import write_tflite
from tinygen.ir import Tensor
from tinygen.passes.canonicalize import canonicalize
from tinygen.quantize import Quantized, QuantizeOptions, quantize_file, quantize_graph
from tinygen.quantize.calibrate import FloatRunner
from tinygen.verify.compare import verify
from tinygen.verify.inputs import random_inputs
from tinygen.verify.truth import TFLITE

TOLERANCE_DB = 0.5


def _quantize(
    fm: FloatModel, tmp: Path, calibration: np.ndarray | None = None, **kw: Any
) -> Quantized:
    cal = tmp / f"{fm.name}-cal.npy"
    np.save(cal, fm.calibration if calibration is None else calibration)
    return quantize_graph(parse_tflite(fm.model), cal, QuantizeOptions(**kw))


def _check_valid(model: bytes, runs: int = 5) -> None:
    compiled = compile_graph(parse_tflite(model), "q")
    result = verify(compiled, model, random_inputs(compiled.graph, runs, 0))
    assert not result.missing, result.missing  # both TFLM and TensorFlow Lite run it
    assert result.judge == TFLITE
    detail = result.first_divergence.describe() if result.first_divergence else ""
    assert result.ok and result.runs >= runs, detail


# -- Keras models: valid and as faithful as TensorFlow --------------------------------


@pytest.mark.parametrize("name", list(KERAS_MODELS))
def test_keras_model_as_faithful_as_tensorflow(name: str, tmp_path: Path) -> None:
    fm = keras_model(name)
    reference = outputs(fm.model, fm.held_out)
    for per_channel in (False, True):
        ours = _quantize(fm, tmp_path, per_channel_fc=per_channel)
        _check_valid(ours.model)
        theirs = tf_quantize(fm.keras, fm.calibration, per_channel_dense=per_channel)
        mine = measure(reference, outputs(ours.model, fm.held_out))
        tf = measure(reference, outputs(theirs, fm.held_out))
        print(f"{name} per-channel FC {per_channel}: tinygen {mine}, TensorFlow {tf}")
        assert mine.sqnr_db >= tf.sqnr_db - TOLERANCE_DB, (mine, tf)
        assert mine.top1 >= tf.top1 - 0.05, (mine, tf)


@pytest.mark.parametrize("name", ["cnn", "ds_cnn"])
def test_parameters_are_tensorflows(name: str, tmp_path: Path) -> None:
    """Same scales, zero points and int8 weights as TensorFlow's converter, tensor by tensor
    (matched by name), except the ADD inputs whose range TensorFlow's calibration widens."""
    fm = keras_model(name)
    ours = parse_tflite(_quantize(fm, tmp_path, per_channel_fc=True).model)
    theirs = parse_tflite(tf_quantize(fm.keras, fm.calibration))
    add_inputs = {
        theirs.tensors[t].name for op in theirs.ops if op.kind == "ADD" for t in op.inputs
    }
    names = [t.name for t in theirs.tensors]
    by_name = {t.name: t for t in theirs.tensors if names.count(t.name) == 1}
    compared = 0
    for t in ours.tensors:
        other = by_name.get(t.name)
        if t.dtype != "int8" or other is None or t.name in add_inputs:
            continue
        assert other.quant is not None and t.quant is not None
        np.testing.assert_allclose(t.quant.scale, other.quant.scale, rtol=1e-5, err_msg=t.name)
        assert np.abs(t.quant.zero_point - other.quant.zero_point).max() <= 1, t.name
        if t.data is not None:
            np.testing.assert_array_equal(t.data, other.data, err_msg=t.name)
        compared += 1
    assert compared >= 4


def test_float_io_and_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fm = keras_model("residual_relu6")
    np.save(tmp_path / "cal.npy", fm.calibration[:, None])  # with the batch dimension
    out = tmp_path / "model_int8.tflite"
    code = main(
        [
            "quantize", str(_write(tmp_path / "f.tflite", fm.model)),
            "--calibration", str(tmp_path / "cal.npy"), "-o", str(out), "--io", "float",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "SQNR" in printed and f"wrote {out}" in printed
    graph = read_tflite(out)
    assert graph.ops[0].kind == "QUANTIZE" and graph.ops[-1].kind == "DEQUANTIZE"
    assert graph.tensors[graph.inputs[0]].dtype == "float32"
    _check_valid(out.read_bytes())
    report = json.loads((tmp_path / "model_int8.tflite.report.json").read_text())
    assert report["calibration_samples"] == len(fm.calibration)
    losses = [t["loss_db"] for t in report["tensors"] if t["loss_db"] is not None]
    assert losses == sorted(losses, reverse=True) and len(losses) >= 6
    float_out = outputs(fm.model, fm.held_out)
    assert measure(float_out, outputs(out.read_bytes(), fm.held_out)).sqnr_db > 25


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# -- the report names the layer that hurts --------------------------------------------


def _cancelling_model() -> Any:
    """ADD of two large convolutions that almost cancel: the small sum is quantized with
    the inputs' large scales, so the ADD loses most of the SQNR."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(3)
    L = tf.keras.layers
    inp = L.Input((8, 8, 2))
    a, b = L.Conv2D(4, 3, padding="same"), L.Conv2D(4, 3, padding="same")
    x = L.Add()([a(inp), b(inp)])
    model = tf.keras.Model(inp, L.Dense(3)(L.Flatten()(x)))
    w, bias = a.get_weights()
    a.set_weights([w * 40, bias])
    b.set_weights([-w * 40 + 0.05 * np.random.default_rng(0).normal(size=w.shape), bias])
    return model


def test_report_puts_the_losing_layer_first(tmp_path: Path) -> None:
    from quantize_harness import _float_tflite

    data = _float_tflite(_cancelling_model())
    model = _write(tmp_path / "cancel.tflite", data)
    np.save(tmp_path / "cal.npy", smooth_samples(0, 40, (8, 8, 2), -1, 1))
    result = quantize_file(
        model, tmp_path / "cal.npy", tmp_path / "q.tflite", QuantizeOptions(), tmp_path / "r.json"
    )
    first = result.report.tensors[0]
    assert first.kind == "ADD", result.report.table()
    assert first.loss_db is not None and first.loss_db > 10
    assert json.loads((tmp_path / "r.json").read_text())["tensors"][0]["kind"] == "ADD"


# -- range choices ---------------------------------------------------------------------


def test_percentile_and_mse_resist_an_outlier(tmp_path: Path) -> None:
    """One calibration sample with a huge spike: min/max spends the int8 range on it,
    percentile and MSE do not, and are closer on held-out data without spikes."""
    fm = keras_model("cnn")
    spiked = fm.calibration.copy()
    spiked[0, 5, 5, 0] = 60.0
    reference = outputs(fm.model, fm.held_out)
    got = {}
    for method in ("minmax", "percentile", "mse"):
        q = _quantize(fm, tmp_path, spiked, ranges=method)
        got[method] = measure(reference, outputs(q.model, fm.held_out)).sqnr_db
    assert got["percentile"] > got["minmax"] + 3, got
    assert got["mse"] > got["minmax"] + 3, got


def test_float_runner_is_tensorflow_lites_float_model() -> None:
    """Calibration runs the float graph with numpy kernels; they agree with TensorFlow Lite."""
    for name in KERAS_MODELS:
        fm = keras_model(name)
        graph, _ = canonicalize(parse_tflite(fm.model))
        mine = FloatRunner(graph).run([fm.held_out[:20]])[graph.outputs[0]].reshape(20, -1)
        theirs = outputs(fm.model, fm.held_out[:20])
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-5 * np.abs(theirs).max())


# -- more operators: standalone RELU / RELU6, EXPAND_DIMS, SQUEEZE, MEAN, dead layers ----


def _ops_model() -> bytes:
    import tensorflow as tf
    from tf_models import convert

    rng = np.random.default_rng(5)
    w = tf.constant(rng.normal(size=(1, 3, 2, 6)).astype(np.float32) * 0.4)
    dense = tf.constant(rng.normal(size=(6, 4)).astype(np.float32))

    def fn(x: Any) -> Any:
        y = tf.nn.relu(x)  # standalone, on the graph input
        y = tf.squeeze(tf.nn.conv2d(tf.expand_dims(y, 1), w, 1, "SAME"), [1])
        y = tf.nn.relu6(tf.reduce_mean(y, axis=[1], keepdims=True))
        return tf.matmul(tf.reshape(y, (1, 6)), dense)

    graph = parse_tflite(convert(fn, (1, 8, 2), quantize="float"))
    # The converter writes both as RESHAPE; make them the operators TFLite also has.
    first, second = (op for op in graph.ops if op.kind == "RESHAPE")
    axis = Tensor("axis", (1,), "int32", data=np.array([1], np.int32))
    graph.tensors.append(axis)
    first.kind, first.attrs = "EXPAND_DIMS", {}
    first.inputs = [first.inputs[0], len(graph.tensors) - 1]
    second.kind, second.inputs, second.attrs = "SQUEEZE", second.inputs[:1], {"squeeze_dims": [1]}
    return write_tflite(graph)


def _dead_model() -> bytes:
    """A ReLU that is 0 on every calibration sample, before FULLY_CONNECTED and SOFTMAX."""
    import tensorflow as tf
    from tf_models import convert

    rng = np.random.default_rng(1)
    w1 = tf.constant(rng.normal(size=(16, 8)).astype(np.float32))
    w2 = tf.constant(rng.normal(size=(8, 5)).astype(np.float32))
    b1 = tf.constant(np.full(8, -100.0, np.float32))
    return convert(
        lambda x: tf.nn.softmax(tf.matmul(tf.nn.relu(tf.nn.bias_add(tf.matmul(x, w1), b1)), w2)),
        (1, 16),
        quantize="float",
    )


@pytest.mark.parametrize("build", [_ops_model, _dead_model])
def test_more_operators(build: Any, tmp_path: Path) -> None:
    data = build()
    graph = parse_tflite(data)
    shape = graph.tensors[graph.inputs[0]].shape
    fm = FloatModel("ops", data, None, smooth_samples(0, 30, shape[1:], -2, 2), np.zeros(0))
    result = _quantize(fm, tmp_path)
    kinds = {op.kind for op in result.graph.ops}
    assert kinds <= {"RELU", "RELU6", "EXPAND_DIMS", "SQUEEZE", "MEAN", "CONV_2D",
                     "FULLY_CONNECTED", "SOFTMAX", "RESHAPE"}
    _check_valid(result.model)


def test_two_inputs_from_npz(tmp_path: Path) -> None:
    import tensorflow as tf
    from quantize_harness import _float_tflite

    tf.keras.utils.set_random_seed(4)
    L = tf.keras.layers
    a, b = L.Input((6, 6, 2), name="left"), L.Input((6, 6, 2), name="right")
    x = L.Add()([L.Conv2D(3, 3)(a), L.Conv2D(3, 3)(b)])
    model = _write(tmp_path / "two.tflite", _float_tflite(tf.keras.Model([a, b], x)))
    graph = read_tflite(model)
    names = [graph.tensors[t].name for t in graph.inputs]
    left, right = smooth_samples(1, 20, (6, 6, 2), -1, 1), smooth_samples(2, 20, (6, 6, 2), 0, 3)
    np.savez(tmp_path / "named.npz", **{names[0]: left, names[1]: right})
    np.savez(tmp_path / "positional.npz", left, right)
    results = [
        quantize_file(model, tmp_path / f"{k}.npz", tmp_path / f"{k}.tflite", QuantizeOptions())
        for k in ("named", "positional")
    ]
    assert results[0].model == results[1].model
    _check_valid(results[0].model)


# -- the shared float models -----------------------------------------------------------


@pytest.mark.parametrize("name", ["vww_96_float", "pretrainedResnet", "ad01_fp32"])
def test_shared_float_model(name: str, shared_dir: Path, tmp_path: Path) -> None:
    fm = shared_model(shared_dir, name)
    result = _quantize(fm, tmp_path)
    float_graph = read_tflite(shared_dir / "models" / f"{name}.tflite")
    assert len(result.graph.ops) == len(canonicalize(float_graph)[0].ops)
    _check_valid(result.model, runs=3)
    assert result.report.outputs[0].sqnr_db is not None and result.report.outputs[0].sqnr_db > 10


# -- the writer ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["kws_ref_model", "pretrainedResnet_quant"])
def test_writer_round_trip(name: str, shared_dir: Path) -> None:
    original = (shared_dir / "models" / f"{name}.tflite").read_bytes()
    graph = parse_tflite(original)
    again = parse_tflite(write_tflite(graph))
    assert [(op.kind, op.attrs, op.inputs) for op in again.ops] == [
        (op.kind, op.attrs, op.inputs) for op in graph.ops
    ]
    for a, b in zip(graph.tensors, again.tensors, strict=True):
        assert (a.name, a.shape, a.dtype) == (b.name, b.shape, b.dtype)
        assert (a.data is None and b.data is None) or np.array_equal(a.data, b.data)
        assert (a.quant is None) == (b.quant is None)
        assert a.quant is None or (a.quant.same_as(b.quant) and a.quant.axis == b.quant.axis)
    x = np.random.default_rng(0).uniform(-1, 1, (3, *graph.tensors[graph.inputs[0]].shape))
    np.testing.assert_array_equal(outputs(original, x), outputs(write_tflite(graph), x))


# -- errors: exit 2, a sentence, nothing written ---------------------------------------


def _run(tmp: Path, model: Path, calibration: Path, *extra: str) -> int:
    out = tmp / "out" / "q.tflite"
    out.parent.mkdir(exist_ok=True)
    code = main(["quantize", str(model), "--calibration", str(calibration), "-o", str(out), *extra])
    assert not any(out.parent.iterdir()), "nothing may be written on an error"
    return code


@pytest.fixture
def cnn_file(tmp_path: Path) -> Path:
    return _write(tmp_path / "cnn.tflite", keras_model("cnn").model)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (np.zeros((4, 21, 20, 1), np.float32), "has shape [4, 21, 20, 1]"),
        (np.zeros((4, 20, 20, 1), np.uint8), "holds uint8 values"),
        (np.zeros((0, 20, 20, 1), np.float32), "holds no samples"),
        (np.where(np.arange(4)[:, None, None, None] == 2, np.nan, 0.0).repeat(20, 1)
         .repeat(20, 2).astype(np.float32), "NaN or infinite value(s), in 1 of 4 samples"),
        (np.full((2, 1, 20, 20, 1), np.inf, np.float32), "(first: sample 0)"),
    ],
)
def test_bad_calibration(
    data: np.ndarray, message: str, cnn_file: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    np.save(tmp_path / "cal.npy", data)
    code = _run(tmp_path, cnn_file, tmp_path / "cal.npy")
    err = capsys.readouterr().err
    assert code == 2 and message in err, err


def test_bad_models_and_options(
    cnn_file: Path, tmp_path: Path, shared_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import tensorflow as tf
    from tf_models import convert

    cal = tmp_path / "cal.npy"
    np.save(cal, keras_model("cnn").calibration[:4])
    from tf_models import zoo_model

    float_io_int8 = _write(tmp_path / "zoo.tflite", zoo_model())  # float I/O, int8 inside
    np.save(tmp_path / "cal_zoo.npy", np.zeros((2, 12, 12, 3), np.float32))
    code = _run(tmp_path, float_io_int8, tmp_path / "cal_zoo.npy")
    assert code == 2 and "'tfl.quantize' is int8 and already quantized" in capsys.readouterr().err
    cases = [
        (shared_dir / "models" / "vww_96_int8.tflite", [], "not a float model"),
        (cnn_file, ["--percentile", "30"], "--percentile must be above 50"),
        (tmp_path / "missing.tflite", [], "no such file"),
    ]
    unsupported = _write(
        tmp_path / "ops.tflite",
        convert(
            lambda x: tf.exp(tf.pad(x, [[0, 0], [1, 1]])) / (1.0 + tf.abs(x[:, :1]))
            + tf.exp(x[:, :1]),
            (1, 8),
            quantize="float",
        ),
    )
    np.save(tmp_path / "cal8.npy", np.zeros((3, 8), np.float32))
    for model, extra, message in cases:
        code = _run(tmp_path, model, cal, *extra)
        err = capsys.readouterr().err
        assert code == 2 and message in err, err
    code = _run(tmp_path, unsupported, tmp_path / "cal8.npy")
    err = capsys.readouterr().err
    # every operator the pass does not handle, at once; those it handles are not named
    assert code == 2 and "EXP (operators" in err and "PAD" not in err, err
    assert "DIV" in err and "ABS" in err and "STRIDED_SLICE" not in err, err
    code = main(["quantize", str(cnn_file), "--calibration", str(cal), "-o", str(cnn_file)])
    assert code == 2 and "is the float model itself" in capsys.readouterr().err
    nowhere = "/nonexistent/q.tflite"
    code = main(["quantize", str(cnn_file), "--calibration", str(cal), "-o", nowhere])
    assert code == 2 and "does not exist" in capsys.readouterr().err
