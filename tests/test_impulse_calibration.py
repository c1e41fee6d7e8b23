"""A float model behind an impulse, quantized on the way from the impulse's own files.

``generate-library impulse.json --calibration FOLDER`` and ``tinygen quantize impulse.json
--calibration FOLDER`` read each WAV, CSV or image of FOLDER as the classify program does,
run it through the DSP block's reference and calibrate the float model on the features.
Checked: the readers give back exactly the windows the files were written from; the
calibration samples are those features; the two commands make the same int8 model, so
the library built on the way is the one built from ``tinygen quantize``'s file; and bad
folders, files and models stop with exit 2 and nothing written.
"""

from __future__ import annotations

import json
import struct
import wave
from pathlib import Path

import numpy as np
import pytest
from quantize_harness import _float_tflite

from tinygen.cli import main
from tinygen.frontend.tflite import read_tflite
from tinygen.impulse.calibration import features, folder_features
from tinygen.impulse.config import dsp_document, parse_config
from tinygen.impulse.samples import read_window

AUDIO = {
    "name": "clap",
    "input": {"kind": "audio", "sampling_freq": 8000, "window_ms": 250},
    "dsp": {"block": "mfcc", "parameters": {"frame_length": 0.032, "frame_stride": 0.016,
                                            "num_filters": 20, "num_cepstral": 8}},
    "labels": ["quiet", "clap"],
}
MOTION = {
    "name": "shake",
    "input": {"kind": "motion", "sampling_freq": 50, "window_ms": 1000, "axes": ["x", "y"]},
    "dsp": {"block": "spectral_analysis", "parameters": {"fft_length": 16}},
    "labels": ["still", "shaking", "falling"],
}
IMAGE = {
    "name": "spot",
    "input": {"kind": "image", "width": 12, "height": 10, "format": "gray8"},
    "dsp": {"block": "image", "parameters": {"resize_mode": "squash", "width": 8,
                                             "height": 8}},
    "labels": ["dark", "bright"],
}


def _write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(rate)
        f.writeframes(samples.astype("<i2").tobytes())


def _write_bmp(path: Path, rgb: np.ndarray, bits: int = 24, top_down: bool = False) -> None:
    height, width, _ = rgb.shape
    if bits == 8:  # a palette of the image's own colours
        colours, index = np.unique(rgb.reshape(-1, 3), axis=0, return_inverse=True)
        pixels = index.reshape(height, width).astype(np.uint8)[..., None]
        palette = np.concatenate([colours[:, ::-1], np.zeros((len(colours), 1), np.uint8)],
                                 axis=1).astype(np.uint8).tobytes()
    else:
        pixels = rgb[..., ::-1]
        if bits == 32:
            pixels = np.concatenate([pixels, np.full((height, width, 1), 255, np.uint8)], 2)
        palette, colours = b"", []
    stride = (bits * width + 31) // 32 * 4
    rows = [np.ascontiguousarray(r).tobytes().ljust(stride, b"\0") for r in pixels]
    body = b"".join(rows if top_down else rows[::-1])
    offset = 54 + len(palette)
    header = struct.pack("<2sIHHI", b"BM", offset + len(body), 0, 0, offset)
    info = struct.pack("<IiiHHIIiiII", 40, width, -height if top_down else height, 1, bits, 0,
                       len(body), 2835, 2835, len(colours), 0)
    path.write_bytes(header + info + palette + body)


def _write_ppm(path: Path, rgb: np.ndarray, gray: bool = False) -> None:
    height, width, _ = rgb.shape
    data = rgb[..., 0] if gray else rgb
    path.write_bytes(f"P{5 if gray else 6}\n# made by a test\n{width} {height}\n255\n".encode()
                     + np.ascontiguousarray(data).tobytes())


def _luma(rgb: np.ndarray) -> np.ndarray:
    r, g, b = (rgb[..., i].astype(np.uint32) for i in range(3))
    return ((19595 * r + 38470 * g + 7471 * b + 32768) >> 16).astype(np.uint8)


