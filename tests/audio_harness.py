"""Build a generated audio block with a probe of its mel energies; read the recordings."""

from __future__ import annotations

import dataclasses
import wave
from pathlib import Path

import numpy as np
import pytest
from dsp_harness import build_block

from tinygen.dsp.sources import DspSources
from tinygen.errors import EXIT_USAGE, TinygenError

RECORDINGS = ("yes", "no", "noise", "silence")
#: Mel energies: the C's error relative to its frame's largest energy.
MEL_TOLERANCE = 1e-5


def read_recording(shared_dir: Path, name: str) -> tuple[int, np.ndarray]:
    """(sampling rate, int16 samples) of testdata/<name>_1000ms.wav."""
    with wave.open(str(shared_dir / "testdata" / f"{name}_1000ms.wav")) as f:
        assert f.getsampwidth() == 2 and f.getnchannels() == 1
        return f.getframerate(), np.frombuffer(f.readframes(f.getnframes()), "<i2")


def random_audio(rng: np.random.Generator, length: int) -> np.ndarray:
    """int16 samples shaped like a recording: noise plus a few tones, clipped, under a
    loudness envelope that wanders over 30 dB.

    Tones are at most 10 times the noise's standard deviation, so no band of a frame's
    spectrum lies more than ~50 dB below its strongest bin: float32 FFT rounding
    (about 1.3e-7 of the peak amplitude) makes the log of a mel band L dB down wrong by
    about 2.7e-7 * 10^(L/20), 1e-3 at 80 dB. The envelope keeps each coefficient
    varying from frame to frame (a stationary signal has a log-energy standard
    deviation near 0.002, which the MFCC normalization divides by).
    """
    t = np.arange(length)
    level = 10 ** rng.uniform(2, 3.3)
    x = rng.normal(0, level, length)
    for _ in range(3):
        x += rng.uniform(0, 10 * level) * np.sin(rng.uniform(0, np.pi) * t + rng.uniform(0, 6))
    knots = np.linspace(0, length, 12)
    x *= 10 ** (np.interp(t, knots, rng.uniform(-1.5, 0, knots.size)))
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


class AudioBlock:
    """A compiled block: ``run(samples)`` is its output, ``mel(samples, frames)`` the mel
    energies of the first frames (for blocks with a filterbank ``NAME_filters``) before
    any replacement of zeros."""

    def __init__(self, block: DspSources, workdir: Path, mel_filters: int = 0) -> None:
        name = block.name
        cdef = f"int {name}_run(const float *input, float *output);"
        if mel_filters:
            filters = f"{name}_filters"
            probe = (
                f"\nstatic const tg_mel_params {name}_probe = {{{mel_filters}, {filters}_first, "
                f"{filters}_count, {filters}_weights, -1.0f}};\n"
                f"int {name}_probe_mel(const float *input, int32_t frame, float *mel);\n"
                f"int {name}_probe_mel(const float *input, int32_t frame, float *mel)\n{{\n"
                f"    const float dc =\n"
                f"        tg_audio_frame(&{name}_framing, input, frame, {name}_frame);\n"
                f"    tg_power_spectrum(&{name}_fft, {name}_frame, dc, {name}_power);\n"
                f"    tg_mel_energies(&{name}_probe, {name}_power, mel);\n"
                "    return 0;\n}\n"
            )
            block = dataclasses.replace(block, source=block.source + probe)
            cdef += f"\nint {name}_probe_mel(const float *input, int32_t frame, float *mel);"
        self.block = block
        self.workdir = workdir
        self.mel_filters = mel_filters
        self.ffi, self.lib = build_block(block, workdir, cdef)

    def _input(self, samples: np.ndarray) -> object:
        x = np.ascontiguousarray(samples, dtype=np.float32)
        assert x.size == self.block.input_length
        return self.ffi.from_buffer("float[]", x)

    def run(self, samples: np.ndarray) -> np.ndarray:
        out = np.full(self.block.output_length, np.nan, dtype=np.float32)
        status = getattr(self.lib, f"{self.block.name}_run")(
            self._input(samples), self.ffi.from_buffer("float[]", out)
        )
        assert status == 0
        return out

    def mel(self, samples: np.ndarray, frames: int) -> np.ndarray:
        out = np.zeros((frames, self.mel_filters), dtype=np.float32)
        probe = getattr(self.lib, f"{self.block.name}_probe_mel")
        x = self._input(samples)
        for f in range(frames):
            probe(x, f, self.ffi.from_buffer("float[]", out[f]))
        return out


def worst_relative_to_frame_max(c: np.ndarray, ref: np.ndarray) -> float:
    """max |c - ref| / max(ref) of each frame (row), over the frames."""
    return float((np.abs(c - ref).max(axis=1) / ref.max(axis=1)).max())


#: (frame_length, frame_stride) pairs whose frame counts are checked.
FRAME_SETTINGS = ((0.02, 0.02), (0.02, 0.01), (0.025, 0.01), (0.018, 0.0125))


def check_frame_counts(module, reference, fs: int, fft_length: int, **fields) -> None:
    """``module.generate``'s output length and NAME_FRAMES equal ``reference``'s shape
    for several input lengths and frame settings (``fields`` set other parameters)."""
    rng = np.random.default_rng(fs + fft_length)
    for length in (fs // 2 + 1, fs - 7, fs):
        for frame_length, frame_stride in FRAME_SETTINGS:
            params = dataclasses.replace(
                module.parse_params({}),
                frame_length=frame_length,
                frame_stride=frame_stride,
                fft_length=fft_length,
                **fields,
            )
            block = module.generate("m", params, sampling_freq=fs, input_length=length)
            ref = reference(random_audio(rng, length), params, fs)
            assert block.output_length == ref.size
            assert f"#define M_FRAMES {len(ref)}\n" in block.header


def expect_usage_error(message: str, function, *args, **kwargs) -> None:
    """``function(*args, **kwargs)`` raises a TinygenError with exit code 2 and message."""
    with pytest.raises(TinygenError) as error:
        function(*args, **kwargs)
    assert error.value.exit_code == EXIT_USAGE
    assert message in error.value.message


#: Errors every audio block's generate() gives: (parameters, generate() arguments, message).
COMMON_GENERATION_ERRORS = [
    ({}, {"input_length": 300}, "frame_length (0.02 s = 320 samples) is longer than"),
    ({}, {"input_length": 0}, "the input is empty"),
    ({}, {"axes": 3}, "the input must have one axis"),
    ({}, {"sampling_freq": 0}, "sampling_freq must be a positive number"),
    ({}, {"name": "2x"}, "the block name must be a C identifier"),
    ({"frame_stride": -0.01}, {}, "frame_stride must be a positive number of seconds"),
]


def check_generation_error(module, obj: dict, kwargs: dict, message: str) -> None:
    """``module.generate`` with parameters ``obj`` (16 kHz, 16000 samples unless
    ``kwargs`` say otherwise) fails with exit code 2 and ``message``."""
    args = {"name": "m", "sampling_freq": 16000, "input_length": 16000, **kwargs}
    name = args.pop("name")
    expect_usage_error(message, module.generate, name, module.parse_params(obj), **args)
