"""MFCC block (Edge Impulse's MFCC, implementation version 4): parameters and constants."""

from __future__ import annotations

from dataclasses import dataclass

#: Mel and frame energies are clamped below at this before their log (Edge Impulse
#: replaces exact zeros only; see reference.dsp.audio.zero_handling for why).
ENERGY_FLOOR = 1e-10


@dataclass(frozen=True)
class MfccParams:
    """The block's parameters, named and defaulted as in Edge Impulse's parameters.json."""

    num_cepstral: int = 13
    frame_length: float = 0.02  # seconds
    frame_stride: float = 0.02  # seconds
    num_filters: int = 32
    fft_length: int = 256
    win_size: int = 101  # frames; odd, 0 for no normalization
    low_frequency: int = 0  # Hz
    high_frequency: int = 0  # Hz; 0 for half the sampling rate
    pre_cof: float = 0.98
    pre_shift: int = 1  # samples
