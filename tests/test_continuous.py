"""Continuous mode of audio impulses: a window classified after every slice of a stream.

``NAME_run_classifier_continuous`` takes window / NAME_SLICES samples at a time and
computes only the frames each slice completes. Its features must be those of the
last window of whole frames in the stream: the numpy reference of that window, with
pre-emphasis taken from the stream (the one-shot call wraps around its window
instead), within the MFCC block's tolerance; and its label and scores those of the
one-shot call on the same window, within the DSP tolerance's effect on them.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from audio_harness import RECORDINGS, read_recording
from test_impulse import (
    KWS,
    MFCC_TOLERANCE,
    Built,
    _ambiguous,
    _build,
    _model_scores,
    _quantized,
    _write_wav,
)

from tinygen.cli import main
from tinygen.dsp import mfcc
from tinygen.impulse.memory import CONTINUOUS_STATE
from tinygen.reference.dsp.audio import frame_geometry
from tinygen.reference.dsp.mfcc import mfcc as reference_mfcc
from tinygen.verify.cbuild import build_shared


@pytest.fixture(scope="module")
def kws(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    model = shared_dir / "models" / "kws_ref_model.tflite"
    return _build(KWS, tmp_path_factory.mktemp("kws_continuous"), model)


def _codes(built: Built) -> dict[str, int]:
    name = built.impulse.name.upper()
    header = next(built.out.glob(f"*/{built.impulse.name}.h")).read_text()
    return {m[1]: int(m[2]) for m in re.finditer(
        rf"#define {name}_(OK|ERR_\w+|NOT_READY) \(?(-?\d+)\)?", header)}


def _continuous_harness(built: Built, copy: str = "harness") -> tuple[object, object]:
    """The library through cffi (one loaded copy per ``copy``: each has its own state),
    with its features-only debug hook and the arena guard."""
    name, labels = built.impulse.name, len(built.impulse.config.labels)
    cdef = (
        f"typedef struct {{ float scores[{labels}]; int best; uint32_t dsp_us, inference_us; }}"
        f" {name}_result_t;\n"
        f"int {name}_run_classifier_i16(const int16_t *s, size_t n, {name}_result_t *r);\n"
        f"int {name}_run_classifier_continuous(const int16_t *s, size_t n, {name}_result_t *r);\n"
        f"int {name}_reset(void);\n"
        f"void {name}_debug_features_only(int on);\n"
        f"void *{name}_model_input(int index);\n"
        f"int {name}_model_debug_guards_intact(void);\n"
        f"int {name}_dsp_run_i16(const int16_t *input, float *output);\n"
        f"int {name}_dsp_run_slice_i16(const int16_t *slice, float *output);\n"
        f"void {name}_dsp_reset(void);\n"
    )
    upper = name.upper()
    workdir = built.folder / f"continuous_{copy}"
    workdir.mkdir(exist_ok=True)
    return build_shared(
        sorted((built.out / "src").glob("*.c")), [built.out / "include", built.out / "src"],
        cdef, workdir=workdir, defines=[f"{upper}_DEBUG_FEATURES", f"{upper}_MODEL_ARENA_GUARD"],
    )


def _stream(shared_dir: Path) -> np.ndarray:
    """The four recordings one after the other, 4 s at 16 kHz."""
    return np.concatenate([read_recording(shared_dir, r)[1] for r in RECORDINGS])


def _last_window(received: int, samples: int, p: mfcc.MfccParams, rate: int) -> int | None:
    """Where the window of the last whole frames in ``received`` samples starts."""
    frames, length, stride = frame_geometry(samples, rate, p.frame_length, p.frame_stride)
    seen = (received - length) // stride + 1 if received >= length else 0
    return (seen - frames) * stride if seen >= frames else None


def _stream_reference(stream: np.ndarray, start: int, samples: int, p: mfcc.MfccParams,
                      rate: int) -> np.ndarray:
    """The MFCC of stream[start:start + samples] with pre-emphasis from the stream."""
    x = stream.astype(np.float64)
    before = np.concatenate([np.zeros(p.pre_shift), x])[: x.size]
    emphasized = (x - p.pre_cof * before)[start : start + samples]
    flat = dataclasses.replace(p, pre_cof=0.0)
    return reference_mfcc(emphasized, flat, rate).reshape(-1)


def test_continuous_features_are_the_last_window_of_the_stream(
    kws: Built, shared_dir: Path
) -> None:
    ffi, lib = _continuous_harness(kws)
    p = mfcc.parse_params(KWS["dsp"]["parameters"])
    stream = _stream(shared_dir)
    samples, n = kws.impulse.config.samples, kws.impulse.dsp.output_length
    slice_length = kws.impulse.slice_length
    assert slice_length == samples // 4
    header = json.loads((kws.out / "report.json").read_text())
    assert header["device_estimate"]["ram"][CONTINUOUS_STATE] == (
        kws.impulse.dsp.state_bytes) > 4 * n
    lib.kws_dsp_reset()
    output = np.zeros(n, np.float32)
    worst = {"stream reference": 0.0, "one-shot": 0.0}
    ready = 0
    for end in range(slice_length, stream.size + 1, slice_length):
        piece = np.ascontiguousarray(stream[end - slice_length : end])
        status = lib.kws_dsp_run_slice_i16(ffi.from_buffer("int16_t[]", piece),
                                           ffi.from_buffer("float[]", output))
        start = _last_window(end, samples, p, 16000)
        if start is None:
            assert status == 5  # KWS_DSP_WAITING
            continue
        assert status == 0
        ready += 1
        reference = _stream_reference(stream, start, samples, p, 16000)
        worst["stream reference"] = max(worst["stream reference"],
                                        float(np.max(np.abs(output - reference))))
        if start + samples <= stream.size:
            window = np.ascontiguousarray(stream[start : start + samples])
            alone = np.zeros(n, np.float32)
            assert lib.kws_dsp_run_i16(ffi.from_buffer("int16_t[]", window),
                                       ffi.from_buffer("float[]", alone)) == 0
            worst["one-shot"] = max(worst["one-shot"], float(np.max(np.abs(output - alone))))
    print("continuous kws features, largest difference:", worst)
    assert ready == 13
    assert worst["stream reference"] < MFCC_TOLERANCE


def test_continuous_classifies_as_the_one_shot_call(kws: Built, shared_dir: Path) -> None:
    """Two copies of the library take the same slices: one stops at the model's input
    (which must be the stream reference's, quantized, up to the DSP tolerance), the other
    classifies (its scores must be the model's on that input, its label the one-shot
    call's on the same window)."""
    impulse = kws.impulse
    features_ffi, features_lib = _continuous_harness(kws, "features")
    ffi, lib = _continuous_harness(kws, "scores")
    codes = _codes(kws)
    p = mfcc.parse_params(KWS["dsp"]["parameters"])
    stream = _stream(shared_dir)
    samples, slice_length = impulse.config.samples, impulse.slice_length
    tensor = impulse.model_tensor()
    result, alone = ffi.new("kws_result_t *"), ffi.new("kws_result_t *")
    unused = features_ffi.new("kws_result_t *")
    assert lib.kws_reset() == codes["OK"] and features_lib.kws_reset() == codes["OK"]
    features_lib.kws_debug_features_only(1)
    compared, measured = 0, []
    for end in range(slice_length, stream.size + 1, slice_length):
        piece = np.ascontiguousarray(stream[end - slice_length : end])
        status = lib.kws_run_classifier_continuous(ffi.from_buffer("int16_t[]", piece),
                                                   slice_length, result)
        assert features_lib.kws_run_classifier_continuous(
            features_ffi.from_buffer("int16_t[]", piece), slice_length, unused) == status
        start = _last_window(end, samples, p, 16000)
        if start is None:
            assert status == codes["NOT_READY"] and result.best == -1
            continue
        assert status == codes["OK"]
        c_input = np.frombuffer(features_ffi.buffer(features_lib.kws_model_input(0),
                                                    tensor.nbytes), np.int8).copy()
        reference = _stream_reference(stream, start, samples, p, 16000)
        q = _quantized(impulse, reference)
        steps = _ambiguous(impulse, reference, np.full(reference.size, MFCC_TOLERANCE))
        off = c_input != q
        np.testing.assert_array_equal(c_input[off].astype(int) - q[off], steps[off])
        scores = np.array(list(result.scores), np.float32)
        np.testing.assert_array_equal(scores, _model_scores(impulse, c_input))
        if start + samples <= stream.size:
            window = np.ascontiguousarray(stream[start : start + samples])
            assert lib.kws_run_classifier_i16(ffi.from_buffer("int16_t[]", window), samples,
                                              alone) == codes["OK"]
            assert result.best == alone.best
            compared += 1
            measured.append(float(np.max(np.abs(scores - np.array(list(alone.scores))))))
    print("continuous against one-shot, largest score difference per window:", measured)
    assert compared >= 10
    assert lib.kws_model_debug_guards_intact() == 1
    assert features_lib.kws_model_debug_guards_intact() == 1


def test_continuous_misuse_and_reset(kws: Built) -> None:
    ffi, lib = _continuous_harness(kws, "misuse")
    codes = _codes(kws)
    slice_length = kws.impulse.slice_length
    piece = np.zeros(slice_length, np.int16)
    result = ffi.new("kws_result_t *")
    run = lib.kws_run_classifier_continuous
    assert lib.kws_reset() == codes["OK"]
    assert run(ffi.NULL, slice_length, result) == codes["ERR_NULL"]
    assert run(ffi.from_buffer("int16_t[]", piece), slice_length, ffi.NULL) == codes["ERR_NULL"]
    assert run(ffi.from_buffer("int16_t[]", piece), slice_length - 1, result) == (
        codes["ERR_LENGTH"])
    # Refused slices are not taken: four good ones make the first window.
    statuses = [run(ffi.from_buffer("int16_t[]", piece), slice_length, result)
                for _ in range(4)]
    assert statuses == [codes["NOT_READY"]] * 3 + [codes["OK"]]
    assert lib.kws_reset() == codes["OK"]
    assert run(ffi.from_buffer("int16_t[]", piece), slice_length, result) == codes["NOT_READY"]


def test_slices_option(shared_dir: Path, tmp_path: Path,
                       capsys: pytest.CaptureFixture[str]) -> None:
    model = shared_dir / "models" / "kws_ref_model.tflite"
    config = tmp_path / "kws.json"
    config.write_text(json.dumps({**KWS, "model": str(model)}))
    out = tmp_path / "out"
    assert main(["generate-library", str(config), "-o", str(out), "--slices", "3"]) == 2
    err = capsys.readouterr().err
    assert "--slices 3" in err and "16000 samples" in err and "Traceback" not in err
    assert not out.exists()
    assert main(["generate-library", str(config), "-o", str(out), "--slices", "8"]) == 0
    header = next(out.glob("*/kws.h")).read_text()
    assert "#define KWS_SLICES 8\n" in header and "#define KWS_SLICE_LENGTH 2000\n" in header
    ram = json.loads((out / "report.json").read_text())["device_estimate"]["ram"]
    assert ram[CONTINUOUS_STATE] > 0
    none = tmp_path / "none"
    assert main(["generate-library", str(config), "-o", str(none), "--slices", "0"]) == 0
    header = next(none.glob("*/kws.h")).read_text()
    assert "continuous" not in header and "NOT_READY" not in header
    assert "run_slice" not in (none / "src" / "kws_dsp.c").read_text()
    ram = json.loads((none / "report.json").read_text())["device_estimate"]["ram"]
    assert CONTINUOUS_STATE not in ram
    tiny = tmp_path / "tiny.json"
    motion = {"name": "m", "input": {"kind": "motion", "sampling_freq": 50, "window_ms": 1000,
                                     "axes": ["x"]},
              "dsp": {"block": "raw"}, "model": str(model), "labels": ["a"]}
    tiny.write_text(json.dumps(motion))
    assert main(["generate-library", str(tiny), "-o", str(tmp_path / "m"), "--slices", "2"]) == 2
    assert "--slices is for audio impulses" in capsys.readouterr().err
    assert main(["generate-library", str(model), "-o", str(tmp_path / "lib"),
                 "--slices", "2"]) == 2
    assert "--slices is for an impulse.json" in capsys.readouterr().err


def test_classify_program_streams_a_long_file(kws: Built, shared_dir: Path) -> None:
    stream = _stream(shared_dir)
    wav = kws.folder / "stream.wav"
    _write_wav(wav, stream, 16000)
    result = subprocess.run([str(kws.exe), "--continuous", str(wav)], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # The first window is whole after 4 slices of 250 ms; then a line every slice.
    assert [line.split(" s: ")[0] for line in lines] == [
        f"{t / 4:.3f}" for t in range(4, 17)]
    labels = kws.impulse.config.labels
    assert all(line.split(" s: ")[1].rsplit(" ", 1)[0] in labels for line in lines)
    short = kws.folder / "short.wav"
    _write_wav(short, stream[:15999], 16000)
    refused = subprocess.run([str(kws.exe), "--continuous", str(short)], capture_output=True,
                             text=True)
    assert refused.returncode == 2 and "15999 samples" in refused.stderr
