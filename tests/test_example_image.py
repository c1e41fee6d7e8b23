"""The image example (examples/image): its committed impulse, library and accuracy, and
the grayscale path with the MLPerf visual wake words model.

Nothing is retrained: the committed int8 model is checked on freshly rendered pictures
(another seed than training and its test set) with tinygen's bit-exact reference of the
generated C; its library is generated, built with CMake and run on the shipped BMP
samples on the host and, for one of them, on the emulated Cortex-M4.

The visual wake words part (needs ../shared) builds a gray8 impulse in front of
vww_96_int8 and classifies testdata/person.bmp and no_person.bmp. person.bmp holds its
pixels with the top bit flipped (each value is the true one + 128, modulo 256: bright
and dark swap halves, smooth shading wraps from white to black), and the model says
"no person" on it; with the bit restored it says "person". no_person.bmp is intact.
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

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "image"
sys.path.insert(0, str(EXAMPLE))

from render import LABELS, dataset, write_bmp  # noqa: E402

VWW_LABELS = ["no person", "person"]  # MLPerf's class order: non_person, person


@pytest.fixture(scope="module")
def fruit(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_example(EXAMPLE / "impulse.json", tmp_path_factory.mktemp("fruit"))


def reference_scores(impulse: Impulse, pixels: np.ndarray) -> np.ndarray:
    """The int8 impulse's output on ``pixels`` by tinygen's reference: image block, model."""
    return model_output(impulse, pixels)


def test_impulse_is_the_documented_one() -> None:
    impulse = json.loads((EXAMPLE / "impulse.json").read_text())
    assert impulse["input"] == {"kind": "image", "width": 96, "height": 96, "format": "rgb888"}
    assert impulse["dsp"] == {"block": "image", "parameters": {}}
    assert impulse["labels"] == list(LABELS) and "unknown" in LABELS and len(LABELS) >= 4
    assert (EXAMPLE / "labels.txt").read_text().splitlines() == list(LABELS)
    models = [EXAMPLE / impulse["model"], EXAMPLE / "fruit_float.tflite"]
    assert sum(m.stat().st_size for m in models) < 1_000_000
    recorded = json.loads((EXAMPLE / "results.json").read_text())
    assert recorded["int8_accuracy"] >= 0.9 and recorded["float_accuracy"] >= 0.9


def test_block_defaults_come_from_the_model(fruit: Built) -> None:
    params = fruit.impulse.dsp_document["parameters"]
    assert (params["channels"], params["width"], params["height"]) == ("RGB", 96, 96)
    assert params["output_type"] == "int8"


def test_committed_model_is_accurate_on_new_pictures(fruit: Built) -> None:
    pictures, labels = dataset(40, seed=424242)
    predicted = np.array([int(np.argmax(reference_scores(fruit.impulse, p))) for p in pictures])
    accuracy = float(np.mean(predicted == labels))
    print(f"fruit int8 accuracy on {len(labels)} new pictures: {accuracy:.3f}")
    assert accuracy >= 0.9


@pytest.mark.parametrize("label", LABELS)
def test_shipped_samples_on_the_host(fruit: Built, label: str) -> None:
    sample = EXAMPLE / "samples" / f"{label}.bmp"
    scores, prediction = classify(fruit.exe, sample)
    assert list(scores) == list(LABELS)
    assert prediction == label, scores
    assert abs(sum(scores.values()) - 1) < 0.02
    python = reference_scores(fruit.impulse, read_window(sample, fruit.impulse.config))
    q = fruit.impulse.model_tensor(output=True).quant
    dequantized = (python.astype(np.float64) - q.zero_point0) * q.scale0
    np.testing.assert_allclose(list(scores.values()), dequantized, atol=5.1e-6)


def test_a_sample_on_the_cortex_m4(fruit: Built, tmp_path: Path) -> None:
    sample = EXAMPLE / "samples" / "banana.bmp"
    host, _ = classify(fruit.exe, sample)
    run = run_probe_on_m4(fruit.impulse, fruit.out, read_window(sample, fruit.impulse.config),
                          tmp_path)  # fmt: skip
    assert LABELS[run.best] == "banana"
    np.testing.assert_allclose(run.scores, list(host.values()), atol=5.1e-6)


# --- visual wake words, grayscale ------------------------------------------------------


@pytest.fixture(scope="module")
def vww(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    folder = tmp_path_factory.mktemp("vww")
    impulse = {"name": "vww", "input": {"kind": "image", "width": 96, "height": 96,
                                        "format": "gray8"},
               "dsp": {"block": "image", "parameters": {}},
               "model": str(shared_dir / "models" / "vww_96_int8.tflite"),
               "labels": VWW_LABELS}  # fmt: skip
    (folder / "vww.json").write_text(json.dumps(impulse))
    return build_example(folder / "vww.json", folder)


def _wrap_jumps(gray: np.ndarray) -> float:
    """The share of neighbouring pixels more than 160 apart: near 0 in a photo, high where
    values wrap around (a smooth shade crossing 128 after a flipped top bit)."""
    g = gray.astype(np.int32)
    return float((np.abs(np.diff(g, axis=0)) > 160).mean()
                 + (np.abs(np.diff(g, axis=1)) > 160).mean())


def test_vww_gray8_path(vww: Built, shared_dir: Path, tmp_path: Path) -> None:
    params = vww.impulse.dsp_document["parameters"]
    # A gray8 camera in front of an RGB model: the block repeats the luma in 3 channels.
    assert (params["channels"], params["output_type"]) == ("RGB", "int8")
    testdata = shared_dir / "testdata"
    person = read_window(testdata / "person.bmp", vww.impulse.config)
    assert person.shape == (96, 96)
    restored = tmp_path / "person_restored.bmp"
    write_bmp(restored, np.repeat((person ^ 0x80)[..., None], 3, axis=2))
    # person.bmp's damage, measured: its values wrap; restoring the top bit removes that,
    # and the same change would damage no_person.bmp.
    no_person = read_window(testdata / "no_person.bmp", vww.impulse.config)
    assert _wrap_jumps(person) > 4 * _wrap_jumps(person ^ 0x80)
    assert _wrap_jumps(no_person) < 0.01 < _wrap_jumps(no_person ^ 0x80)
    predictions = {}
    for path in (testdata / "person.bmp", testdata / "no_person.bmp", restored):
        scores, predictions[path.stem] = classify(vww.exe, path)
        python = reference_scores(vww.impulse, read_window(path, vww.impulse.config))
        assert VWW_LABELS[int(np.argmax(python))] == predictions[path.stem]
        print(f"vww {path.name}: {scores}")
    assert predictions == {"person": "no person", "no_person": "no person",
                           "person_restored": "person"}
