"""Spectral analysis in float64, as Edge Impulse's spectral_analysis block (version 4, FFT).

Per axis: scale; input decimation (Chebyshev type I low-pass of order 8, 0.05 dB ripple,
cut-off 0.8 / ratio, initial state the step response to the first sample, every
ratio-th sample kept; ratios 30, 100, 1000 in stages of 3 and 10); a Butterworth
low- or high-pass as second-order sections rounded to float32, zero initial state;
mean removal. Features: RMS, skewness, kurtosis of the signal; skewness and kurtosis
of the max-hold power spectrum max over frames of |rfft(frame, n)|^2 / n (frames
every n or n/2 samples from 0 while they start inside the signal, zero-padded);
then the power bins the filter passes (log10, zeros as 1e-10, if do_log). With
extra_low_freq the filtered signal is decimated by 10 once more, its mean removed,
and the same features follow those of all axes.

Where scipy's skewness and kurtosis are NaN (a constant signal) this returns 0.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import signal

from tinygen.dsp_definitions.spectral import DECIMATION_STAGES, LOW_FREQ_RATIO, SpectralParams

#: What a zero power becomes before log10.
ZERO_POWER = 1e-10


def moments(x: np.ndarray) -> tuple[float, float, float]:
    """RMS, skewness and (Fisher, biased) kurtosis of ``x``; 0 for those of a constant."""
    x = np.asarray(x, dtype=np.float64)
    d = x - np.mean(x)
    m2 = np.mean(d**2)
    rms = math.sqrt(np.mean(x**2))
    if m2 == 0:
        return rms, 0.0, 0.0
    return rms, float(np.mean(d**3) / m2**1.5), float(np.mean(d**4) / m2**2 - 3.0)


def decimator(ratio: int) -> tuple[np.ndarray, np.ndarray]:
    """Second-order sections of the anti-alias low-pass of ``ratio`` and its step state."""
    sos = signal.cheby1(8, 0.05, 0.8 / ratio, output="sos")
    return sos, signal.sosfilt_zi(sos)


def decimate(x: np.ndarray, ratio: int) -> np.ndarray:
    """Low-pass ``x`` (state: the step response to x[0]) and keep every ratio-th sample."""
    sos, zi = decimator(ratio)
    y, _ = signal.sosfilt(sos, x, zi=zi * x[0])
    return y[::ratio]


def butterworth(filter_type: str, order: int, cutoff: float, sampling_freq: float) -> np.ndarray:
    """Butterworth sections of ``order`` at ``cutoff`` Hz, rounded to float32 as EI does."""
    sos = signal.butter(order, cutoff * 2 / sampling_freq, btype=filter_type, output="sos")
    return sos.astype(np.float32).astype(np.float64)


def band_bins(filter_type: str, cutoff: float, sampling_freq: float, n: int) -> tuple[int, int]:
    """``(start, stop)``: the power bins kept as features (DC never is)."""
    cutoff = min(cutoff, sampling_freq / 2)
    bin_val = cutoff * n / sampling_freq
    if filter_type == "high":
        return max(int(bin_val - 0.5) + 1, 1), n // 2 + 1
    if filter_type == "low":
        return 1, int(bin_val + 0.5) + 1
    return 1, n // 2 + 1


def max_hold_power(x: np.ndarray, n: int, step: int) -> np.ndarray:
    """Bin-wise maximum of |rfft(frame, n)|^2 / n over frames starting every ``step``."""
    power = np.zeros(n // 2 + 1)
    for start in range(0, len(x), step):
        spectrum = np.fft.rfft(x[start : start + n], n)
        power = np.maximum(power, (spectrum.real**2 + spectrum.imag**2) / n)
    return power


def signal_features(
    x: np.ndarray, params: SpectralParams, sampling_freq: float
) -> list[float]:
    """RMS, skewness, kurtosis, spectral skewness, spectral kurtosis, power bins of ``x``."""
    n = params.fft_length
    rms, skewness, kurtosis = moments(x)
    step = n - (n // 2 if params.do_fft_overlap else 0)
    power = max_hold_power(x, n, step)
    _, power_skewness, power_kurtosis = moments(power)
    start, stop = band_bins(params.filter_type, params.filter_cutoff, sampling_freq, n)
    bins = power[start:stop]
    if params.do_log:
        bins = np.log10(np.where(bins == 0, ZERO_POWER, bins))
    return [rms, skewness, kurtosis, power_skewness, power_kurtosis, *bins.tolist()]


def spectral_features(
    raw: np.ndarray, params: SpectralParams, *, sampling_freq: float, axes: int = 1
) -> np.ndarray:
    """The feature vector of ``raw`` (interleaved axes) for valid ``params``."""
    data = np.asarray(raw, dtype=np.float64).reshape(-1, axes)
    ratio = params.input_decimation_ratio
    fs = sampling_freq / ratio
    sos = None
    if params.filter_type != "none" and params.filter_order > 0:
        sos = butterworth(params.filter_type, params.filter_order, params.filter_cutoff, fs)
    features: list[float] = []
    low_freq: list[float] = []
    for ax in range(axes):
        x = data[:, ax] * params.scale_axes
        for stage in DECIMATION_STAGES[ratio]:
            x = decimate(x, stage)
        if sos is not None:
            x = signal.sosfilt(sos, x)
        x = x - np.mean(x)
        features += signal_features(x, params, fs)
        if params.extra_low_freq:
            y = decimate(x, LOW_FREQ_RATIO)
            y = y - np.mean(y)
            low_freq += signal_features(y, params, fs / LOW_FREQ_RATIO)
    return np.array(features + low_freq)
