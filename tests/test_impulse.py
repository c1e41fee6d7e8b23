"""Impulses: a DSP block, a model and labels behind one classifier call.

``tinygen generate-library impulse.json -o OUT`` writes a CMake project; these tests
build it, run its host ``NAME_classify`` on recordings, images and CSV files and compare
with Python: the DSP block's numpy reference, quantized with the model input's scale
and zero point, tinygen's numpy reference of the model, dequantized.

Tolerances come from the DSP blocks' own (README, DSP blocks): a feature of the C
may differ from the float64 reference by 1e-3 (MFCC after normalization) or by 1e-4
relative / 5e-4 absolute (spectral analysis); where the reference lies that close to a
rounding boundary of the model's input quantization, the C's int8 input may be one step
off. The tests check that the C's input differs nowhere else, and that its scores lie
in the envelope of the model's scores over every choice of those ambiguous inputs (and
equal the model's scores on the C's own input exactly). Images are bit-exact.

The motion, camera and small audio impulses use models built here with TensorFlow, so
the impulse path is tested without ../shared; kws and vww use the conformance models.
"""

from __future__ import annotations

import itertools
import json
import os
import struct
import subprocess
import wave
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from audio_harness import RECORDINGS, read_recording
from device_harness import KWS, VWW, bmp_rgb, feature_count
from dsp_harness import build_block
from library_build import STRICT_C, STRICT_CXX, compile_objects, global_symbols, writable_bytes

from tinygen.cli import main
from tinygen.dsp import image, mfcc, spectral
from tinygen.dsp.blocks import generate_block
from tinygen.impulse.generate import Impulse, build_impulse
from tinygen.impulse.memory import CONTINUOUS_STATE
from tinygen.lowering.quantize import QuantizeParams
from tinygen.reference.dsp.image import image_features
from tinygen.reference.dsp.mfcc import mfcc as reference_mfcc
from tinygen.reference.dsp.spectral import spectral_features
from tinygen.reference.interpreter import run_reference
from tinygen.reference.quantize import quantize_f32_s8
from tinygen.verify.cbuild import build_shared

#: The DSP blocks' tolerances against their float64 references (README).
MFCC_TOLERANCE = 1e-3
SPECTRAL_RELATIVE, SPECTRAL_ABSOLUTE = 1e-4, 5e-4
#: Sanitizers for the host builds of the impulses made here (hostile files are read).
SANITIZE = "-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
#: A sanitizer's report exits with these (leaks of a program that exits on a bad file are
#: not errors).
SANITIZER_ENV = {**os.environ, "ASAN_OPTIONS": "exitcode=86:detect_leaks=0",
                 "UBSAN_OPTIONS": "exitcode=87:print_stacktrace=1"}
LUMA = (19595, 38470, 7471)

MOTION_DSP = {"fft_length": 16, "filter_type": "low", "filter_cutoff": 8, "filter_order": 4}
MOTION = {
    "name": "motion",
    "input": {"kind": "motion", "sampling_freq": 62.5, "window_ms": 2000,
              "axes": ["accX", "accY", "accZ"]},
    "dsp": {"block": "spectral_analysis", "parameters": MOTION_DSP},
    "labels": ["idle", "wave", "circle"],
}
CAM = {
    "name": "cam",
    "input": {"kind": "image", "width": 20, "height": 16, "format": "gray8"},
    "dsp": {"block": "image", "parameters": {"resize_mode": "fit-shortest"}},
    "labels": ["dark", "light \"bright\" ??/ \u00e9"],  # exact text, escaped in the C
}
#: Flatten (no working buffers) on a model with float input and output (QUANTIZE and
#: DEQUANTIZE inside): the features are written as floats into the float input.
FLOAT_IO = {
    "name": "flt",
    "input": {"kind": "motion", "sampling_freq": 50, "window_ms": 1000, "axes": ["x", "y"]},
    "dsp": {"block": "flatten", "parameters": {"scale_axes": 0.1}},
    "labels": ["left", "right", "up"],
}
TINY_DSP = {"frame_length": 0.032, "frame_stride": 0.016, "num_filters": 20, "num_cepstral": 8}
TINY = {
    "name": "tiny",
    "input": {"kind": "audio", "sampling_freq": 8000, "window_ms": 250},
    "dsp": {"block": "mfcc", "parameters": TINY_DSP},
    "labels": ["a", "b"],
}


@dataclass(frozen=True)
class Built:
    folder: Path
    json: Path
    out: Path
    exe: Path
    impulse: Impulse


def _write_json(config: dict, folder: Path, model: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{config['name']}.json"
    path.write_text(json.dumps({"model": os.path.relpath(model, folder), **config}))
    return path


def _build(config: dict, folder: Path, model: Path, cflags: str = "") -> Built:
    """generate-library on the impulse, then a CMake build of OUT."""
    path = _write_json(config, folder, model)
    out = folder / "out"
    assert main(["generate-library", str(path), "-o", str(out)]) == 0
    build = folder / "build"
    flags = f"-DCMAKE_C_FLAGS=-Wall -Wextra -Werror -pedantic {cflags}"
    subprocess.run(["cmake", "-S", str(out), "-B", str(build), flags], check=True,
                   capture_output=True)
    subprocess.run(["cmake", "--build", str(build)], check=True, capture_output=True)
    exe = build / f"{config['name']}_classify"
    assert exe.is_file()
    return Built(folder, path, out, exe, build_impulse(path))


def _run(exe: Path, file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(exe), str(file)], capture_output=True, text=True, env=SANITIZER_ENV)


