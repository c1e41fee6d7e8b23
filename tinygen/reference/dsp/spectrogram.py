"""Spectrogram reference (Edge Impulse's spectrogram block, implementation version 4)."""

from __future__ import annotations

import numpy as np

from tinygen.dsp_definitions.spectrogram import SpectrogramParams
from tinygen.reference.dsp.audio import framed_power, noise_floor_scale, to_db


def spectrogram(signal: np.ndarray, p: SpectrogramParams, sampling_freq: float) -> np.ndarray:
    """frames x (fft_length/2 + 1): each power bin in dB over the noise floor, scaled so
    that 12 dB is 1, clipped below at 0 (not above)."""
    power = framed_power(signal, sampling_freq, p.frame_length, p.frame_stride, p.fft_length)
    return np.clip(noise_floor_scale(to_db(power), p.noise_floor_db), 0.0, None)
