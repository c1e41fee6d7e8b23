"""The keyword-spotting example (examples/keyword_spotting/): its committed impulse,
generated, built with CMake and run on the host, labels its shipped samples and the real
recordings of ../shared as train.py reported; on the emulated Cortex-M4 the best label of
the real "yes" and "no" is the host's.

No training here: the example ships impulse.json, kws_int8.tflite and samples/*.wav.
The Cortex-M4 test needs arm-none-eabi-gcc with newlib and qemu-system-arm (CI installs
them) and ../shared.
"""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest
from example_harness import Built, build_example, classify

from tinygen.impulse.generate import build_impulse
from tinygen.target.impulse_probe import run_probe_on_m4

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "keyword_spotting"
LABELS = ["noise", "no", "unknown", "yes"]
SAMPLES = {"yes.wav": "yes", "no.wav": "no", "unknown.wav": "unknown", "noise.wav": "noise"}
REAL = {"yes_1000ms.wav": "yes", "no_1000ms.wav": "no", "noise_1000ms.wav": "noise",
        "silence_1000ms.wav": "noise"}  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """generate-library on the committed impulse.json, then a CMake build with -Werror."""
    return build_example(EXAMPLE / "impulse.json", tmp_path_factory.mktemp("kws_example"))


def test_impulse_is_the_documented_one() -> None:
    impulse = json.loads((EXAMPLE / "impulse.json").read_text())
    assert impulse["labels"] == LABELS
    assert impulse["dsp"] == {"block": "mfcc", "parameters": {}}
    assert impulse["input"] == {"kind": "audio", "sampling_freq": 16000, "window_ms": 1000}
    assert (EXAMPLE / impulse["model"]).is_file() and (EXAMPLE / "kws_float.tflite").is_file()
    assert (EXAMPLE / "labels.txt").read_text().split("\n")[:4] == LABELS


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_shipped_samples(built: Built, name: str) -> None:
    scores, prediction = classify(built.exe, EXAMPLE / "samples" / name)
    assert sorted(scores) == sorted(LABELS)
    assert prediction == SAMPLES[name], scores
    assert abs(sum(scores.values()) - 1) < 0.02


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_recordings(built: Built, shared_dir: Path, name: str) -> None:
    """Real speech and noise, never trained on: the point of the example."""
    scores, prediction = classify(built.exe, shared_dir / "testdata" / name)
    assert prediction == REAL[name], scores


def _window(wav: Path) -> np.ndarray:
    with wave.open(str(wav)) as f:
        return np.frombuffer(f.readframes(16000), "<i2").astype(np.int16)


def test_cortex_m4_agrees(built: Built, shared_dir: Path, tmp_path: Path) -> None:
    impulse = build_impulse(EXAMPLE / "impulse.json")
    for name in ("yes_1000ms.wav", "no_1000ms.wav"):
        run = run_probe_on_m4(impulse, built.out, _window(shared_dir / "testdata" / name),
                              tmp_path / name.split("_")[0])  # fmt: skip
        assert LABELS[run.best] == REAL[name]
