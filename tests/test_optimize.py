"""generate-library --optimize: "speed" keeps the weights of convolutions over many pixels as
int16 (the DSP path's fast form), "size" keeps every weight one byte; both compute the same
bytes, and a --flash budget the int16 weights exceed makes generation fall back to size."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import tf_models

from tinygen.cli import main
from tinygen.compiler import compile_graph
from tinygen.frontend.tflite import parse_tflite
from tinygen.verify.c_model import CModel
from tinygen.verify.inputs import random_inputs


@cache
def _model() -> bytes:
    """A 3x3 and a pointwise convolution over 10 x 10 = 100 output pixels (widened), then
    one over 5 x 5 (not)."""
    import tensorflow as tf

    rng = np.random.default_rng(4)
    w1 = tf.constant((rng.normal(size=(3, 3, 4, 8)) * 0.3).astype(np.float32))
    w2 = tf.constant((rng.normal(size=(1, 1, 8, 12)) * 0.3).astype(np.float32))
    w3 = tf.constant((rng.normal(size=(3, 3, 12, 8)) * 0.3).astype(np.float32))

    def fn(x: object) -> object:
        y = tf.nn.relu(tf.nn.conv2d(x, w1, 1, "SAME"))
        y = tf.nn.relu(tf.nn.conv2d(y, w2, 1, "VALID"))
        return tf.nn.conv2d(y, w3, 2, "SAME")

    return tf_models.convert(fn, (1, 10, 10, 4))


def _constants(out: Path) -> int:
    return int(json.loads((out / "report.json").read_text())["constant_bytes"])


def _wide_layers(optimize: str) -> int:
    model = compile_graph(parse_tflite(_model()), "zoo", optimize=optimize)
    return sum(1 for c in model.calls if c.fast is not None
               and getattr(c.fast.params, "filter16", None) is not None)


def test_speed_widens_and_size_does_not() -> None:
    assert _wide_layers("speed") == 2
    assert _wide_layers("size") == 0


def test_both_compute_the_same_bytes(tmp_path: Path) -> None:
    models = {o: compile_graph(parse_tflite(_model()), "zoo", optimize=o)
              for o in ("speed", "size")}
    hosts = {o: CModel(m, tmp_path / o) for o, m in models.items()}
    for inputs in list(random_inputs(models["speed"].graph, 4, 3))[:4]:
        fast, small = hosts["speed"].invoke(inputs), hosts["size"].invoke(inputs)
        assert all(np.array_equal(a, b) for a, b in zip(fast, small, strict=True))


def test_flash_budget_falls_back_to_size(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    model = tmp_path / "zoo.tflite"
    model.write_bytes(_model())
    speed, size = tmp_path / "speed", tmp_path / "size"
    assert main(["generate-library", str(model), "-o", str(speed)]) == 0
    assert main(["generate-library", str(model), "-o", str(size), "--optimize", "size"]) == 0
    assert _constants(size) < _constants(speed)
    capsys.readouterr()
    # a budget between the two: the int16 form does not fit, the int8 one does
    fits = tmp_path / "fits"
    usage = _flash(tmp_path, model, "size")
    assert main(["generate-library", str(model), "-o", str(fits), "--flash",
                 str(usage), "--ram", "64K"]) == 0
    assert "generating with --optimize size" in capsys.readouterr().out
    assert _constants(fits) == _constants(size)


def _flash(tmp_path: Path, model: Path, optimize: str) -> int:
    """The flash estimate of generate-library --optimize OPTIMIZE, as it prints it."""
    from tinygen.compiler import compile_file

    return compile_file(model, "zoo", optimize=optimize).usage().flash_bytes
