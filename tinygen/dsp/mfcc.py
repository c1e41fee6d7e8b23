"""MFCC block (Edge Impulse's MFCC, implementation version 4): parameter checks, tables, C.

Per frame: circular pre-emphasis ``x[i] - pre_cof * x[i - pre_shift]``, a
rectangular frame cut or zero-padded to ``fft_length``, power spectrum
``|X|^2 / n``, mel energies, natural log, orthonormal DCT-II, coefficient 0
replaced by the log of the frame's total power. Then, unless ``win_size`` is 0,
sliding-window mean and variance normalization over the frames. The float64
definition is :mod:`tinygen.reference.dsp.mfcc`.

Deviations from Edge Impulse: energies are clamped below at 1e-10 before their
log, where Edge Impulse replaces only exact zeros (below 1e-10 an energy of
int16-scale samples is the rounding residue of an exact zero, and its log is
arithmetic noise); fft_length is limited to 16..4096 (the C FFT's tables).
"""

from __future__ import annotations

import numpy as np

from tinygen.dsp import audio, audio_source
from tinygen.dsp.params import fail
from tinygen.dsp.sources import DspSources, Placement
from tinygen.dsp_definitions.mfcc import ENERGY_FLOOR, MfccParams

BLOCK = "MFCC"


def parse_params(obj: dict) -> MfccParams:
    """MfccParams from a JSON object (missing keys take Edge Impulse's defaults)."""
    return check_params(audio.parse_fields(BLOCK, MfccParams, obj))


def check_params(p: MfccParams) -> MfccParams:
    """``p`` if its values are in range, else a TinygenError naming the parameter."""
    audio.check_mel_params(BLOCK, p)
    if not 1 <= p.num_cepstral <= p.num_filters:
        fail(
            BLOCK,
            f"num_cepstral must be from 1 to num_filters ({p.num_filters}), got {p.num_cepstral}",
        )
    if p.win_size < 0 or (p.win_size > 0 and p.win_size % 2 == 0):
        fail(BLOCK, f"win_size must be odd (or 0 for no normalization), got {p.win_size}")
    if p.pre_shift < 1:
        fail(
            BLOCK,
            f"pre_shift must be at least 1, got {p.pre_shift} (set pre_cof to 0 to disable "
            "pre-emphasis)",
        )
    return p


def dct_rows(num_cepstral: int, num_filters: int) -> np.ndarray:
    """Rows 1 .. num_cepstral - 1 of the orthonormal DCT-II of length num_filters."""
    k = np.arange(1, num_cepstral)[:, None]
    f = np.arange(num_filters)[None, :]
    return np.sqrt(2.0 / num_filters) * np.cos(np.pi * k * (2 * f + 1) / (2 * num_filters))


def generate(
    name: str,
    params: MfccParams,
    *,
    sampling_freq: float,
    input_length: int,
    axes: int = 1,
    placement: Placement | None = None,
) -> DspSources:
    """C of ``int NAME_run(const float *input, float *output)``: frames x num_cepstral."""
    p = check_params(params)
    geometry, bank = audio.mel_setup(BLOCK, name, p, sampling_freq, input_length, axes)
    frames, n = geometry.frames, p.fft_length
    bank_text, bank_bytes = audio.filterbank_c(f"{name}_filters", bank, ENERGY_FLOOR)
    dct = dct_rows(p.num_cepstral, p.num_filters).astype(np.float32)
    tables = (
        bank_text
        + (audio.table("float", f"{name}_dct", dct, per_line=8) if dct.size else "")
        + f"static const tg_mfcc_params {name}_cepstral = {{\n"
        f"    {n // 2 + 1}, {p.num_filters}, {p.num_cepstral}, "
        f"{f'{name}_dct' if dct.size else '0'}\n}};\n"
    )
    buffers = {"mel": p.num_filters}
    final_calls, kernels = "", ("tg_mel_energies", "tg_mfcc_cepstra")
    if p.win_size:
        tables += (
            f"static const tg_cmvnw_params {name}_normalization = "
            f"{{{frames}, {p.num_cepstral}, {p.win_size}}};\n"
        )
        buffers["scratch"] = 2 * frames
        final_calls = f"    tg_cmvnw(&{name}_normalization, output, {name}_scratch);\n"
        kernels += ("tg_cmvnw",)
    return audio_source.block_sources(
        name,
        f"MFCC (Edge Impulse MFCC v4) of {input_length} samples at {sampling_freq:g} Hz, "
        f"{frames} frames x {p.num_cepstral} coefficients",
        geometry,
        fft_length=n,
        pre_emphasis=(p.pre_cof, p.pre_shift, 1.0),
        tables=(tables, bank_bytes + dct.nbytes + 16 + (12 if p.win_size else 0)),
        buffers=buffers,
        per_frame=p.num_cepstral,
        frame_calls=(
            f"        tg_mel_energies(&{name}_filters, {name}_power, {name}_mel);\n"
            f"        tg_mfcc_cepstra(&{name}_cepstral, {name}_power, {name}_mel, "
            f"output + f * {p.num_cepstral});\n"
        ),
        final_calls=final_calls,
        kernels=kernels,
        placement=placement,
    )
