"""Spectrogram block (Edge Impulse's spectrogram, implementation version 4): parameters."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SpectrogramParams:
    """The block's parameters, named and defaulted as in Edge Impulse's parameters.json."""

    frame_length: float = 0.02  # seconds, at least 4 samples
    frame_stride: float = 0.01  # seconds, at least 4 samples
    fft_length: int = 128
    noise_floor_db: int = -52  # dB mapped to 0; 12 dB maps to 1
    show_axes: bool = True  # graphs only: unused