def _impulse(config: dict, folder: Path, model: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{config['name']}.tflite").write_bytes(model)
    path = folder / f"{config['name']}.json"
    path.write_text(json.dumps({**config, "model": f"{config['name']}.tflite"}))
    return path


def _float_model(inputs: int, outputs: int, seed: int) -> bytes:
    import tensorflow as tf

    tf.keras.utils.set_random_seed(seed)
    layers = tf.keras.layers
    model = tf.keras.Sequential([layers.Input((inputs,)), layers.Dense(6, activation="relu"),
                                 layers.Dense(outputs, activation="softmax")])
    return _float_tflite(model)


def test_readers_give_the_written_windows(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    (tmp_path / "m.tflite").write_bytes(b"")  # the config only checks that it exists
    audio = parse_config({**AUDIO, "model": "m.tflite"}, tmp_path / "a.json")
    samples = rng.integers(-32768, 32768, 2500).astype(np.int16)
    _write_wav(tmp_path / "long.wav", samples, 8000)
    np.testing.assert_array_equal(read_window(tmp_path / "long.wav", audio), samples[:2000])
    motion = parse_config({**MOTION, "model": "m.tflite"}, tmp_path / "m.json")
    window = rng.normal(0, 3, (60, 2)).astype(np.float32)
    text = "x,y\n" + "".join(f"{a!r},{b!r}\n" for a, b in window.tolist())
    (tmp_path / "w.csv").write_text(text)
    np.testing.assert_array_equal(read_window(tmp_path / "w.csv", motion),
                                  window[:50].reshape(-1))
    image = parse_config({**IMAGE, "model": "m.tflite"}, tmp_path / "i.json")
    rgb_image = parse_config({**IMAGE, "input": {**IMAGE["input"], "format": "rgb888"},
                              "model": "m.tflite"}, tmp_path / "j.json")
    rgb = rng.integers(0, 256, (10, 12, 3)).astype(np.uint8)
    few = rng.integers(0, 256, (7, 3)).astype(np.uint8)[rng.integers(0, 7, (10, 12))]
    for name, writer, data in (
        ("b24.bmp", lambda p: _write_bmp(p, rgb), rgb),
        ("b32.bmp", lambda p: _write_bmp(p, rgb, 32, top_down=True), rgb),
        ("b8.bmp", lambda p: _write_bmp(p, few, 8), few),
        ("p6.ppm", lambda p: _write_ppm(p, rgb), rgb),
    ):
        writer(tmp_path / name)
        np.testing.assert_array_equal(read_window(tmp_path / name, rgb_image), data, name)
        np.testing.assert_array_equal(read_window(tmp_path / name, image), _luma(data), name)
    _write_ppm(tmp_path / "p5.pgm", rgb, gray=True)
    np.testing.assert_array_equal(read_window(tmp_path / "p5.pgm", image), rgb[..., 0])


@pytest.mark.parametrize("config", [AUDIO, MOTION, IMAGE], ids=lambda c: c["name"])
def test_generate_library_quantizes_through_the_dsp(config: dict, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(len(config["name"]))
    cal = tmp_path / "cal"
    cal.mkdir()
    inp = config["input"]
    for i in range(12):
        if inp["kind"] == "audio":
            t = np.arange(2000)
            tone = np.sin(2 * np.pi * t * rng.uniform(0.01, 0.2)) * rng.uniform(500, 8000)
            _write_wav(cal / f"{i:02}.wav", (tone + rng.normal(0, 300, 2000)).astype(np.int16),
                       8000)
        elif inp["kind"] == "motion":
            rows = rng.normal(0, rng.uniform(0.5, 5), (50, 2))
            (cal / f"{i:02}.csv").write_text("".join(f"{a},{b}\n" for a, b in rows))
        else:
            _write_bmp(cal / f"{i:02}.bmp", rng.integers(0, 256, (10, 12, 3)).astype(np.uint8))
    (cal / "notes.txt").write_text("not a sample: ignored")
    # The float model, sized from the DSP's feature count.
    probe = _impulse(config, tmp_path / "probe", _float_model(4, len(config["labels"]), 0))
    parsed = parse_config(json.loads(probe.read_text()), probe)
    params = dict(config["dsp"]["parameters"])
    if inp["kind"] == "image":
        params["output_type"] = "float32"
    document = dsp_document(parsed, params)
    count = features(document, read_window(sorted(cal.iterdir())[0], parsed)).size
    path = _impulse(config, tmp_path / "imp", _float_model(count, len(config["labels"]), 1))
    cfg = parse_config(json.loads(path.read_text()), path)
    expected = np.stack([features(document, read_window(f, cfg))
                         for f in sorted(cal.iterdir()) if f.suffix != ".txt"])
    np.testing.assert_array_equal(folder_features(cal, cfg, document), expected)

    out = tmp_path / "out"
    assert main(["generate-library", str(path), "--calibration", str(cal), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "SQNR of the int8 model against the float model on 12 calibration" in printed
    report = json.loads((out / "report.json").read_text())
    assert report["quantization"]["calibration_samples"] == 12
    assert "## Quantization" in (out / "REPORT.md").read_text()
    # tinygen quantize makes the same int8 model; a library from it is the same library.
    q = tmp_path / "imp" / "q.tflite"
    assert main(["quantize", str(path), "--calibration", str(cal), "-o", str(q)]) == 0
    graph = read_tflite(q)
    assert graph.tensors[graph.inputs[0]].dtype == "int8"
    (tmp_path / "imp" / "q.json").write_text(json.dumps({**config, "model": "q.tflite"}))
    again = tmp_path / "again"
    assert main(["generate-library", str(tmp_path / "imp" / "q.json"), "-o", str(again)]) == 0
    for file in sorted((out / "src").glob(f"{config['name']}_model*")):
        assert file.read_text() == (again / "src" / file.name).read_text(), file.name


def test_calibration_errors_write_nothing(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = _impulse(MOTION, tmp_path / "imp", _float_model(4, 3, 0))
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "out"

    def refused(*args: str) -> str:
        assert main(["generate-library", str(path), "-o", str(out), *args]) == 2
        assert not out.exists()
        err = capsys.readouterr().err
        assert "Traceback" not in err
        return err

    assert "holds no .csv file" in refused("--calibration", str(empty))
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.csv").write_text("x,y\n1,2\n")
    assert "a.csv: holds 1 samples; the impulse needs 50" in refused("--calibration", str(bad))
    (bad / "a.csv").write_text("1,2,3\n" * 50)
    assert "has 3 columns; the impulse has 2 axes (x, y)" in refused("--calibration", str(bad))
    (bad / "a.csv").write_text("1,nan\n" * 50)
    assert "not a finite number" in refused("--calibration", str(bad))
    assert "no such calibration file or folder" in refused("--calibration",
                                                           str(tmp_path / "missing"))
    np.save(tmp_path / "cal.npy", np.zeros((3, 7), np.float32))
    assert "the model's input is [1, 4]" in refused("--calibration", str(tmp_path / "cal.npy"))
    # An int8 model needs no calibration.
    import tf_models

    int8 = _impulse({**MOTION, "name": "int8"}, tmp_path / "q", tf_models.dense_model())
    assert main(["generate-library", str(int8), "-o", str(out), "--calibration",
                 str(empty)]) == 2
    assert "it is quantized already" in capsys.readouterr().err
    assert not out.exists()
    # The quantize command refuses the same way and writes no file.
    q = tmp_path / "q.tflite"
    assert main(["quantize", str(path), "--calibration", str(empty), "-o", str(q)]) == 2
    assert not q.exists() and not q.with_name("q.tflite.report.json").exists()


def test_a_float_model_alone_is_quantized_on_the_way(tmp_path: Path) -> None:
    model = tmp_path / "dense.tflite"
    model.write_bytes(_float_model(5, 3, 2))
    np.save(tmp_path / "cal.npy", np.random.default_rng(0).normal(size=(20, 5)).astype(np.float32))
    out, again = tmp_path / "out", tmp_path / "again"
    assert main(["generate-library", str(model), "--calibration", str(tmp_path / "cal.npy"),
                 "--ranges", "mse", "--name", "net", "-o", str(out)]) == 0
    q = tmp_path / "q.tflite"
    assert main(["quantize", str(model), "--calibration", str(tmp_path / "cal.npy"),
                 "--ranges", "mse", "-o", str(q)]) == 0
    assert main(["generate-library", str(q), "--name", "net", "-o", str(again)]) == 0
    sources = sorted(p.name for p in out.rglob("net*"))
    assert sources and sources == sorted(p.name for p in again.rglob("net*"))
    for file in out.rglob("net*"):
        assert file.read_text() == next(again.rglob(file.name)).read_text(), file.name
    # without calibration it compiles as it is, in float32 (tests/test_float_models.py)
    plain = tmp_path / "plain"
    assert main(["generate-library", str(model), "--name", "net", "-o", str(plain)]) == 0
    assert (plain / "src" / "tg_fully_connected_f32.c").is_file()
    assert not (out / "src" / "tg_fully_connected_f32.c").exists()