def _classify(exe: Path, file: Path) -> tuple[list[float], str]:
    """The scores and the prediction ``exe`` prints for ``file``."""
    result = _run(exe, file)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    scores = [float(line.rpartition(": ")[2]) for line in lines[:-1]]
    assert lines[-1].startswith("prediction: ")
    return scores, lines[-1].removeprefix("prediction: ")


def _quantized(impulse: Impulse, features: np.ndarray) -> np.ndarray:
    q = impulse.model_tensor().quant
    flat = np.asarray(features, np.float32).reshape(-1)
    return quantize_f32_s8(QuantizeParams(flat.size, int(q.zero_point0), np.float32(q.scale0)),
                           flat)


def _model_scores(impulse: Impulse, model_input: np.ndarray) -> np.ndarray:
    """tinygen's numpy reference of the model, dequantized as the glue does."""
    graph = impulse.model.graph
    x = np.asarray(model_input, np.int8).reshape(impulse.model_tensor().shape)
    out = run_reference(graph, impulse.model.calls, [x])[graph.outputs[0]].reshape(-1)
    q = impulse.model_tensor(output=True).quant
    return (np.float64(np.float32(q.scale0)) * (out.astype(np.float64) - q.zero_point0)).astype(
        np.float32)


def _ambiguous(impulse: Impulse, features: np.ndarray, tolerance: np.ndarray) -> np.ndarray:
    """The step (+1 or -1) to the other rounding of each feature within ``tolerance`` of a
    rounding boundary of the model's input quantization, 0 elsewhere."""
    scale = float(impulse.model_tensor().quant.scale0)
    ratio = np.asarray(features, np.float64).reshape(-1) / scale
    near = np.abs(np.abs(ratio - np.trunc(ratio)) - 0.5) * scale < tolerance
    rounded = np.trunc(ratio + np.copysign(0.5, ratio))  # halves away from zero
    return np.where(near, np.where(rounded > ratio, -1, 1), 0)


