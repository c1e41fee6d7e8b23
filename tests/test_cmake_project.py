"""The repository as a CMake project: tinygen_add_impulse() in a firmware, and the C runtime's
tests under CTest.

A firmware project in a temporary folder does ``add_subdirectory(<repo>)`` and
``tinygen_add_impulse()`` on an impulse of the shared sine model (hello_world_int8, a raw
block of one sample), links the library into a program and runs it; its scores must be
tinygen's numpy reference of the model. Then the impulse must be generated again when the
JSON or the model changes, and only then.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from tinygen.impulse.generate import build_impulse
from tinygen.reference.interpreter import run_reference

REPO = Path(__file__).resolve().parent.parent
GENERATING = "tinygen: generating and building impulse"
INPUTS = (0.5, 1.5, 3.0, 4.5)  # the model learned sin on 0 .. 2 pi

pytestmark = pytest.mark.skipif(shutil.which("cmake") is None, reason="needs cmake")

MAIN_C = r"""
#include <stdio.h>
#include <stdlib.h>

#include "sine.h"

/* one line per argument: the best label and its score */
int main(int argc, char **argv)
{
    int i;
    for (i = 1; i < argc; ++i) {
        float x = (float)atof(argv[i]);
        sine_result_t result;
        int status = sine_run_classifier(&x, SINE_SIGNAL_LENGTH, &result);
        if (status != 0) {
            printf("error %d\n", status);
            return 1;
        }
        printf("%s %.6f\n", sine_labels[result.best], result.scores[0]);
    }
    return 0;
}
"""


def _run(*command: str | Path, cwd: Path | None = None) -> str:
    result = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def _firmware(folder: Path, model: Path, impulse_args: str = "") -> Path:
    """A firmware project using the impulse sine.json (model, label "y"); its JSON's path."""
    folder.mkdir(parents=True)
    (folder / "models").mkdir()
    shutil.copy(model, folder / "models" / model.name)
    config = {
        "name": "sine",
        "input": {"kind": "motion", "sampling_freq": 1, "window_ms": 1000, "axes": ["x"]},
        "dsp": {"block": "raw", "parameters": {}},
        "model": f"models/{model.name}",  # relative to the JSON
        "labels": ["y"],
    }
    path = folder / "sine.json"
    path.write_text(json.dumps(config))
    (folder / "main.c").write_text(MAIN_C)
    (folder / "CMakeLists.txt").write_text(textwrap.dedent(f"""\
        cmake_minimum_required(VERSION 3.20)
        project(firmware C)
        add_subdirectory("{REPO.as_posix()}" tinygen)
        tinygen_add_impulse(sine_impulse sine.json {impulse_args})
        add_executable(firmware main.c)
        target_link_libraries(firmware PRIVATE sine_impulse)
        """))
    return path


def _configure(folder: Path) -> Path:
    build = folder / "build"
    _run("cmake", "-S", folder, "-B", build, f"-DTINYGEN_PYTHON={sys.executable}")
    return build


def _expected(impulse_json: Path, values: tuple[float, ...]) -> list[float]:
    """tinygen's numpy reference of the impulse's model on each value, dequantized."""
    impulse = build_impulse(impulse_json)
    graph, calls = impulse.model.graph, impulse.model.calls
    q_in, q_out = impulse.model_tensor().quant, impulse.model_tensor(output=True).quant
    scores = []
    for v in values:
        q = np.clip(np.round(np.float32(v) / np.float32(q_in.scale0)) + q_in.zero_point0,
                    -128, 127)
        x = np.full(impulse.model_tensor().shape, q, np.int8)
        out = int(run_reference(graph, calls, [x])[graph.outputs[0]].reshape(-1)[0])
        scores.append(float(np.float32(q_out.scale0)) * (out - q_out.zero_point0))
    return scores


def _outputs(build: Path) -> list[tuple[str, float]]:
    lines = _run(build / "firmware", *map(str, INPUTS)).splitlines()
    return [(line.rpartition(" ")[0], float(line.rpartition(" ")[2])) for line in lines]


def _newest(folder: Path) -> float:
    return max(p.stat().st_mtime for p in folder.rglob("*") if p.is_file())


def _touch_later(path: Path) -> None:
    """Give ``path`` a modification time after everything built so far (1 s: coarse clocks)."""
    time.sleep(1.0)
    path.touch()


def test_firmware_links_an_impulse_generated_at_build_time(
    shared_dir: Path, tmp_path: Path
) -> None:
    model = shared_dir / "models" / "hello_world_int8.tflite"
    impulse_json = _firmware(tmp_path / "fw", model, "TARGET_BOARD nano33ble")
    build = _configure(tmp_path / "fw")
    out = build / "tinygen" / "sine_impulse"
    assert not out.exists()  # nothing is generated when CMake configures

    log = _run("cmake", "--build", build)
    assert GENERATING in log
    assert (out / ".tinygen").is_file() and (out / "src" / "sine.c").is_file()
    expected = _expected(impulse_json, INPUTS)
    outputs = _outputs(build)
    assert [label for label, _ in outputs] == ["y"] * len(INPUTS)
    assert np.allclose([s for _, s in outputs], expected, rtol=0, atol=2e-6)
    assert np.allclose(expected, np.sin(INPUTS), atol=0.1)  # it is the sine model
    assert len(set(expected)) == len(INPUTS)

    # Nothing changed: nothing is generated (unless someone edited tinygen meanwhile).
    library = build / "tinygen" / "sine_impulse-lib"
    before = _newest(library)
    log = _run("cmake", "--build", build)
    if GENERATING in log:
        own = [REPO / "tinygen", REPO / "templates", REPO / "runtime_c"]
        assert max(_newest(d) for d in own) > before, "generated again without a change"

    marker = (out / ".tinygen").stat().st_mtime_ns
    _touch_later(impulse_json)
    assert GENERATING in _run("cmake", "--build", build)
    assert (out / ".tinygen").stat().st_mtime_ns > marker

    # A new label reaches the program: generated, rebuilt and linked again.
    time.sleep(1.0)
    impulse_json.write_text(impulse_json.read_text().replace('["y"]', '["sine of x"]'))
    _run("cmake", "--build", build)
    assert [label for label, _ in _outputs(build)] == ["sine of x"] * len(INPUTS)

    marker = (out / ".tinygen").stat().st_mtime_ns
    _touch_later(tmp_path / "fw" / "models" / model.name)
    assert GENERATING in _run("cmake", "--build", build)
    assert (out / ".tinygen").stat().st_mtime_ns > marker


def test_a_failing_generation_fails_the_build(shared_dir: Path, tmp_path: Path) -> None:
    model = shared_dir / "models" / "hello_world_int8.tflite"
    _firmware(tmp_path / "fw", model, "TARGET_BOARD no_such_board")
    build = _configure(tmp_path / "fw")
    result = subprocess.run(["cmake", "--build", str(build)], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode != 0
    assert "no_such_board" in result.stdout + result.stderr
    assert not (build / "firmware").exists()


def test_runtime_tests_pass_under_ctest(tmp_path: Path) -> None:
    build = tmp_path / "build"
    _run("cmake", "-S", REPO, "-B", build)
    _run("cmake", "--build", build, "-j", str(min(2, os.cpu_count() or 1)))
    log = _run("ctest", "--test-dir", build, "--output-on-failure")
    assert "100% tests passed, 0 tests failed out of 3" in log
    for name in ("runtime.fixedpoint", "runtime.pooling", "runtime.quantize"):
        assert name in log
