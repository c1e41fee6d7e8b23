"""Spectral analysis block (Edge Impulse's spectral_analysis, version 4 with the FFT
analysis): parameters, the values they may take and the decimation constants."""

from __future__ import annotations

from dataclasses import dataclass

FILTER_TYPES = ("low", "high", "none")
ANALYSIS_TYPES = ("FFT", "Wavelet")
MAX_FILTER_ORDER = 8
#: Extra low frequency features decimate the filtered signal by this.
LOW_FREQ_RATIO = 10
#: Stages of each input decimation ratio.
DECIMATION_STAGES = {1: (), 3: (3,), 10: (10,), 30: (3, 10), 100: (10, 10), 1000: (10, 10, 10)}
DECIMATION_RATIOS = tuple(DECIMATION_STAGES)


@dataclass(frozen=True)
class SpectralParams:
    scale_axes: float = 1.0
    input_decimation_ratio: int = 1
    filter_type: str = "none"
    filter_cutoff: float = 3.0
    filter_order: int = 6
    analysis_type: str = "FFT"
    fft_length: int = 16
    do_log: bool = True
    do_fft_overlap: bool = True
    extra_low_freq: bool = False
    implementation_version: int = 4
    # Accepted so that an impulse's parameters load; no effect in version 4 FFT.
    spectral_peaks_count: int = 3
    spectral_peaks_threshold: float = 0.1
    spectral_power_edges: str = "0.1, 0.5, 1.0, 2.0, 5.0"
    wavelet_level: int = 1
    wavelet: str = "db4"
