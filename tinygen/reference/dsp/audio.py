"""Audio pieces shared by the MFCC, MFE and spectrogram references (float64).

They follow the arithmetic of Edge Impulse's processing blocks (their SpeechPy
fork), implementation version 4: frame counts, circular pre-emphasis, power
spectra of rectangular frames, and the triangular mel filterbank with its bin
rule.
"""

from __future__ import annotations

import math

import numpy as np

#: What a zero energy becomes before a logarithm is taken.
ZERO_ENERGY = 1e-10


def samples_of(seconds: float, sampling_freq: float) -> int:
    """Samples in ``seconds``: rounded up, unless less than 0.001 above a whole number.

    The tolerance absorbs float noise such as 0.018 * 16000 = 288.00000000000006.
    """
    value = sampling_freq * seconds
    whole = math.floor(value)
    if whole < value < whole + 0.001:
        return int(whole)
    return math.ceil(value)


def frame_geometry(
    signal_length: int, sampling_freq: float, frame_length: float, frame_stride: float
) -> tuple[int, int, int]:
    """``(frames, frame_samples, stride_samples)``; the last partial frame is dropped.

    The count is floor((N - (L - S)) / S) for N samples, frames of L and a stride of S
    samples (which may be below one or negative when L > N).
    """
    frame_samples = samples_of(frame_length, sampling_freq)
    stride_samples = samples_of(frame_stride, sampling_freq)
    frames = (signal_length - (frame_samples - stride_samples)) // stride_samples
    return frames, frame_samples, stride_samples


def preemphasis(signal: np.ndarray, cof: float, shift: int) -> np.ndarray:
    """``y[i] = x[i] - cof * x[i - shift]`` with the index taken modulo the length."""
    x = np.asarray(signal, dtype=np.float64)
    return x - cof * np.roll(x, shift)


def stack_frames(signal: np.ndarray, frames: int, frame_samples: int, stride: int) -> np.ndarray:
    """``frames`` x ``frame_samples`` rectangular frames starting every ``stride`` samples."""
    starts = np.arange(frames)[:, None] * stride
    return np.asarray(signal, dtype=np.float64)[starts + np.arange(frame_samples)[None, :]]


def power_spectrum(frames: np.ndarray, fft_length: int) -> np.ndarray:
    """``|rfft(frame, fft_length)|^2 / fft_length``: frames are cut or zero-padded to n."""
    spectrum = np.fft.rfft(frames, n=fft_length, axis=-1)
    return (spectrum.real**2 + spectrum.imag**2) / fft_length


def hz_to_mel(hz: np.ndarray | float) -> np.ndarray:
    return 1127.0 * np.log(1.0 + np.asarray(hz, dtype=np.float64) / 700.0)


def mel_to_hz(mel: np.ndarray | float) -> np.ndarray:
    return 700.0 * (np.exp(np.asarray(mel, dtype=np.float64) / 1127.0) - 1.0)


def mel_bin_edges(
    num_filters: int, fft_length: int, sampling_freq: float, low_hz: float, high_hz: float
) -> np.ndarray:
    """The ``num_filters + 2`` FFT bins where the triangles start, peak and end.

    Points equally spaced in mel from ``low_hz`` to ``high_hz`` (the top one lowered by
    0.001 Hz, so that fs/2 does not land on a bin above it by float noise) are mapped
    to bin floor((n + 1) * f / fs).
    """
    hz = mel_to_hz(np.linspace(hz_to_mel(low_hz), hz_to_mel(high_hz), num_filters + 2))
    hz[-1] -= 0.001
    return np.floor((fft_length + 1) * hz / sampling_freq).astype(np.int64)


def mel_filterbank(
    num_filters: int, fft_length: int, sampling_freq: float, low_hz: float, high_hz: float
) -> np.ndarray:
    """``num_filters`` x ``(n/2 + 1)`` triangular weights on power-spectrum bins.

    Filter i rises linearly from 0 at bin e[i] to 1 at e[i+1] and falls back to 0 at
    e[i+2] (``e`` from :func:`mel_bin_edges`); a filter whose start and peak or peak and
    end coincide is a one-sided ramp with its 1 at the shared bin, and one collapsed to a
    single bin is all zero.
    """
    edges = mel_bin_edges(num_filters, fft_length, sampling_freq, low_hz, high_hz)
    bank = np.zeros((num_filters, fft_length // 2 + 1))
    for i in range(num_filters):
        left, middle, right = (int(e) for e in edges[i : i + 3])
        for k in range(left + 1, right):
            if k <= middle:
                bank[i, k] = (k - left) / (middle - left)
            else:
                bank[i, k] = (right - k) / (right - middle)
        if left == middle < right:
            bank[i, left] = 1.0
        if left < middle == right:
            bank[i, right] = 1.0
    return bank


def zero_handling(x: np.ndarray, floor: float = 0.0) -> np.ndarray:
    """Values not above ``floor`` replaced by :data:`ZERO_ENERGY` (1e-10) before a log.

    Edge Impulse replaces exact zeros (``floor`` 0). The MFCC block uses ``floor``
    1e-10, a clamp: its energies come from int16-scale samples, where an energy in
    (0, 1e-10) is only ever the rounding residue of an exact zero (say the DC bin of
    a frame whose pre-emphasized samples sum to 0), whose log would otherwise be
    noise of the arithmetic (ln 1e-31 in float64, another value in float32).
    """
    return np.where(x > floor, x, ZERO_ENERGY)


def mel_energies(power: np.ndarray, filterbank: np.ndarray) -> np.ndarray:
    """Filterbank energies of each power-spectrum frame (before :func:`zero_handling`)."""
    return power @ filterbank.T


def framed_power(
    signal: np.ndarray,
    sampling_freq: float,
    frame_length: float,
    frame_stride: float,
    fft_length: int,
) -> np.ndarray:
    """Power spectra of the rectangular frames of ``signal`` (frames x (n/2 + 1))."""
    frames, frame_samples, stride = frame_geometry(
        len(signal), sampling_freq, frame_length, frame_stride
    )
    return power_spectrum(stack_frames(signal, frames, frame_samples, stride), fft_length)


def noise_floor_scale(energy_db: np.ndarray, noise_floor_db: float) -> np.ndarray:
    """``(dB - floor) / (12 - floor)``: the floor maps to 0 and 12 dB to 1."""
    return (energy_db - noise_floor_db) / (-noise_floor_db + 12.0)


def to_db(power: np.ndarray) -> np.ndarray:
    """``10 log10`` of the power, clipped below at 1e-30 first."""
    return 10.0 * np.log10(np.clip(power, 1e-30, None))
