"""MFE block (Edge Impulse's MFE, implementation version 4): parameter checks, tables, C.

The samples are scaled by 1/32768, circularly pre-emphasized ``x[i] - 0.98 x[i-1]``,
framed (rectangular, cut or zero-padded to ``fft_length``), turned into power spectra
``|X|^2 / n`` and mel energies (an exact 0 becoming 1e-10); each energy becomes
``(10 log10(max(e, 1e-30)) - noise_floor_db) / (12 - noise_floor_db)`` clipped to
0..1 and quantized to a multiple of 1/256 (half to even). The float64 definition is
:mod:`tinygen.reference.dsp.mfe`.

Deviations from Edge Impulse: a value that rounds to 256/256 is kept at 255/256,
where Edge Impulse's uint8 cast wraps it to 0 (the loudest energies, at or above
12 dB, would become silence); Edge Impulse rounds the scaled samples and the
pre-emphasis to float32, the reference stays in float64; fft_length is limited to
16..4096. ``win_size`` is accepted (it belongs to versions 1 and 2) and unused.
"""

from __future__ import annotations

from tinygen.dsp import audio, audio_source
from tinygen.dsp.sources import DspSources, Placement
from tinygen.dsp_definitions.mfe import PRE_COF, PRE_SHIFT, SCALE, MfeParams

BLOCK = "MFE"


def parse_params(obj: dict) -> MfeParams:
    """MfeParams from a JSON object (missing keys take Edge Impulse's defaults)."""
    return check_params(audio.parse_fields(BLOCK, MfeParams, obj))


def check_params(p: MfeParams) -> MfeParams:
    """``p`` if its values are in range, else a TinygenError naming the parameter."""
    audio.check_mel_params(BLOCK, p)
    audio.check_noise_floor(BLOCK, p.noise_floor_db)
    return p


def generate(
    name: str,
    params: MfeParams,
    *,
    sampling_freq: float,
    input_length: int,
    axes: int = 1,
    placement: Placement | None = None,
) -> DspSources:
    """C of ``int NAME_run(const float *input, float *output)``: frames x num_filters."""
    p = check_params(params)
    geometry, bank = audio.mel_setup(BLOCK, name, p, sampling_freq, input_length, axes)
    bank_text, bank_bytes = audio.filterbank_c(f"{name}_filters", bank)
    scale_text, scale_bytes = audio.noise_floor_c(f"{name}_scale", p.noise_floor_db, quantize=True)
    mel = f"output + f * {p.num_filters}"
    return audio_source.block_sources(
        name,
        f"MFE (Edge Impulse MFE v4) of {input_length} samples at {sampling_freq:g} Hz, "
        f"{geometry.frames} frames x {p.num_filters} filters",
        geometry,
        fft_length=p.fft_length,
        pre_emphasis=(PRE_COF, PRE_SHIFT, SCALE),
        tables=(bank_text + scale_text, bank_bytes + scale_bytes),
        buffers={},
        per_frame=p.num_filters,
        frame_calls=(
            f"        tg_mel_energies(&{name}_filters, {name}_power, {mel});\n"
            f"        tg_noise_floor(&{name}_scale, {mel}, {mel}, {p.num_filters});\n"
        ),
        final_calls="",
        kernels=("tg_mel_energies", "tg_noise_floor"),
        placement=placement,
    )
