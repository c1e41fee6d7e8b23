"""Generation pieces shared by the audio blocks (MFCC, MFE, spectrogram).

Parameter parsing, the frame geometry with its errors, the mel filterbank and the
noise floor as const tables. The arithmetic is defined in
:mod:`tinygen.reference.dsp.audio`; the kernels are declared in
runtime_c/include/tg_dsp_audio.h; the C around a block's frame loop is
:mod:`tinygen.dsp.audio_source`'s.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from tinygen.codegen.c_values import array_body, float_literal
from tinygen.dsp import params
from tinygen.dsp.fft import check_fft_length
from tinygen.dsp.params import fail
from tinygen.errors import TinygenError
from tinygen.reference.dsp.audio import frame_geometry, mel_filterbank

#: Edge Impulse's audio blocks refuse to produce more frames than this.
MAX_FRAMES = 500


def parse_fields(block: str, cls: type, obj: Any) -> Any:
    """An instance of the frozen dataclass ``cls`` from a JSON object of parameters.

    A missing key keeps the field's default; an unknown key is an error listing the
    known names. Each value must have the type of its field's default (an ``int`` field
    also takes an integral float such as 256.0). Ranges are the caller's to check.
    """
    values = params.known_values(block, obj, [f.name for f in fields(cls)])
    readers = {bool: params.boolean, int: params.integer, float: params.number}
    return cls(
        **{
            f.name: readers[type(f.default)](block, f.name, values[f.name])
            for f in fields(cls)
            if f.name in values
        }
    )


def check_fft(block: str, fft_length: int) -> None:
    try:
        check_fft_length(fft_length)
    except TinygenError as error:
        fail(block, error.message)


def check_mel_params(block: str, p: Any) -> None:
    """The parameters a mel filterbank block shares: fft_length, num_filters and the
    low_frequency and high_frequency band edges (ranges that need the sampling rate
    are checked by :func:`filterbank`)."""
    check_fft(block, p.fft_length)
    if p.num_filters < 2:
        fail(block, f"num_filters must be at least 2, got {p.num_filters}")
    for key in ("low_frequency", "high_frequency"):
        if getattr(p, key) < 0:
            fail(block, f"{key} must not be negative, got {getattr(p, key)} Hz")


def check_noise_floor(block: str, noise_floor_db: float) -> None:
    if noise_floor_db >= 12:
        fail(block, f"noise_floor_db must be below 12 dB (which maps to 1), got {noise_floor_db}")


def check_signal(block: str, sampling_freq: float, input_length: int, axes: int) -> None:
    """The input must be one axis of at least one sample at a positive rate."""
    if axes != 1:
        fail(
            block,
            f"the input must have one axis, got axes={axes} "
            "(use one block per axis, as Edge Impulse does)",
        )
    if isinstance(input_length, bool) or not isinstance(input_length, int | np.integer):
        fail(block, f"input_length must be a whole number of samples, got {input_length!r}")
    if input_length < 1:
        fail(block, f"the input is empty (input_length={input_length}); it needs samples")
    real = isinstance(sampling_freq, numbers.Real) and not isinstance(sampling_freq, bool)
    if not (real and math.isfinite(sampling_freq) and sampling_freq > 0):
        fail(block, f"sampling_freq must be a positive number of Hz, got {sampling_freq!r}")


@dataclass(frozen=True)
class Framing:
    """Where the frames lie in the input, in samples."""

    signal_length: int
    frames: int
    frame_samples: int
    stride_samples: int


def framing(
    block: str,
    input_length: int,
    sampling_freq: float,
    frame_length: float,
    frame_stride: float,
    min_samples: int = 1,
) -> Framing:
    """The frame geometry, or an error naming frame_length or frame_stride."""
    for key, seconds in (("frame_length", frame_length), ("frame_stride", frame_stride)):
        if seconds <= 0:
            fail(block, f"{key} must be a positive number of seconds, got {seconds}")
        if seconds < min_samples / sampling_freq:
            fail(
                block,
                f"{key} ({seconds} s) must be at least {min_samples} sample"
                f"{'s' if min_samples > 1 else ''} at {sampling_freq:g} Hz",
            )
    frames, frame_samples, stride = frame_geometry(
        input_length, sampling_freq, frame_length, frame_stride
    )
    if frames < 1 or frame_samples > input_length:
        fail(
            block,
            f"frame_length ({frame_length} s = {frame_samples} samples) is longer than the "
            f"input ({input_length} samples); shorten frame_length or lengthen the window",
        )
    if frames > MAX_FRAMES:
        fail(
            block,
            f"the input makes {frames} frames, more than {MAX_FRAMES}; increase frame_stride "
            "or shorten the input",
        )
    return Framing(input_length, frames, frame_samples, stride)


def filterbank(
    block: str,
    num_filters: int,
    fft_length: int,
    sampling_freq: float,
    low_frequency: float,
    high_frequency: float,
) -> np.ndarray:
    """The mel filterbank; ``high_frequency`` 0 means half the sampling rate."""
    nyquist = sampling_freq / 2
    high = high_frequency or nyquist
    if high > nyquist:
        fail(
            block,
            f"high_frequency ({high_frequency} Hz) is above half the sampling rate "
            f"({nyquist:g} Hz); lower it or set it to 0 for {nyquist:g} Hz",
        )
    if low_frequency >= high:
        fail(
            block,
            f"low_frequency ({low_frequency} Hz) must be below high_frequency ({high:g} Hz)",
        )
    bank = mel_filterbank(num_filters, fft_length, sampling_freq, low_frequency, high)
    empty = np.flatnonzero(~bank.any(axis=1))
    if empty.size:
        fail(
            block,
            f"{empty.size} of the {num_filters} mel filters cover no FFT bin at "
            f"fft_length {fft_length}; use at most about {fft_length // 8} num_filters, "
            "a larger fft_length or a wider low_frequency..high_frequency band",
        )
    return bank


def setup(
    block: str,
    name: str,
    p: Any,
    sampling_freq: float,
    input_length: int,
    axes: int,
    min_samples: int = 1,
) -> Framing:
    """Checks the block name, the input and ``p``'s frame_length and frame_stride."""
    params.check_name(block, name)
    check_signal(block, sampling_freq, input_length, axes)
    return framing(block, input_length, sampling_freq, p.frame_length, p.frame_stride, min_samples)


