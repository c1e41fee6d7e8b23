"""Host time of the DSP blocks: generated C (gcc -O2, via cffi) vs the numpy reference.

Usage: python bench/dsp.py [--runs N]

Each block runs with its default parameters on: 1 s of 16 kHz audio (MFCC, MFE,
spectrogram), a 2 s 3-axis window at 62.5 Hz (spectral analysis, raw, flatten),
a 320x240 RGB888 image resized to 96x96 (image). Times are medians of N runs
(the C time includes one cffi call). Also printed: the largest difference between
the C and reference outputs, and the C block's static working RAM and const bytes.
A block whose module is missing or fails to build is skipped with a note, so the
script can be re-run as blocks land.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import os
import statistics
import sys
import tempfile
import timeit
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from dsp_harness import build_block  # noqa: E402

from tinygen.dsp.sources import DspSources  # noqa: E402

AUDIO_FS, AUDIO_SECONDS = 16000, 1.0
MOTION_FS, MOTION_SECONDS, MOTION_AXES = 62.5, 2.0, 3
IMAGE_IN, IMAGE_OUT = (320, 240), (96, 96)


@dataclass(frozen=True)
class Block:
    label: str
    modules: tuple[str, ...]  # tinygen.dsp.<m> / tinygen.reference.dsp.<m>, first found
    references: tuple[str, ...]  # reference function names, first found
    signal: str  # "audio", "motion" or "image"
    params: tuple[tuple[str, object], ...] = ()  # over the defaults


BLOCKS = [
    Block("mfcc", ("mfcc",), ("mfcc", "mfcc_features"), "audio"),
    Block("mfe", ("mfe",), ("mfe", "mfe_features"), "audio"),
    Block("spectrogram", ("spectrogram",), ("spectrogram", "spectrogram_features"), "audio"),
    Block(
        "spectral analysis",
        ("spectral_analysis", "spectral"),
        ("spectral_features", "spectral_analysis"),
        "motion",
    ),
    Block("raw", ("raw",), ("raw", "raw_features"), "motion"),
    Block("flatten", ("flatten",), ("flatten", "flatten_features"), "motion"),
    Block("image", ("image",), ("image_features",), "image"),
    Block(
        "image gray int8 crop",
        ("image",),
        ("image_features",),
        "image",
        (
            ("channels", "Grayscale"),
            ("resize_mode", "fit-shortest"),
            ("output_type", "int8"),
            ("scale", 1 / 255),
            ("zero_point", -128),
        ),
    ),
]


def audio_signal() -> np.ndarray:
    """One second of speech (the shared yes_1000ms.wav) or, without it, tones and noise."""
    shared = Path(os.environ.get("TINYGEN_SHARED", REPO.parent / "shared"))
    wav = shared / "testdata" / "yes_1000ms.wav"
    if wav.is_file():
        from scipy.io import wavfile

        rate, data = wavfile.read(wav)
        if rate == AUDIO_FS and data.ndim == 1:
            return data[: int(AUDIO_FS * AUDIO_SECONDS)].astype(np.float32)
    t = np.arange(int(AUDIO_FS * AUDIO_SECONDS)) / AUDIO_FS
    noise = np.random.default_rng(0).normal(0, 300, t.size)
    return (3000 * np.sin(2 * np.pi * 440 * t) + noise).astype(np.float32)


def motion_signal() -> np.ndarray:
    """Two seconds of three interleaved accelerometer axes (m/s^2)."""
    t = np.arange(int(MOTION_FS * MOTION_SECONDS)) / MOTION_FS
    rng = np.random.default_rng(1)
    axes = [np.sin(2 * np.pi * f * t) * a for f, a in ((1.3, 4.0), (2.7, 2.0), (5.1, 1.0))]
    data = np.stack(axes, axis=1) + rng.normal(0, 0.3, (t.size, MOTION_AXES))
    data[:, 2] += 9.81
    return data.reshape(-1).astype(np.float32)


def image_signal() -> np.ndarray:
    """A 320x240 RGB888 frame: gradients plus noise."""
    w, h = IMAGE_IN
    y, x = np.mgrid[0:h, 0:w]
    rng = np.random.default_rng(2)
    rgb = np.stack([x * 255 // (w - 1), y * 255 // (h - 1), (x + y) % 256], axis=2)
    return np.clip(rgb + rng.integers(-20, 21, rgb.shape), 0, 255).astype(np.uint8).reshape(-1)


def median_seconds(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm up
    return statistics.median(timeit.repeat(fn, number=1, repeat=runs))


def first_attribute(module: object, names: tuple[str, ...]) -> Callable:
    for name in names:
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"{module.__name__} has none of {', '.join(names)}")


def reference_call(fn: Callable, signal: np.ndarray, params: object, extra: dict) -> Callable:
    """``fn`` bound to the input, the parameters and the keywords its signature names."""
    names = list(inspect.signature(fn).parameters)
    kwargs = {k: v for k, v in extra.items() if k in names}
    args = (params, signal) if names[0] in ("p", "params") else (signal, params)
    return lambda: fn(*args, **kwargs)


def prepare(spec: Block, workdir: Path) -> tuple[DspSources, Callable, Callable]:
    """The generated block, a call of its C and a call of its reference."""
    dsp = importlib.import_module(f"tinygen.dsp.{spec.modules[0]}")
    ref_module = importlib.import_module(f"tinygen.reference.dsp.{spec.modules[0]}")
    reference = first_attribute(ref_module, spec.references)
    name = "bench_" + spec.modules[0]
    in_c, out_c = "float", "float"
    if spec.signal == "image":
        signal = image_signal()
        size = {"width": IMAGE_OUT[0], "height": IMAGE_OUT[1]}
        params = dsp.parse_params({**size, **dict(spec.params)})
        extra = {"input_width": IMAGE_IN[0], "input_height": IMAGE_IN[1], "input_format": "rgb888"}
        block = dsp.generate(name, params, **extra)
        in_c = "uint8_t"
        out_c = "int8_t" if params.output_type == "int8" else "float"
    else:
        signal = audio_signal() if spec.signal == "audio" else motion_signal()
        fs, axes = (AUDIO_FS, 1) if spec.signal == "audio" else (MOTION_FS, MOTION_AXES)
        params = dsp.parse_params(dict(spec.params))
        extra = {"sampling_freq": fs, "axes": axes}
        block = dsp.generate(name, params, input_length=signal.size, **extra)
    ffi, lib = build_block(block, workdir, f"int {name}_run(const {in_c} *input, {out_c} *output);")
    out = np.zeros(block.output_length, dtype=np.int8 if out_c == "int8_t" else np.float32)
    run = getattr(lib, f"{name}_run")
    c_in, c_out = ffi.from_buffer(f"{in_c}[]", signal), ffi.from_buffer(f"{out_c}[]", out)

    def call_c() -> np.ndarray:
        if run(c_in, c_out) != 0:
            raise RuntimeError(f"{name}_run returned an error")
        return out

    ref_signal = signal if spec.signal == "image" else signal.astype(np.float64)
    return block, call_c, reference_call(reference, ref_signal, params, extra)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="timed runs per block (median)")
    args = parser.parse_args()
    header = (
        f"{'block':<22} {'input':<18} {'C (us)':>9} {'numpy (us)':>11} {'numpy/C':>8} "
        f"{'max |C-ref|':>11} {'outputs':>7} {'RAM (B)':>8} {'const (B)':>9}"
    )
    print(header)
    print("-" * len(header))
    notes = []
    inputs = {
        "audio": f"{AUDIO_SECONDS:g} s {AUDIO_FS / 1000:g} kHz",
        "motion": f"{MOTION_SECONDS:g} s {MOTION_AXES}x{MOTION_FS:g} Hz",
        "image": f"{IMAGE_IN[0]}x{IMAGE_IN[1]}->{IMAGE_OUT[0]}x{IMAGE_OUT[1]}",
    }
    for spec in BLOCKS:
        found = [m for m in spec.modules if importlib.util.find_spec(f"tinygen.dsp.{m}")]
        if not found:
            notes.append(f"{spec.label}: skipped, no module tinygen.dsp.{spec.modules[0]} yet")
            continue
        spec = Block(spec.label, (found[0],), spec.references, spec.signal, spec.params)
        try:
            with tempfile.TemporaryDirectory() as tmp:
                block, call_c, call_ref = prepare(spec, Path(tmp))
                c_time = median_seconds(call_c, args.runs)
                ref_time = median_seconds(call_ref, args.runs)
                got = call_c().astype(np.float64).reshape(-1)
                want = np.asarray(call_ref(), dtype=np.float64).reshape(-1)
        except Exception as error:  # a block still being written: note it, go on
            notes.append(f"{spec.label}: skipped, {type(error).__name__}: {error}")
            continue
        diff = f"{np.max(np.abs(got - want)):.2e}" if got.shape == want.shape else "shape!"
        print(
            f"{spec.label:<22} {inputs[spec.signal]:<18} {c_time * 1e6:>9.1f} "
            f"{ref_time * 1e6:>11.1f} {ref_time / c_time:>8.1f} {diff:>11} "
            f"{block.output_length:>7} {block.working_bytes:>8} {block.constant_bytes:>9}"
        )
    for note in notes:
        print("note:", note)


if __name__ == "__main__":
    main()
