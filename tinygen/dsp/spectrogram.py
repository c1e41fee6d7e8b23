"""Spectrogram block (Edge Impulse's spectrogram, implementation version 4).

The samples are framed as they come (rectangular frames, no scaling or
pre-emphasis, cut or zero-padded to ``fft_length``); each frame's power spectrum
``|X|^2 / n`` has n/2 + 1 bins, each turned into
``max(0, (10 log10(max(p, 1e-30)) - noise_floor_db) / (12 - noise_floor_db))``.
Version 4 neither clips at 1 nor quantizes. The float64 definition is
:mod:`tinygen.reference.dsp.spectrogram`.

Deviation from Edge Impulse: fft_length is limited to 16..4096 (the C FFT's tables).
``show_axes`` (graphs only) is accepted and unused.
"""

from __future__ import annotations

from tinygen.dsp import audio, audio_source
from tinygen.dsp.sources import DspSources, Placement
from tinygen.dsp_definitions.spectrogram import SpectrogramParams

BLOCK = "spectrogram"


def parse_params(obj: dict) -> SpectrogramParams:
    """SpectrogramParams from a JSON object (missing keys take Edge Impulse's defaults)."""
    return check_params(audio.parse_fields(BLOCK, SpectrogramParams, obj))


def check_params(p: SpectrogramParams) -> SpectrogramParams:
    """``p`` if its values are in range, else a TinygenError naming the parameter."""
    audio.check_fft(BLOCK, p.fft_length)
    audio.check_noise_floor(BLOCK, p.noise_floor_db)
    return p


def generate(
    name: str,
    params: SpectrogramParams,
    *,
    sampling_freq: float,
    input_length: int,
    axes: int = 1,
    placement: Placement | None = None,
) -> DspSources:
    """C of ``int NAME_run(const float *input, float *output)``: frames x (n/2 + 1)."""
    p = check_params(params)
    geometry = audio.setup(BLOCK, name, p, sampling_freq, input_length, axes, min_samples=4)
    bins = p.fft_length // 2 + 1
    scale_text, scale_bytes = audio.noise_floor_c(f"{name}_scale", p.noise_floor_db, quantize=False)
    return audio_source.block_sources(
        name,
        f"spectrogram (Edge Impulse spectrogram v4) of {input_length} samples at "
        f"{sampling_freq:g} Hz, {geometry.frames} frames x {bins} bins",
        geometry,
        fft_length=p.fft_length,
        pre_emphasis=(0.0, 1, 1.0),
        tables=(scale_text, scale_bytes),
        buffers={},
        per_frame=bins,
        frame_calls=(
            f"        tg_noise_floor(&{name}_scale, {name}_power, output + f * {bins}, {bins});\n"
        ),
        final_calls="",
        kernels=("tg_noise_floor",),
        placement=placement,
    )