def mel_setup(
    block: str, name: str, p: Any, sampling_freq: float, input_length: int, axes: int
) -> tuple[Framing, np.ndarray]:
    """:func:`setup`, and the mel filterbank of ``p`` at this sampling rate."""
    geometry = setup(block, name, p, sampling_freq, input_length, axes)
    bank = filterbank(
        block, p.num_filters, p.fft_length, sampling_freq, p.low_frequency, p.high_frequency
    )
    return geometry, bank


def table(c_type: str, symbol: str, values: np.ndarray, per_line: int = 12) -> str:
    values = np.asarray(values)
    return (
        f"static const {c_type} {symbol}[{values.size}] = {{\n"
        f"    {array_body(values, per_line=per_line)}\n}};\n"
    )


def filterbank_c(symbol: str, bank: np.ndarray, floor: float = 0.0) -> tuple[str, int]:
    """``static const tg_mel_params symbol``: each filter's nonzero weights; their bytes.

    Energies not above ``floor`` become 1e-10 (see ``reference.dsp.audio.zero_handling``).
    """
    first, count, weights = [], [], []
    for row in bank:
        nonzero = np.flatnonzero(row)
        lo, hi = int(nonzero[0]), int(nonzero[-1]) + 1
        first.append(lo)
        count.append(hi - lo)
        weights.append(row[lo:hi])
    first_a = np.array(first, dtype=np.int16)
    count_a = np.array(count, dtype=np.int16)
    weights_a = np.concatenate(weights).astype(np.float32)
    text = (
        table("int16_t", f"{symbol}_first", first_a, per_line=16)
        + table("int16_t", f"{symbol}_count", count_a, per_line=16)
        + table("float", f"{symbol}_weights", weights_a, per_line=8)
        + f"static const tg_mel_params {symbol} = {{\n"
        f"    {len(bank)}, {symbol}_first, {symbol}_count, {symbol}_weights, "
        f"{float_literal(floor)}\n}};\n"
    )
    return text, first_a.nbytes + count_a.nbytes + weights_a.nbytes + 20


def noise_floor_c(symbol: str, noise_floor_db: float, quantize: bool) -> tuple[str, int]:
    """``static const tg_noise_floor_params symbol``; its bytes."""
    text = (
        f"static const tg_noise_floor_params {symbol} = {{"
        f"{float_literal(noise_floor_db)}, {float_literal(12.0 - noise_floor_db)}, "
        f"{int(quantize)}}};\n"
    )
    return text, 12
