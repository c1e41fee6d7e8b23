"""Spectrogram block: generated float32 C against the float64 reference, shapes, errors.

Tolerance: the output (log power over the noise floor, 12 dB = 1, not quantized in
version 4) within 5e-4 absolute, i.e. 0.032 dB. float32 FFT rounding (about 1.3e-7
of a frame's peak amplitude) keeps bins within ~85 dB of their frame's peak inside
it; the recordings and the random signals (see ``random_audio``) stay within that.
Measured: 1.5e-4 (the "yes" recording), 5.8e-5 over 150 random signals.
"""

from __future__ import annotations

import numpy as np
import pytest
from audio_harness import (
    COMMON_GENERATION_ERRORS,
    RECORDINGS,
    AudioBlock,
    check_frame_counts,
    check_generation_error,
    expect_usage_error,
    random_audio,
    read_recording,
)

from tinygen.dsp import spectrogram
from tinygen.reference.dsp.spectrogram import spectrogram as reference_spectrogram

TOLERANCE = 5e-4


@pytest.fixture(scope="module")
def default_16k(tmp_path_factory: pytest.TempPathFactory) -> AudioBlock:
    params = spectrogram.SpectrogramParams()
    block = spectrogram.generate("kws", params, sampling_freq=16000, input_length=16000)
    return AudioBlock(block, tmp_path_factory.mktemp("spectrogram_default"))


@pytest.mark.parametrize("recording", RECORDINGS)
def test_recordings(shared_dir, default_16k: AudioBlock, recording: str) -> None:
    fs, x = read_recording(shared_dir, recording)
    ref = reference_spectrogram(x, spectrogram.SpectrogramParams(), fs)
    out = default_16k.run(x).reshape(ref.shape)
    assert np.abs(out - ref).max() <= TOLERANCE


CASES = [
    (16000, 16000, {}),
    (8000, 7919, {"fft_length": 256, "frame_length": 0.025}),
    (44100, 22051, {"fft_length": 512, "frame_stride": 0.02, "noise_floor_db": -90}),
    (16000, 12345, {"frame_length": 0.032, "frame_stride": 0.016, "fft_length": 256}),
    (11025, 5000, {"frame_length": 0.0123, "frame_stride": 0.0071, "noise_floor_db": 0}),
]


@pytest.mark.parametrize(("fs", "length", "obj"), CASES)
def test_random_signals(tmp_path, fs: int, length: int, obj: dict) -> None:
    params = spectrogram.parse_params(obj)
    block = AudioBlock(
        spectrogram.generate("m", params, sampling_freq=fs, input_length=length), tmp_path
    )
    rng = np.random.default_rng(fs + length)
    for _ in range(3):
        x = random_audio(rng, length)
        ref = reference_spectrogram(x, params, fs)
        out = block.run(x).reshape(ref.shape)
        assert np.abs(out - ref).max() <= TOLERANCE


def test_silence_is_zero(default_16k: AudioBlock) -> None:
    out = default_16k.run(np.zeros(16000))
    assert np.all(out == 0.0)


@pytest.mark.parametrize("fs", [8000, 16000, 44100])
@pytest.mark.parametrize("fft_length", [128, 256, 512])
def test_frame_counts_match_reference(fs: int, fft_length: int) -> None:
    check_frame_counts(spectrogram, reference_spectrogram, fs, fft_length)


def test_default_resources() -> None:
    block = spectrogram.generate(
        "kws", spectrogram.SpectrogramParams(), sampling_freq=16000, input_length=16000
    )
    assert block.output_length == 99 * 65
    assert block.working_bytes == 4 * (128 + 130)  # one frame and its spectrum
    assert set(block.functions) == {
        "tg_audio_frame",
        "tg_power_spectrum",
        "tg_rfft",
        "tg_noise_floor",
    }


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({"fft_length": 8}, "fft_length must be a power of two from 16 to 4096"),
        ({"noise_floor_db": 20}, "noise_floor_db must be below 12 dB"),
        ({"show_axes": 1}, "show_axes must be true or false"),
        ({"num_filters": 40}, "unknown parameter 'num_filters'; known: frame_length"),
    ],
)
def test_parameter_errors(obj: dict, message: str) -> None:
    expect_usage_error(message, spectrogram.parse_params, obj)


@pytest.mark.parametrize(
    ("obj", "kwargs", "message"),
    [
        *COMMON_GENERATION_ERRORS,
        ({"frame_length": 0.0002}, {}, "frame_length (0.0002 s) must be at least 4 samples"),
        ({"frame_stride": 0.0001}, {}, "frame_stride (0.0001 s) must be at least 4 samples"),
    ],
)
def test_generation_errors(obj: dict, kwargs: dict, message: str) -> None:
    check_generation_error(spectrogram, obj, kwargs, message)
