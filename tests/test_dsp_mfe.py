"""MFE block: generated float32 C against the float64 reference, shapes, errors.

Tolerances: mel energies within 1e-5 of their frame's largest; the quantized output
identical on at least 99.9 % of the values and one 1/256 step away elsewhere (a
float32 energy on the other side of a rounding boundary). Measured: mel energies
2.3e-6; outputs identical on all 15840 values of the recordings, 1 value one step
off among 287880 of 150 random signals.
"""

from __future__ import annotations

import numpy as np
import pytest
from audio_harness import (
    COMMON_GENERATION_ERRORS,
    MEL_TOLERANCE,
    RECORDINGS,
    AudioBlock,
    check_frame_counts,
    check_generation_error,
    expect_usage_error,
    random_audio,
    read_recording,
    worst_relative_to_frame_max,
)

from tinygen.dsp import mfe
from tinygen.reference.dsp.mfe import mfe as reference_mfe
from tinygen.reference.dsp.mfe import mfe_energies

STEP = 1 / 256


def compare_quantized(out: np.ndarray, ref: np.ndarray) -> float:
    """The fraction of identical values; asserts the others are one step away."""
    assert out.shape == ref.shape
    differ = out != ref
    assert np.all(np.abs(out - ref)[differ] <= STEP * (1 + 1e-6))
    return 1.0 - differ.mean()


def check_block(block: AudioBlock, params: mfe.MfeParams, fs: float, x: np.ndarray) -> float:
    """Asserts the mel tolerance; the fraction of output values equal to the reference."""
    mel_ref = mfe_energies(x, params, fs)
    mel = block.mel(x, len(mel_ref))
    assert worst_relative_to_frame_max(mel, mel_ref) <= MEL_TOLERANCE
    out = block.run(x).reshape(-1, params.num_filters)
    return compare_quantized(out, reference_mfe(x, params, fs))


@pytest.fixture(scope="module")
def default_16k(tmp_path_factory: pytest.TempPathFactory) -> AudioBlock:
    block = mfe.generate("kws", mfe.MfeParams(), sampling_freq=16000, input_length=16000)
    return AudioBlock(block, tmp_path_factory.mktemp("mfe_default"), mel_filters=40)


def test_recordings(shared_dir, default_16k: AudioBlock) -> None:
    same = []
    for recording in RECORDINGS:
        fs, x = read_recording(shared_dir, recording)
        assert fs == 16000
        same.append(check_block(default_16k, mfe.MfeParams(), fs, x))
    assert np.mean(same) >= 0.999


CASES = [
    (16000, 16000, {}),
    (8000, 7919, {"fft_length": 128, "num_filters": 20, "frame_length": 0.025}),
    (44100, 22051, {"fft_length": 512, "num_filters": 48, "frame_stride": 0.02}),
    (
        16000,
        12345,
        {
            "frame_length": 0.032,
            "frame_stride": 0.016,
            "num_filters": 32,
            "fft_length": 512,
            "low_frequency": 300,
            "high_frequency": 7000,
            "noise_floor_db": -80,
        },
    ),
    (11025, 5000, {"frame_length": 0.0123, "frame_stride": 0.0071, "num_filters": 16}),
]


def test_random_signals(tmp_path) -> None:
    same = []
    for i, (fs, length, obj) in enumerate(CASES):
        params = mfe.parse_params(obj)
        block = AudioBlock(
            mfe.generate("m", params, sampling_freq=fs, input_length=length),
            tmp_path / str(i),
            mel_filters=params.num_filters,
        )
        rng = np.random.default_rng(fs + length)
        same += [check_block(block, params, fs, random_audio(rng, length)) for _ in range(3)]
    assert np.mean(same) >= 0.999


def test_loudest_step_is_kept(default_16k: AudioBlock) -> None:
    """A full-scale tone reaches 12 dB: 255/256, not the 0 of Edge Impulse's uint8 wrap."""
    x = np.round(32767 * np.sin(2 * np.pi * 6000 / 16000 * np.arange(16000)))
    ref = reference_mfe(x, mfe.MfeParams(), 16000)
    out = default_16k.run(x).reshape(ref.shape)
    assert ref.max() == 255 / 256 and (out == ref.max()).sum() > 0
    assert compare_quantized(out, ref) >= 0.999


@pytest.mark.parametrize("fs", [8000, 16000, 44100])
@pytest.mark.parametrize("fft_length", [128, 256, 512])
def test_frame_counts_match_reference(fs: int, fft_length: int) -> None:
    check_frame_counts(mfe, reference_mfe, fs, fft_length, num_filters=fft_length // 16)


def test_default_resources() -> None:
    block = mfe.generate("kws", mfe.MfeParams(), sampling_freq=16000, input_length=16000)
    assert block.output_length == 99 * 40
    assert block.working_bytes == 4 * (256 + 258)  # one frame and its spectrum


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({"fft_length": 100}, "fft_length must be a power of two"),
        ({"num_filters": 1}, "num_filters must be at least 2"),
        ({"noise_floor_db": 12}, "noise_floor_db must be below 12 dB"),
        ({"noise_floor_db": -52.5}, "noise_floor_db must be an integer"),
        ({"high_frequency": -5}, "high_frequency must not be negative"),
        ({"num_cepstral": 13}, "unknown parameter 'num_cepstral'; known: frame_length"),
    ],
)
def test_parameter_errors(obj: dict, message: str) -> None:
    expect_usage_error(message, mfe.parse_params, obj)


@pytest.mark.parametrize(
    ("obj", "kwargs", "message"),
    [
        *COMMON_GENERATION_ERRORS,
        ({"high_frequency": 4001}, {"sampling_freq": 8000}, "is above half the sampling rate"),
        ({"num_filters": 128}, {}, "mel filters cover no FFT bin"),
    ],
)
def test_generation_errors(obj: dict, kwargs: dict, message: str) -> None:
    check_generation_error(mfe, obj, kwargs, message)
