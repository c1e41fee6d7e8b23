"""MFE block (Edge Impulse's MFE, implementation version 4): parameters and constants."""

from __future__ import annotations

from dataclasses import dataclass

#: Input scale and pre-emphasis of version 4 (fixed, not parameters).
SCALE = 1.0 / 32768
PRE_COF = 0.98
PRE_SHIFT = 1


@dataclass(frozen=True)
class MfeParams:
    """The block's parameters, named and defaulted as in Edge Impulse's parameters.json."""

    frame_length: float = 0.02  # seconds
    frame_stride: float = 0.01  # seconds
    num_filters: int = 40
    fft_length: int = 256
    low_frequency: int = 0  # Hz
    high_frequency: int = 0  # Hz; 0 for half the sampling rate
    win_size: int = 101  # versions 1 and 2 only: unused
    noise_floor_db: int = -52  # dB mapped to 0; 12 dB maps to 1
