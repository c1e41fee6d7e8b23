"""MFE reference (Edge Impulse's MFE block, implementation version 4), float64."""

from __future__ import annotations

import numpy as np

from tinygen.dsp_definitions.mfe import PRE_COF, PRE_SHIFT, SCALE, MfeParams
from tinygen.reference.dsp.audio import (
    framed_power,
    mel_energies,
    mel_filterbank,
    noise_floor_scale,
    preemphasis,
    to_db,
    zero_handling,
)


def mfe_energies(signal: np.ndarray, p: MfeParams, sampling_freq: float) -> np.ndarray:
    """Mel energies (frames x num_filters) of the scaled, pre-emphasized samples (exact
    zeros not yet replaced)."""
    x = preemphasis(np.asarray(signal, dtype=np.float64) * SCALE, PRE_COF, PRE_SHIFT)
    power = framed_power(x, sampling_freq, p.frame_length, p.frame_stride, p.fft_length)
    high = p.high_frequency or sampling_freq / 2
    bank = mel_filterbank(p.num_filters, p.fft_length, sampling_freq, p.low_frequency, high)
    return mel_energies(power, bank)


def quantize_unit(values: np.ndarray) -> np.ndarray:
    """Values clipped to 0..1, rounded (half to even) to multiples of 1/256, at most 255/256.

    Edge Impulse casts round(v * 256) to uint8, which wraps 256 to 0; we clamp it to 255.
    """
    steps = np.around(np.clip(values, 0.0, 1.0) * 256.0)
    return np.minimum(steps, 255.0) / 256.0


def mfe_from_energies(mel: np.ndarray, p: MfeParams) -> np.ndarray:
    """The block's output from its mel energies: exact zeros become 1e-10, then dB over
    the noise floor, quantized."""
    return quantize_unit(noise_floor_scale(to_db(zero_handling(mel)), p.noise_floor_db))


def mfe(signal: np.ndarray, p: MfeParams, sampling_freq: float) -> np.ndarray:
    """The block's output: frames x num_filters, multiples of 1/256 in 0 .. 255/256."""
    return mfe_from_energies(mfe_energies(signal, p, sampling_freq), p)
