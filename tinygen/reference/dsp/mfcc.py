"""MFCC reference (Edge Impulse's MFCC block, implementation version 4), float64."""

from __future__ import annotations

import numpy as np
import scipy.fft

from tinygen.dsp_definitions.mfcc import ENERGY_FLOOR, MfccParams
from tinygen.reference.dsp.audio import (
    frame_geometry,
    mel_energies,
    mel_filterbank,
    power_spectrum,
    preemphasis,
    stack_frames,
    zero_handling,
)


def mfcc_energies(
    signal: np.ndarray, p: MfccParams, sampling_freq: float
) -> tuple[np.ndarray, np.ndarray]:
    """Mel energies (frames x num_filters) and total power of each frame.

    Circular pre-emphasis, rectangular frames cut or zero-padded to ``fft_length``,
    power spectrum, triangular mel filters.
    """
    x = preemphasis(signal, p.pre_cof, p.pre_shift)
    frames, frame_samples, stride = frame_geometry(
        len(x), sampling_freq, p.frame_length, p.frame_stride
    )
    power = power_spectrum(stack_frames(x, frames, frame_samples, stride), p.fft_length)
    high = p.high_frequency or sampling_freq / 2
    bank = mel_filterbank(p.num_filters, p.fft_length, sampling_freq, p.low_frequency, high)
    return mel_energies(power, bank), power.sum(axis=1)


def mfcc_from_energies(mel: np.ndarray, frame_energy: np.ndarray, p: MfccParams) -> np.ndarray:
    """The block's output from its energies: orthonormal DCT-II of the log mel energies
    with coefficient 0 replaced by the log frame energy, then (unless ``win_size`` is 0)
    :func:`cmvnw`.

    Energies are clamped below at 1e-10 before the log, where Edge Impulse replaces
    only exact zeros (see :func:`~tinygen.reference.dsp.audio.zero_handling`).
    """
    log_mel = np.log(zero_handling(mel, ENERGY_FLOOR))
    cepstra = scipy.fft.dct(log_mel, type=2, axis=-1, norm="ortho")[:, : p.num_cepstral]
    cepstra[:, 0] = np.log(zero_handling(frame_energy, ENERGY_FLOOR))
    return cmvnw(cepstra, p.win_size) if p.win_size > 0 else cepstra


def cmvnw(features: np.ndarray, win_size: int) -> np.ndarray:
    """Sliding-window mean and variance normalization of each column.

    Rows are padded symmetrically (mirror including the edge row, repeated as often as
    needed) by ``win_size // 2`` on both sides; each value loses the mean of the
    ``win_size`` rows centred on it, then each result is divided by the population
    standard deviation (+1e-10) of the same window of mean-subtracted values.
    """
    pad = win_size // 2
    rows = len(features)

    def windows(values: np.ndarray) -> np.ndarray:
        padded = np.pad(values, ((pad, pad), (0, 0)), mode="symmetric")
        return np.stack([padded[i : i + win_size] for i in range(rows)])

    centred = features - windows(features).mean(axis=1)
    return centred / (windows(centred).std(axis=1) + 1e-10)


def mfcc(signal: np.ndarray, p: MfccParams, sampling_freq: float) -> np.ndarray:
    """The block's output: frames x num_cepstral."""
    return mfcc_from_energies(*mfcc_energies(signal, p, sampling_freq), p)
