"""The motion example (examples/motion): its committed impulse, library and accuracy.

Nothing is retrained: the committed int8 model is checked on freshly simulated windows
(other seeds than training and its test set) with tinygen's bit-exact reference of the
generated C, its library is generated, built with CMake and run on the shipped CSV
samples on the host and on the emulated Cortex-M4.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from example_harness import Built, build_example, classify

from tinygen.impulse.generate import Impulse
from tinygen.impulse.reference import model_output
from tinygen.impulse.samples import read_window
from tinygen.target.impulse_probe import run_probe_on_m4

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "motion"
sys.path.insert(0, str(EXAMPLE))

from simulate import LABELS, dataset  # noqa: E402


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_example(EXAMPLE / "impulse.json", tmp_path_factory.mktemp("motion"))


def _label(impulse: Impulse, window: np.ndarray) -> int:
    return int(np.argmax(model_output(impulse, window)))


def test_committed_model_is_accurate_on_new_windows(built: Built) -> None:
    impulse = built.impulse
    assert impulse.config.labels == LABELS
    windows, labels = dataset(60, seed=424242)
    predicted = np.array([_label(impulse, w) for w in windows])
    accuracy = float(np.mean(predicted == labels))
    print(f"motion int8 accuracy on 180 new windows: {accuracy:.3f}")
    assert accuracy >= 0.95
    recorded = json.loads((EXAMPLE / "results.json").read_text())
    assert recorded["int8_accuracy"] >= 0.95 and recorded["float_accuracy"] >= 0.95


def test_samples_on_the_host_and_the_cortex_m4(built: Built, tmp_path: Path) -> None:
    impulse = built.impulse
    for label in LABELS:
        sample = EXAMPLE / "samples" / f"{label}.csv"
        scores, prediction = classify(built.exe, sample)
        assert prediction == label
        window = read_window(sample, impulse.config)
        assert LABELS[_label(impulse, window)] == label
        run = run_probe_on_m4(impulse, built.out, window, tmp_path / label)
        assert impulse.config.labels[run.best] == label
        host = [scores[name] for name in impulse.config.labels]
        np.testing.assert_allclose(run.scores, host, atol=5.1e-6)  # printed with 5 decimals