def _envelope(impulse: Impulse, q: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """(2, labels): the lowest and highest score over every choice of rounding of the
    ambiguous inputs (``steps``: see _ambiguous)."""
    where = np.flatnonzero(steps)
    assert where.size <= 10, f"{where.size} features near a rounding boundary"
    runs = []
    for chosen in itertools.product((0, 1), repeat=where.size):
        x = q.astype(np.int32)
        x[where] += steps[where] * np.array(chosen, dtype=np.int32)
        runs.append(_model_scores(impulse, np.clip(x, -128, 127)))
    return np.stack([np.min(runs, axis=0), np.max(runs, axis=0)])


def _check_scores(built: Built, file: Path, features: np.ndarray, tolerance: np.ndarray,
                  c_input: np.ndarray) -> dict[str, float]:
    """The classify program's scores on ``file`` against the Python reference ``features``:
    returns the measured differences."""
    impulse = built.impulse
    printed, prediction = _classify(built.exe, file)
    q = _quantized(impulse, features)
    steps = _ambiguous(impulse, features, tolerance)
    off = c_input != q
    # The C's input differs only where the tolerance allows, by the step to the other side.
    np.testing.assert_array_equal(c_input[off].astype(int) - q[off], steps[off])
    exact = _model_scores(impulse, c_input)
    np.testing.assert_allclose(printed, exact, atol=5.1e-6)  # printed with 5 decimals
    low, high = _envelope(impulse, q, steps)
    assert np.all(printed >= low - 5.1e-6) and np.all(printed <= high + 5.1e-6)
    python = _model_scores(impulse, q)
    labels = impulse.config.labels
    assert prediction == labels[int(np.argmax(python))]
    return {"inputs_off": int(off.sum()), "ambiguous": int(np.count_nonzero(steps)),
            "score_difference": float(np.max(np.abs(np.asarray(printed) - python)))}


def _harness(built: Built, extra: str = "") -> tuple[object, object]:
    """The library through cffi, built with its debug hook and the arena guard."""
    name = built.impulse.name
    labels = len(built.impulse.config.labels)
    cdef = (
        f"typedef struct {{ float scores[{labels}]; int best; uint32_t dsp_us, inference_us; }}"
        f" {name}_result_t;\n"
        f"int {name}_run_classifier(const float *signal, size_t length, {name}_result_t *r);\n"
        f"void {name}_set_clock(uint32_t (*micros)(void));\n"
        f"void {name}_debug_features_only(int on);\n"
        f"void *{name}_model_input(int index);\n"
        f"int {name}_model_debug_guards_intact(void);\n" + extra
    )
    upper = name.upper()
    workdir = built.folder / "harness"
    workdir.mkdir(exist_ok=True)
    return build_shared(
        sorted((built.out / "src").glob("*.c")), [built.out / "src"],
        cdef, workdir=workdir, defines=[f"{upper}_DEBUG_FEATURES", f"{upper}_MODEL_ARENA_GUARD"],
    )


def _features_in_input(
    ffi: object, lib: object, built: Built, run: str, *args: object
) -> np.ndarray:
    """The values ``NAME_<run>`` writes into the model's input, before inference."""
    name = built.impulse.name
    result = ffi.new(f"{name}_result_t *")
    getattr(lib, f"{name}_debug_features_only")(1)
    try:
        assert getattr(lib, f"{name}_{run}")(*args, result) == 0
    finally:
        getattr(lib, f"{name}_debug_features_only")(0)
    assert getattr(lib, f"{name}_model_debug_guards_intact")() == 1
    tensor = built.impulse.model_tensor()
    data = ffi.buffer(getattr(lib, f"{name}_model_input")(0), tensor.nbytes)
    return np.frombuffer(data, tensor.dtype).copy()


def _standalone(built: Built, workdir: Path) -> tuple[object, object, str]:
    """The impulse's DSP block as generate-dsp writes it (static buffers), through cffi."""
    block = generate_block(built.impulse.dsp_document, f"{built.impulse.name}_alone")
    in_type = "uint8_t" if built.impulse.config.kind == "image" else "float"
    out_type = "float" if built.impulse.float_features else "int8_t"
    cdef = f"int {block.name}_run(const {in_type} *input, {out_type} *output);"
    ffi, lib = build_block(block, workdir, cdef)
    return ffi, lib, block.name


def _write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(rate)
        f.writeframes(np.asarray(samples, "<i2").tobytes())


def _write_bmp24(path: Path, rgb: np.ndarray) -> None:
    height, width, _ = rgb.shape
    stride = (3 * width + 3) // 4 * 4
    rows = np.zeros((height, stride), np.uint8)
    rows[:, : 3 * width] = rgb[::-1, :, ::-1].reshape(height, -1)  # bottom-up, BGR
    pixels = rows.tobytes()
    header = struct.pack("<2sIHHI", b"BM", 54 + len(pixels), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    path.write_bytes(header + info + pixels)


def _write_ppm(path: Path, rgb: np.ndarray) -> None:
    height, width, _ = rgb.shape
    path.write_bytes(f"P6\n# made by a test\n{width} {height}\n255\n".encode() + rgb.tobytes())


def _luma(rgb: np.ndarray) -> np.ndarray:
    return ((rgb.astype(np.int64) @ np.array(LUMA) + 32768) >> 16).astype(np.uint8)


def _motion_window(seed: int) -> np.ndarray:
    """125 samples x 3 axes, multiples of 1/64 (exact in CSV text and in float)."""
    rng = np.random.default_rng(seed)
    t = np.arange(125) / 62.5
    x = np.stack([np.sin(2 * np.pi * rng.uniform(1, 4) * t) * rng.uniform(0.5, 3),
                  np.cos(2 * np.pi * rng.uniform(1, 4) * t) + rng.normal(0, 0.2, t.size),
                  9.81 + rng.normal(0, 0.3, t.size)], axis=1)
    return np.round(x * 64) / 64


def _write_csv(path: Path, window: np.ndarray, header: bool = True) -> None:
    lines = ["accX,accY,accZ"] if header else []
    lines += [",".join(f"{v:.6f}" for v in row) for row in window]
    path.write_text("\r\n".join(lines) + "\r\n")


@cache
def _keras_models() -> dict[str, bytes]:
    """The models of the motion, camera and small audio impulses (built once)."""
    import keras_models
    import tensorflow as tf

    layers = tf.keras.layers
    import tf_models

    rng = np.random.default_rng(8)
    weights = tf.constant(rng.normal(size=(feature_count(FLOAT_IO), 3)).astype(np.float32))
    models = {"flt": tf_models.convert(lambda x: tf.nn.softmax(tf.matmul(x, weights)),
                                       (1, feature_count(FLOAT_IO)), float_io=True)}
    for name, shape, build, low, high in (
        ("motion", (feature_count(MOTION),), lambda: [layers.Dense(8, activation="relu"),
                                                       layers.Dense(3, activation="softmax")],
         -4.0, 4.0),
        ("cam", (16, 16, 1), lambda: [layers.Conv2D(4, 3, strides=2, activation="relu"),
                                      layers.Flatten(), layers.Dense(2, activation="softmax")],
         0.0, 1.0),
        ("tiny", (feature_count(TINY),), lambda: [layers.Dense(2, activation="softmax")],
         -3.0, 3.0),
    ):
        tf.keras.utils.set_random_seed(7)
        model = tf.keras.Sequential([layers.Input(shape), *build()])
        models[name] = keras_models.convert(model, shape, low=low, high=high)
    return models


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("models")
    paths = {}
    for name, data in _keras_models().items():
        paths[name] = folder / f"{name}.tflite"
        paths[name].write_bytes(data)
    return paths


@pytest.fixture(scope="module")
def motion(models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(MOTION, tmp_path_factory.mktemp("motion"), models["motion"], SANITIZE)


@pytest.fixture(scope="module")
def cam(models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(CAM, tmp_path_factory.mktemp("cam"), models["cam"], SANITIZE)


@pytest.fixture(scope="module")
def tiny(models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(TINY, tmp_path_factory.mktemp("tiny"), models["tiny"], SANITIZE)


@pytest.fixture(scope="module")
def flt(models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(FLOAT_IO, tmp_path_factory.mktemp("flt"), models["flt"])


@pytest.fixture(scope="module")
def kws(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    model = shared_dir / "models" / "kws_ref_model.tflite"
    return _build(KWS, tmp_path_factory.mktemp("kws"), model)


@pytest.fixture(scope="module")
def vww(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(VWW, tmp_path_factory.mktemp("vww"), shared_dir / "models" / "vww_96_int8.tflite")


# --- kws: MFCC on the recordings -------------------------------------------------------


def test_kws_classifies_the_recordings_as_python_does(kws: Built, shared_dir: Path) -> None:
    ffi, lib = _harness(kws, "int kws_run_classifier_i16(const int16_t *s, size_t n, "
                             "kws_result_t *r);")
    alone_ffi, alone, alone_name = _standalone(kws, kws.folder / "alone")
    params = mfcc.parse_params(KWS["dsp"]["parameters"])
    measured = {}
    for recording in RECORDINGS:
        rate, samples = read_recording(shared_dir, recording)
        assert rate == 16000
        floats = samples.astype(np.float32)
        from_i16 = _features_in_input(ffi, lib, kws, "run_classifier_i16",
                                      ffi.from_buffer("int16_t[]", samples.copy()), samples.size)
        from_float = _features_in_input(ffi, lib, kws, "run_classifier",
                                        ffi.from_buffer("float[]", floats), samples.size)
        # The library's features are the standalone block's, quantized.
        standalone = np.zeros(kws.impulse.dsp.output_length, np.float32)
        assert getattr(alone, f"{alone_name}_run")(
            alone_ffi.from_buffer("float[]", floats), alone_ffi.from_buffer("float[]", standalone)
        ) == 0
        np.testing.assert_array_equal(from_i16, _quantized(kws.impulse, standalone))
        np.testing.assert_array_equal(from_float, from_i16)
        reference = reference_mfcc(samples.astype(np.float64), params, 16000).reshape(-1)
        tolerance = np.full(reference.size, MFCC_TOLERANCE)
        measured[recording] = _check_scores(
            kws, shared_dir / "testdata" / f"{recording}_1000ms.wav", reference, tolerance,
            from_i16,
        )
        measured[recording]["feature_difference"] = float(np.max(np.abs(standalone - reference)))
    print("kws, C against Python:", measured)
    assert all(m["feature_difference"] < MFCC_TOLERANCE for m in measured.values())


def test_kws_memory_is_shared(kws: Built) -> None:
    report = json.loads((kws.out / "report.json").read_text())
    memory = report["memory"]
    separate = memory["model_arena_bytes"] + memory["feature_bytes"] + memory["dsp_buffer_bytes"]
    assert memory["separate_bytes"] == separate
    assert memory["arena_bytes"] < separate
    # The DSP's features and buffers fit in the bytes of the model's arena: max, not sum.
    assert memory["arena_bytes"] == max(memory["model_arena_bytes"], memory["dsp_peak_bytes"])
    assert memory["feature_bytes"] == 4 * 490 and memory["quantize"] in ("ascending", "descending")
    ram = report["device_estimate"]["ram"]
    assert ram["arena: model activations"] + ram["arena: DSP past the model's bytes"] == (
        memory["arena_bytes"])
    assert "## RAM" in (kws.out / "REPORT.md").read_text()


def test_short_and_wrong_files_are_refused(kws: Built, shared_dir: Path) -> None:
    _, samples = read_recording(shared_dir, "yes")
    short = kws.folder / "short.wav"
    _write_wav(short, samples[:8000], 16000)
    result = _run(kws.exe, short)
    assert result.returncode == 2
    assert "holds 8000 samples; the impulse needs 16000" in result.stderr
    longer = kws.folder / "long.wav"
    _write_wav(longer, np.concatenate([samples, samples[::-1]]), 16000)
    assert _classify(kws.exe, longer) == _classify(kws.exe, shared_dir / "testdata" /
                                                   "yes_1000ms.wav")
    rate = kws.folder / "8k.wav"
    _write_wav(rate, samples, 8000)
    result = _run(kws.exe, rate)
    assert result.returncode == 2 and "sampled at 8000 Hz" in result.stderr
    image = shared_dir / "testdata" / "person.bmp"
    result = _run(kws.exe, image)
    assert result.returncode == 2
    assert "is a BMP image; this impulse classifies audio: give a .wav file" in result.stderr


# --- vww: the image block on the conformance model ------------------------------------


def test_vww_classifies_the_images_as_python_does(vww: Built, shared_dir: Path) -> None:
    impulse = vww.impulse
    params = image.parse_params(impulse.dsp_document["parameters"])
    assert (params.channels, params.output_type, params.width) == ("RGB", "int8", 96)
    ffi, lib = _harness(vww, "int vww_run_classifier_rgb888(const uint8_t *p, size_t n, "
                             "vww_result_t *r);")
    for picture in ("person", "no_person"):
        path = shared_dir / "testdata" / f"{picture}.bmp"
        rgb = np.ascontiguousarray(bmp_rgb(path))
        features = image_features(rgb, params, input_width=96, input_height=96)
        c_input = _features_in_input(ffi, lib, vww, "run_classifier_rgb888",
                                     ffi.from_buffer("uint8_t[]", rgb), rgb.size)
        np.testing.assert_array_equal(c_input, features)
        packed = (rgb.astype(np.uint32) @ np.array([1 << 16, 1 << 8, 1], np.uint32))
        from_packed = _features_in_input(
            ffi, lib, vww, "run_classifier",
            ffi.from_buffer("float[]", packed.astype(np.float32).reshape(-1)), 96 * 96)
        np.testing.assert_array_equal(from_packed, features)
        printed, prediction = _classify(vww.exe, path)
        python = _model_scores(impulse, features)
        np.testing.assert_allclose(printed, python, atol=5.1e-6)
        assert prediction == impulse.config.labels[int(np.argmax(python))]


def test_vww_memory(vww: Built) -> None:
    memory = json.loads((vww.out / "report.json").read_text())["memory"]
    # The features are the model's input itself (int8); the pixel buffer that the packed
    # float form needs takes arena bytes past the input.
    assert memory["quantize"] == "none" and memory["feature_bytes"] == 96 * 96 * 3
    assert memory["dsp_buffer_bytes"] == 96 * 96 * 3
    low = max(memory["model_arena_bytes"], memory["dsp_peak_bytes"])
    assert low <= memory["arena_bytes"] < memory["separate_bytes"]
    offset = memory["regions"][1]["offset"]  # the input's offset is what the pixels lose
    assert memory["arena_bytes"] <= low + offset + 2 * 16


# --- motion, camera, small audio: models built here ------------------------------------


def test_motion_classifies_csv_as_python_does(motion: Built) -> None:
    ffi, lib = _harness(motion)
    alone_ffi, alone, alone_name = _standalone(motion, motion.folder / "alone")
    params = spectral.parse_params(MOTION_DSP)
    count = motion.impulse.model_tensor().size
    for seed in range(3):
        window = _motion_window(seed)
        csv = motion.folder / f"window{seed}.csv"
        _write_csv(csv, window, header=seed != 1)
        flat = window.astype(np.float32).reshape(-1)
        c_input = _features_in_input(ffi, lib, motion, "run_classifier",
                                     ffi.from_buffer("float[]", flat), flat.size)
        standalone = np.zeros(count, np.float32)
        assert getattr(alone, f"{alone_name}_run")(
            alone_ffi.from_buffer("float[]", flat), alone_ffi.from_buffer("float[]", standalone)
        ) == 0
        np.testing.assert_array_equal(c_input, _quantized(motion.impulse, standalone))
        reference = spectral_features(window.reshape(-1), params, sampling_freq=62.5, axes=3)
        tolerance = np.maximum(SPECTRAL_ABSOLUTE, SPECTRAL_RELATIVE * np.abs(reference))
        assert np.all(np.abs(standalone - reference) <= tolerance)
        print("motion, C against Python:", _check_scores(motion, csv, reference, tolerance,
                                                         c_input))


def test_cam_reads_bmp_and_ppm_and_resizes(cam: Built) -> None:
    rng = np.random.default_rng(5)
    params = image.parse_params(cam.impulse.dsp_document["parameters"])
    assert (params.channels, params.width, params.height) == ("Grayscale", 16, 16)
    for i in range(3):
        rgb = rng.integers(0, 256, (16, 20, 3), dtype=np.uint8)
        rgb[:, : 4 * i] //= 4  # some structure
        gray = _luma(rgb)
        features = image_features(gray.reshape(-1), params, input_width=20, input_height=16,
                                  input_format="gray8")
        python = _model_scores(cam.impulse, features)
        for write, suffix in ((_write_bmp24, "bmp"), (_write_ppm, "ppm")):
            path = cam.folder / f"frame{i}.{suffix}"
            write(path, rgb)
            printed, prediction = _classify(cam.exe, path)
            np.testing.assert_allclose(printed, python, atol=5.1e-6)
            assert prediction == CAM["labels"][int(np.argmax(python))]
    big = cam.folder / "big.ppm"
    _write_ppm(big, np.zeros((17, 20, 3), np.uint8))
    result = _run(cam.exe, big)
    assert result.returncode == 2 and "is 20x17 pixels; give" in result.stderr


def test_cam_packed_pixels(cam: Built) -> None:
    """The float form: packed 0xRRGGBB values, unpacked to gray bytes by the same luma."""
    ffi, lib = _harness(cam, "int cam_run_classifier_gray8(const uint8_t *p, size_t n, "
                             "cam_result_t *r);")
    rgb = np.random.default_rng(6).integers(0, 256, (16, 20, 3), dtype=np.uint8)
    packed = (rgb.astype(np.uint32) @ np.array([1 << 16, 1 << 8, 1], np.uint32)).reshape(-1)
    floats = packed.astype(np.float32)
    from_floats = _features_in_input(ffi, lib, cam, "run_classifier",
                                     ffi.from_buffer("float[]", floats), floats.size)
    gray = np.ascontiguousarray(_luma(rgb).reshape(-1))
    from_bytes = _features_in_input(ffi, lib, cam, "run_classifier_gray8",
                                    ffi.from_buffer("uint8_t[]", gray), gray.size)
    np.testing.assert_array_equal(from_floats, from_bytes)
    result = ffi.new("cam_result_t *")
    for bad in (0.5, -1.0, float(1 << 24), np.nan):
        floats[7] = bad
        assert lib.cam_run_classifier(ffi.from_buffer("float[]", floats), floats.size,
                                      result) == -3, bad
    assert lib.cam_model_debug_guards_intact() == 1


def test_float_model_takes_the_features_as_floats(flt: Built) -> None:
    from tinygen.dsp import flatten
    from tinygen.reference.dsp.flatten import flatten_features

    memory = json.loads((flt.out / "report.json").read_text())["memory"]
    assert memory["quantize"] == "none" and memory["dsp_buffer_bytes"] == 0
    assert flt.impulse.model_tensor().dtype == "float32"
    ffi, lib = _harness(flt)
    window = _motion_window(3)[:50, :2]
    flat = np.ascontiguousarray(window.astype(np.float32).reshape(-1))
    c_input = _features_in_input(ffi, lib, flt, "run_classifier",
                                 ffi.from_buffer("float[]", flat), flat.size)
    reference = flatten_features(window.reshape(-1), flatten.parse_params({"scale_axes": 0.1}),
                                 axes=2)
    np.testing.assert_allclose(c_input, reference, rtol=1e-4, atol=1e-5)
    csv = flt.folder / "w.csv"
    csv.write_text("\n".join(",".join(f"{v:.6f}" for v in row) for row in window) + "\n")
    printed, prediction = _classify(flt.exe, csv)
    graph = flt.impulse.model.graph
    x = c_input.reshape(flt.impulse.model_tensor().shape)
    exact = run_reference(graph, flt.impulse.model.calls, [x])[graph.outputs[0]].reshape(-1)
    np.testing.assert_allclose(printed, exact, atol=5.1e-6)
    assert prediction == FLOAT_IO["labels"][int(np.argmax(exact))]


def test_labels_keep_their_exact_text(cam: Built) -> None:
    path = cam.folder / "labels.ppm"
    _write_ppm(path, np.full((16, 20, 3), 200, np.uint8))
    result = subprocess.run([str(cam.exe), str(path)], capture_output=True, check=True)
    lines = result.stdout.decode("utf-8").splitlines()
    assert [line.rpartition(": ")[0] for line in lines[:-1]] == CAM["labels"]


def test_tiny_audio_from_floats_and_int16(tiny: Built) -> None:
    ffi, lib = _harness(tiny, "int tiny_run_classifier_i16(const int16_t *s, size_t n, "
                              "tiny_result_t *r);")
    rng = np.random.default_rng(2)
    samples = np.clip(rng.normal(0, 3000, 2000), -32768, 32767).astype(np.int16)
    from_i16 = _features_in_input(ffi, lib, tiny, "run_classifier_i16",
                                  ffi.from_buffer("int16_t[]", samples), 2000)
    floats = samples.astype(np.float32)
    from_float = _features_in_input(ffi, lib, tiny, "run_classifier",
                                    ffi.from_buffer("float[]", floats), 2000)
    np.testing.assert_array_equal(from_i16, from_float)
    wav = tiny.folder / "tiny.wav"
    _write_wav(wav, samples, 8000)
    reference = reference_mfcc(samples.astype(np.float64), mfcc.parse_params(TINY_DSP), 8000)
    tolerance = np.full(reference.size, MFCC_TOLERANCE)
    print("tiny, C against Python:", _check_scores(tiny, wav, reference.reshape(-1), tolerance,
                                                    from_i16))


def test_misuse_returns_error_codes(tiny: Built) -> None:
    ffi, lib = _harness(tiny, "int tiny_run_classifier_i16(const int16_t *s, size_t n, "
                              "tiny_result_t *r);")
    header = (tiny.out / "src" / "tiny.h").read_text()
    codes = {name: int(value.strip("()")) for name, value in
             (line.split()[1:3] for line in header.splitlines()
              if line.startswith("#define TINY_ERR_") or line.startswith("#define TINY_OK"))}
    signal = np.zeros(2000, np.float32)
    result = ffi.new("tiny_result_t *")
    run = lib.tiny_run_classifier
    assert run(ffi.from_buffer("float[]", signal), 2000, result) == codes["TINY_OK"]
    assert result.best in (0, 1)
    assert run(ffi.NULL, 2000, result) == codes["TINY_ERR_NULL"]
    assert run(ffi.from_buffer("float[]", signal), 2000, ffi.NULL) == codes["TINY_ERR_NULL"]
    assert run(ffi.from_buffer("float[]", signal), 1999, result) == codes["TINY_ERR_LENGTH"]
    assert result.best == -1 and list(result.scores) == [0.0, 0.0]
    assert lib.tiny_run_classifier_i16(ffi.NULL, 2000, result) == codes["TINY_ERR_NULL"]
    signal[17] = np.nan
    assert run(ffi.from_buffer("float[]", signal), 2000, result) == codes["TINY_ERR_VALUE"]
    signal[17] = np.inf
    assert run(ffi.from_buffer("float[]", signal), 2000, result) == codes["TINY_ERR_VALUE"]
    signal[17] = 40000.0  # no int16 sample
    assert run(ffi.from_buffer("float[]", signal), 2000, result) == codes["TINY_ERR_VALUE"]
    signal[17] = 0.0
    # A clock: 1000 us a tick; a call from inside the clock finds the library busy.
    ticks = {"now": 0, "inner": None}
    inner_result = ffi.new("tiny_result_t *")

    @ffi.callback("uint32_t(void)")
    def clock() -> int:
        ticks["now"] += 1000
        if ticks["inner"] is None:
            ticks["inner"] = run(ffi.from_buffer("float[]", signal), 2000, inner_result)
        return ticks["now"]

    lib.tiny_set_clock(clock)
    try:
        assert run(ffi.from_buffer("float[]", signal), 2000, result) == codes["TINY_OK"]
    finally:
        lib.tiny_set_clock(ffi.NULL)
    assert ticks["inner"] == codes["TINY_ERR_BUSY"]
    assert result.dsp_us == 1000 and result.inference_us == 1000
    assert run(ffi.from_buffer("float[]", signal), 2000, result) == codes["TINY_OK"]
    assert result.dsp_us == 0 and result.inference_us == 0
    assert lib.tiny_model_debug_guards_intact() == 1


def test_generated_c_is_strict_and_prefixed(
    motion: Built, cam: Built, tiny: Built, flt: Built
) -> None:
    for built in (motion, cam, tiny, flt):
        name = built.impulse.name
        objects = compile_objects(built.out, STRICT_C, built.folder / "obj")
        compile_objects(built.out, STRICT_CXX, built.folder / "objxx")
        assert [s for s in global_symbols(objects) if not s.startswith(f"{name}_")] == []
        for compiler in (STRICT_C, STRICT_CXX):
            tool = built.out / "tools" / f"{name}_classify.c"
            subprocess.run([*compiler, "-c", str(tool), f"-I{built.out / 'src'}", "-o",
                            str(built.folder / "classify.o")], check=True, capture_output=True)
        # The only writable memory: the shared arena, the glue's clock and busy flag, and
        # an audio impulse's continuous-mode state (counted in the RAM estimate).
        report = json.loads((built.out / "report.json").read_text())
        memory, ram = report["memory"], report["device_estimate"]["ram"]
        state = ram.get(CONTINUOUS_STATE, 0)
        assert (state > 0) == (built.impulse.config.kind == "audio")
        # (x86-64 gcc aligns each array of 32 bytes or more to 32: the state's three.)
        padding = 3 * 31 if state else 0
        assert memory["arena_bytes"] + state <= writable_bytes(objects) <= (
            memory["arena_bytes"] + state + padding + 16)
        assert memory["arena_bytes"] < memory["separate_bytes"]
        assert memory["arena_bytes"] <= max(memory["model_arena_bytes"],
                                            memory["dsp_peak_bytes"]) + 4 * 16


def test_hostile_files_exit_cleanly(motion: Built, cam: Built, tiny: Built) -> None:
    """Truncated, corrupted and absurd files: exit 2 with a message, never a crash (the
    programs are built with AddressSanitizer and UBSan)."""
    rng = np.random.default_rng(9)
    wav = tiny.folder / "ok.wav"
    _write_wav(wav, rng.integers(-3000, 3000, 2000), 8000)
    ppm, bmp = cam.folder / "ok.ppm", cam.folder / "ok.bmp"
    frame = rng.integers(0, 256, (16, 20, 3), dtype=np.uint8)
    _write_ppm(ppm, frame)
    _write_bmp24(bmp, frame)
    csv = motion.folder / "ok.csv"
    _write_csv(csv, _motion_window(0))
    cases = []
    for built, good in ((tiny, wav), (cam, ppm), (cam, bmp), (motion, csv)):
        data = good.read_bytes()
        variants = [data[:n] for n in (0, 1, 3, 11, 12, 20, 44, 53, 54, 60, len(data) - 1)]
        for _ in range(25):
            mutated = bytearray(data)
            for at in rng.integers(0, min(len(data), 64), 3):
                mutated[at] = int(rng.integers(0, 256))
            variants.append(bytes(mutated))
        variants.append(data[:20] + b"\xff" * 40 + data[60:])
        variants.append(b"\n".join([b"1,2,3"] * 50 + [b"1e999,2,3"] * 100))
        variants.append(b"x," * 5000)
        cases += [(built, v) for v in variants]
    for i, (built, content) in enumerate(cases):
        path = built.folder / f"hostile{i}"
        path.write_bytes(content)
        result = _run(built.exe, path)
        assert result.returncode in (0, 1, 2), (i, result.returncode, result.stderr[-2000:])
        if result.returncode:  # 1: the classifier refused (a feature overflowed)
            assert result.stderr.startswith(f"{built.impulse.name}_classify: "), result.stderr
    result = _run(cam.exe, wav)
    assert result.returncode == 2
    assert "is a WAV file; this impulse classifies images: give a .bmp" in result.stderr
    result = _run(motion.exe, bmp)
    assert result.returncode == 2 and "classifies motion: give a .csv file" in result.stderr


MAIN_C = r"""
#include <stdio.h>
#include "cam.h"
#include "motion.h"

static float window[MOTION_SIGNAL_LENGTH] = {WINDOW_VALUES};
static uint8_t frame[CAM_IMAGE_BYTES];

int main(void)
{
    motion_result_t m;
    cam_result_t c;
    int i;
    for (i = 0; i < CAM_IMAGE_BYTES; ++i) {
        frame[i] = (uint8_t)((i * 37 + 11) % 256);
    }
    if (motion_run_classifier(window, MOTION_SIGNAL_LENGTH, &m) != MOTION_OK ||
        cam_run_classifier_gray8(frame, CAM_IMAGE_BYTES, &c) != CAM_OK) {
        return 1;
    }
    for (i = 0; i < MOTION_LABEL_COUNT; ++i) {
        printf("%s: %.5f\n", motion_labels[i], (double)m.scores[i]);
    }
    printf("prediction: %s\n", motion_labels[m.best]);
    for (i = 0; i < CAM_LABEL_COUNT; ++i) {
        printf("%s: %.5f\n", cam_labels[i], (double)c.scores[i]);
    }
    printf("prediction: %s\n", cam_labels[c.best]);
    return 0;
}
"""


def test_two_impulses_link_into_one_program(motion: Built, cam: Built, tmp_path: Path) -> None:
    """add_subdirectory() of both folders and a C main calling both."""
    window = _motion_window(4)
    project = tmp_path / "both"
    project.mkdir()
    main_c = MAIN_C.replace("WINDOW_VALUES", ", ".join(f"{v:.6f}f" for v in window.reshape(-1)))
    (project / "main.c").write_text(main_c)
    (project / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.13)\nproject(both C)\n"
        f"add_subdirectory({motion.out} motion)\nadd_subdirectory({cam.out} cam)\n"
        "add_executable(both main.c)\ntarget_link_libraries(both PRIVATE motion cam)\n"
    )
    build = tmp_path / "build"
    subprocess.run(["cmake", "-S", str(project), "-B", str(build),
                    "-DCMAKE_C_FLAGS=-Wall -Wextra -Werror -pedantic"],
                   check=True, capture_output=True)
    subprocess.run(["cmake", "--build", str(build)], check=True, capture_output=True)
    printed = subprocess.run([str(build / "both")], check=True, capture_output=True).stdout
    csv, pgm = tmp_path / "w.csv", tmp_path / "f.pgm"
    _write_csv(csv, window)
    gray = bytes((i * 37 + 11) % 256 for i in range(20 * 16))
    pgm.write_bytes(b"P5 20 16 255\n" + gray)
    expected = b"".join(subprocess.run([str(b.exe), str(f)], check=True, capture_output=True)
                        .stdout for b, f in ((motion, csv), (cam, pgm)))
    assert printed == expected


# --- bad impulses --------------------------------------------------------------------


def _bad() -> list[tuple[str, dict, str]]:
    """(what, impulse, message): the model is the one of the impulse's name."""
    motion_labels = MOTION["labels"]
    return [
        ("unknown kind", {**MOTION, "input": {**MOTION["input"], "kind": "radar"}},
         "unknown input kind 'radar'; known kinds: audio, motion, image"),
        ("missing model", {**MOTION, "model": "nowhere.tflite"},
         "the model 'nowhere.tflite' is not a file"),
        ("label count", {**MOTION, "labels": [*motion_labels, "jump"]},
         "labels lists 4 labels but the model's output"),
        ("feature count", {**MOTION, "dsp": {"block": "spectral_analysis",
                                             "parameters": {**MOTION_DSP, "fft_length": 32}}},
         f"makes {_feature_count_with(32)} features from the 375-value window (125 samples x "
         f"3 axes at 62.5 Hz) but the model's input"),
        ("cutoff", {**MOTION, "dsp": {"block": "spectral_analysis",
                                      "parameters": {**MOTION_DSP, "filter_cutoff": 40}}},
         "filter_cutoff 40 Hz is at or above the Nyquist frequency 31.25 Hz"),
        ("frame", {**TINY, "dsp": {"block": "mfcc", "parameters": {"frame_length": 0.5}}},
         "frame_length (0.5 s = 4000 samples) is longer than the input (2000 samples)"),
        ("key", {**MOTION, "rate": 100}, "unknown key 'rate' in the impulse; known:"),
        ("input key", {**MOTION, "input": {**MOTION["input"], "channels": 3}},
         "unknown key 'channels' in input; known: kind, sampling_freq, window_ms, axes"),
        ("dsp key", {**MOTION, "dsp": {**MOTION["dsp"], "options": {}}},
         "unknown key 'options' in dsp; known: block, parameters"),
        ("parameter", {**MOTION, "dsp": {"block": "spectral_analysis",
                                         "parameters": {"fft_size": 16}}},
         "unknown parameter 'fft_size'"),
        ("window", {**MOTION, "input": {**MOTION["input"], "window_ms": 1000}},
         "window_ms 1000 at 62.5 Hz is 62.5 samples, not a whole number"),
        ("block", {**MOTION, "dsp": {"block": "mfcc"}},
         "dsp.block 'mfcc' cannot take motion input; use one of spectral_analysis, raw"),
        ("labels", {**MOTION, "labels": ["a", 2, "c"]}, "labels must be a non-empty list"),
        ("label text", {**MOTION, "labels": ["a", "b\x00", "c"]},
         "labels[1]: text 'b\\x00' holds a NUL character"),
        ("name", {**MOTION, "name": "2fast"}, "'2fast' cannot be the library's C name"),
        ("format", {**CAM, "input": {**CAM["input"], "format": "yuv422"}},
         "input.format must be one of rgb888, gray8, got 'yuv422'"),
    ]


def _feature_count_with(fft_length: int) -> int:
    parameters = {**MOTION_DSP, "fft_length": fft_length}
    return feature_count({**MOTION, "dsp": {"block": "spectral_analysis",
                                             "parameters": parameters}})


def test_bad_impulses_are_refused(models: dict[str, Path], tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    for what, config, message in _bad():
        folder = tmp_path / what.replace(" ", "_")
        model = models.get(config["name"], models["motion"])
        path = _write_json(config, folder, model)
        out = folder / "out"
        code = main(["generate-library", str(path), "-o", str(out)])
        err = capsys.readouterr().err
        assert code == 2, (what, err)
        assert message in err, (what, err)
        assert "Traceback" not in err and not out.exists(), what
    # The numbers: how many outputs the model has.
    folder = tmp_path / "count"
    path = _write_json({**MOTION, "labels": ["a"]}, folder, models["motion"])
    assert main(["generate-library", str(path), "-o", str(folder / "out")]) == 2
    assert "has 3 values (shape [1, 3])" in capsys.readouterr().err


def test_over_budget_writes_nothing(models: dict[str, Path], tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = _write_json(MOTION, tmp_path, models["motion"])
    out = tmp_path / "out"
    assert main(["generate-library", str(path), "-o", str(out), "--ram", "512"]) == 3
    err = capsys.readouterr().err
    assert "does not fit the RAM budget" in err and "arena: model activations" in err
    assert not out.exists()
