"""The command line as a user meets it: output folders, messages, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tf_models

from tinygen.cli import main
from tinygen.frontend.tflite import parse_tflite


@pytest.fixture(scope="module")
def dense_int8(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("models") / "dense.tflite"
    path.write_bytes(tf_models.dense_model())
    return path


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tinygen", *args], capture_output=True, text=True)


def test_generate_library_writes_the_library(dense_int8: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _run(["generate-library", str(dense_int8), "-o", str(out), "--name", "My_Net"])
    assert result.returncode == 0, result.stderr
    assert (out / "include" / "My_Net.h").is_file()
    assert (out / "src" / "My_Net.c").is_file()
    assert (out / "src" / "tg_fully_connected_s8.c").is_file()
    assert "add_library(My_Net" in (out / "CMakeLists.txt").read_text()
    report = json.loads((out / "report.json").read_text())
    assert report["arena_bytes"] > 0 and report["constant_bytes"] > 0
    assert [op["kind"] for op in report["ops"]] == ["FULLY_CONNECTED"]
    assert not list(tmp_path.glob(".out.*")), "no staging folder left behind"


def test_generated_library_builds_with_cmake(dense_int8: Path, tmp_path: Path) -> None:
    out = tmp_path / "lib"
    assert main(["generate-library", str(dense_int8), "-o", str(out)]) == 0
    build = tmp_path / "build"
    subprocess.run(["cmake", "-S", str(out), "-B", str(build)], check=True, capture_output=True)
    subprocess.run(["cmake", "--build", str(build)], check=True, capture_output=True)
    assert (build / "libdense.a").is_file()


def test_verify_passes(dense_int8: Path) -> None:
    result = _run(["verify", str(dense_int8), "--runs", "5"])
    assert result.returncode == 0, result.stderr
    assert "8 runs, every output byte equal to TFLite Micro's" in result.stdout


def test_verify_with_user_inputs(dense_int8: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "x.npy"
    np.save(inputs, np.arange(-64, 64, dtype=np.int8).reshape(8, 1, 16))
    result = _run(["verify", str(dense_int8), "--inputs", str(inputs)])
    assert result.returncode == 0, result.stderr
    assert "8 runs" in result.stdout
    np.save(inputs, np.zeros((3, 5), np.int8))
    result = _run(["verify", str(dense_int8), "--inputs", str(inputs)])
    assert result.returncode == 2 and "shape" in result.stderr


def _assert_clean_failure(args: list[str], out: Path, expected: str) -> None:
    result = _run(args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tinygen: error:"), result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_missing_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _assert_clean_failure(
        ["generate-library", str(tmp_path / "nope.tflite"), "-o", str(out)], out, "no such file"
    )


def test_not_a_flatbuffer(tmp_path: Path) -> None:
    bogus = tmp_path / "model.tflite"
    bogus.write_bytes(b"this is not a model at all")
    out = tmp_path / "out"
    _assert_clean_failure(
        ["generate-library", str(bogus), "-o", str(out)], out, "not a TensorFlow Lite flatbuffer"
    )


@pytest.mark.parametrize("keep", [0.9, 0.5, 0.2])
def test_truncated_file(dense_int8: Path, tmp_path: Path, keep: float) -> None:
    data = dense_int8.read_bytes()
    cut = tmp_path / "cut.tflite"
    cut.write_bytes(data[: int(len(data) * keep)])
    out = tmp_path / "out"
    _assert_clean_failure(["generate-library", str(cut), "-o", str(out)], out, "truncated")


def test_existing_output_untouched_on_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    bogus = tmp_path / "m.tflite"
    bogus.write_bytes(b"\0" * 64)
    result = _run(["generate-library", str(bogus), "-o", str(out)])
    assert result.returncode == 2
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_unsupported_operators_listed_at_once(tmp_path: Path) -> None:
    import tensorflow as tf

    model = tmp_path / "odd.tflite"
    # int8 EXP (twice) and RSQRT, which tinygen does not compile, around MUL and ADD
    model.write_bytes(
        tf_models.convert(lambda x: tf.exp(x) * tf.exp(tf.math.rsqrt(x * x + 1.0)), (1, 8))
    )
    kinds = [op.kind for op in parse_tflite(model.read_bytes()).ops]
    out = tmp_path / "out"
    result = _run(["generate-library", str(model), "-o", str(out)])
    assert result.returncode == 2 and not out.exists()
    message = result.stderr.strip()
    assert message.count("\n") == 0 and "unsupported operators" in message
    assert {"MUL", "ADD"} <= set(kinds) and "MUL" not in message and "ADD" not in message
    assert kinds.count("EXP") == 2 and "RSQRT" in kinds
    for kind in ("EXP", "RSQRT"):
        indices = [str(i) for i, k in enumerate(kinds) if k == kind]
        plural = "s" if len(indices) > 1 else ""
        assert f"{kind} (operator{plural} {', '.join(indices)})" in message, message


def test_float_model_compiles_in_float32_and_points_to_quantization(tmp_path: Path) -> None:
    model = tmp_path / "float.tflite"
    model.write_bytes(tf_models.dense_model(quantize="float"))
    out = tmp_path / "out"
    result = _run(["generate-library", str(model), "-o", str(out)])
    assert result.returncode == 0, result.stderr
    assert "compiling it in float32" in result.stderr and "--calibration" in result.stderr
    assert (out / "src" / "tg_fully_connected_f32.c").is_file()
    header = next((out / "include").glob("*.h")).read_text()
    assert "float [" in header


def test_int16_activations_rejected(tmp_path: Path) -> None:
    model = tmp_path / "int16.tflite"
    model.write_bytes(tf_models.dense_model(quantize="int16x8"))
    out = tmp_path / "out"
    _assert_clean_failure(
        ["generate-library", str(model), "-o", str(out)], out, "int16 activations"
    )


def test_verify_survives_a_tflm_abort(tmp_path: Path) -> None:
    model = tmp_path / "dead.tflite"
    model.write_bytes(tf_models.dead_relu_softmax_model())
    result = _run(["verify", str(model), "--runs", "2"])
    assert result.returncode == 2, result.stderr
    assert "neither TFLite Micro nor TensorFlow Lite can run this model" in result.stderr
    assert "SIGABRT" in result.stderr and "Traceback" not in result.stderr
    out = tmp_path / "lib"
    assert _run(["generate-library", str(model), "-o", str(out)]).returncode == 0
