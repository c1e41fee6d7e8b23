"""Budgets (--ram, --flash, --target) and `tinygen report` as a user meets them."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import tf_models

from tinygen.compiler import compile_file
from tinygen.errors import EXIT_BUDGET, EXIT_USAGE, TinygenError
from tinygen.memory.budget import (
    TARGETS,
    dsp_costs,
    kernel_costs,
    make_budget,
    parse_size,
)
from tinygen.resources import RUNTIME_DIR


@pytest.fixture(scope="module")
def conv_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tf = tf_models._tf()
    import numpy as np

    rng = np.random.default_rng(2)
    w1 = tf.constant(rng.normal(size=(3, 3, 3, 8)).astype(np.float32) * 0.3)
    w2 = tf.constant(rng.normal(size=(3, 3, 8, 1)).astype(np.float32) * 0.3)
    w3 = tf.constant(rng.normal(size=(1, 1, 8, 16)).astype(np.float32) * 0.3)

    def fn(x: object) -> object:
        y = tf.nn.relu(tf.nn.conv2d(x, w1, 2, "SAME"))
        y = tf.nn.relu(tf.nn.depthwise_conv2d(y, w2, [1, 1, 1, 1], "SAME"))
        y = tf.nn.relu(tf.nn.conv2d(y, w3, 1, "SAME"))
        return tf.reshape(tf.reduce_mean(y, axis=[1, 2]), (1, 16))

    path = tmp_path_factory.mktemp("models") / "conv.tflite"
    path.write_bytes(tf_models.convert(fn, (1, 32, 32, 3)))
    return path


def _run(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tinygen", *args], capture_output=True, text=True, cwd=cwd
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [("262144", 262144), ("256K", 262144), ("256k", 262144), ("1M", 1 << 20), ("1.5M", 1572864),
     ("64KB", 65536), ("2MiB", 2 << 20)],
)
def test_parse_size(text: str, value: int) -> None:
    assert parse_size(text, "--ram") == value


@pytest.mark.parametrize("text", ["", "lots", "12G", "-5K", "K"])
def test_parse_size_rejects(text: str) -> None:
    with pytest.raises(TinygenError) as err:
        parse_size(text, "--ram")
    assert err.value.exit_code == EXIT_USAGE and "--ram" in str(err.value)


def test_targets_and_overrides() -> None:
    nano = make_budget(None, None, "nano33ble")
    assert nano and nano.ram_bytes == 256 * 1024 and nano.flash_bytes == 1024 * 1024
    assert {"nano33ble", "nicla-vision", "pico", "esp32", "cortex-m4"} <= set(TARGETS)
    tighter = make_budget("100K", None, "pico")
    assert tighter and tighter.ram_bytes == 100 * 1024 and tighter.flash_bytes == 2 << 20
    assert make_budget(None, None, None) is None
    with pytest.raises(TinygenError, match="known targets"):
        make_budget(None, None, "nano34")


def test_every_kernel_has_a_measured_size() -> None:
    kernels = {p.stem for p in (RUNTIME_DIR / "kernels").glob("tg_*.c")}
    assert kernels == set(kernel_costs())
    dsp = {p.stem for p in (RUNTIME_DIR / "dsp").glob("tg_*.c")}
    assert dsp == set(dsp_costs())
    assert all(c["code_bytes"] > 0 for k, c in kernel_costs().items() if k != "tg_copy")


def test_usage_counts_arena_and_weights(conv_model: Path) -> None:
    model = compile_file(conv_model)
    usage = model.usage()
    ram = dict(usage.ram)
    flash = dict(usage.flash)
    assert ram["arena"] == model.plan.arena_bytes
    assert flash["weights and tables"] == model.sources.constant_bytes
    assert usage.ram_bytes > model.plan.arena_bytes
    assert usage.flash_bytes > model.sources.constant_bytes


def test_over_budget_exits_3_and_writes_nothing(conv_model: Path, tmp_path: Path) -> None:
    out = tmp_path / "lib"
    result = _run(["generate-library", str(conv_model), "-o", str(out), "--ram", "1K"])
    assert result.returncode == EXIT_BUDGET, result.stderr
    assert "RAM budget" in result.stderr and "OVER by" in result.stderr
    assert "arena" in result.stderr and "nothing was written" in result.stderr
    assert not out.exists() and not list(tmp_path.iterdir())
    flash = _run(["generate-library", str(conv_model), "-o", str(out), "--flash", "100"])
    assert flash.returncode == EXIT_BUDGET and "flash budget" in flash.stderr
    assert not out.exists()


def test_within_budget_writes(conv_model: Path, tmp_path: Path) -> None:
    out = tmp_path / "lib"
    result = _run(["generate-library", str(conv_model), "-o", str(out), "--target", "cortex-m4"])
    assert result.returncode == 0, result.stderr
    assert (out / "src" / "conv.c").is_file()
    assert "lower bound" in result.stdout


def test_bad_budget_arguments(conv_model: Path, tmp_path: Path) -> None:
    for args in (["--ram", "lots"], ["--target", "nano34"]):
        result = _run(["generate-library", str(conv_model), "-o", str(tmp_path / "x"), *args])
        assert result.returncode == EXIT_USAGE, result.stderr
        assert "Traceback" not in result.stderr
        assert not (tmp_path / "x").exists()


def test_report_prints_table_and_picture(conv_model: Path, tmp_path: Path) -> None:
    picture = tmp_path / "plan.svg"
    result = _run(["report", str(conv_model), "--picture", str(picture), "--target", "nano33ble"])
    assert result.returncode == 0, result.stderr
    model = compile_file(conv_model)
    out = result.stdout
    assert f"activation lower bound {model.plan.lower_bound:,} B" in out
    assert f"arena {model.plan.arena_bytes:,} B" in out
    report_ops = model.report()["ops"]
    for i, op in enumerate(model.graph.ops):
        rows = [line for line in out.splitlines() if line.split()[:2] == [str(i), op.kind]]
        assert rows, op.kind
        # the C kernel that runs it: a specialized one where lowering chose one
        function = report_ops[i]["c_function"]
        call = model.calls[i]
        assert function == ("" if call.kernel == "alias" else
                            f"tg_{call.fast.kernel if call.fast else call.kernel}")
        assert function in rows[0]
    assert "budget 262,144 B" in out
    root = ET.parse(picture).getroot()
    drawn = {g.get("data-tensor") for g in root.iter() if g.get("class") == "box"}
    arena = {model.graph.tensors[t].name for t in model.graph.activation_tensors()}
    assert arena <= drawn


def test_report_over_budget_exits_3(conv_model: Path, tmp_path: Path) -> None:
    result = _run(["report", str(conv_model), "--picture", str(tmp_path / "p.svg"), "--ram", "2K"])
    assert result.returncode == EXIT_BUDGET
    assert "OVER by" in result.stdout + result.stderr
