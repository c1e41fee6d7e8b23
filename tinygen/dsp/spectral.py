"""Spectral analysis block: parameters, filter sections, FFT plans and bin ranges, C.

Follows Edge Impulse's spectral_analysis block, implementation version 4 with the FFT
analysis (see tinygen/reference/dsp/spectral.py for the arithmetic). Parameter names
are those of its parameters.json with ``_`` for ``-`` (``scale_axes``); the hyphenated
spelling is accepted too. The v1 parameters (spectral peaks and power edges) and the
wavelet ones are accepted and have no effect; ``analysis_type`` "Wavelet" is rejected.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from tinygen.codegen.c_values import array_body, float_literal
from tinygen.dsp import entry
from tinygen.dsp.fft import (
    RFFT_FUNCTIONS,
    RFFT_HEADERS,
    RFFT_SOURCES,
    check_fft_length,
    rfft_plan_c,
)
from tinygen.dsp.params import (
    boolean,
    check_name,
    choice,
    fail,
    float_block_header,
    integer,
    known_values,
    number,
    samples_per_axis,
)
from tinygen.dsp.sources import DspSources, Placement, float_buffers
from tinygen.dsp_definitions.spectral import (
    ANALYSIS_TYPES,
    DECIMATION_RATIOS,
    DECIMATION_STAGES,
    FILTER_TYPES,
    LOW_FREQ_RATIO,
    MAX_FILTER_ORDER,
    SpectralParams,
)
from tinygen.reference.dsp.spectral import band_bins, butterworth, decimator

SOURCES = (
    *RFFT_SOURCES,
    "tg_dsp_sos_filter.c",
    "tg_dsp_moments.c",
    "tg_dsp_max_hold.c",
    "tg_spectral_analysis.c",
)
HEADERS = (*RFFT_HEADERS, "tg_dsp_moments.h", "tg_dsp_spectral.h")
FUNCTIONS = (
    *RFFT_FUNCTIONS,
    "tg_dsp_sos_filter",
    "tg_dsp_moments",
    "tg_dsp_max_hold",
    "tg_spectral_features",
    "tg_spectral_analysis",
)


BLOCK = "spectral analysis"


def _fail(message: str) -> None:
    fail(BLOCK, message)


def parse_params(obj: dict) -> SpectralParams:
    """SpectralParams from a JSON object of the block's parameters (missing: default)."""
    values = known_values(BLOCK, obj, (f.name for f in fields(SpectralParams)))
    out: dict = {}
    for key, value in values.items():
        if key in ("scale_axes", "filter_cutoff", "spectral_peaks_threshold"):
            out[key] = number(BLOCK, key, value)
        elif key in ("do_log", "do_fft_overlap", "extra_low_freq"):
            out[key] = boolean(BLOCK, key, value)
        elif key in ("spectral_power_edges", "wavelet"):
            if not isinstance(value, str):
                _fail(f"{key} must be a string, got {value!r}")
            out[key] = value
        elif key == "input_decimation_ratio":
            if isinstance(value, str) and value.strip().isdigit():
                value = int(value)
            out[key] = choice(BLOCK, key, integer(BLOCK, key, value), DECIMATION_RATIOS)
        elif key == "filter_type":
            out[key] = choice(BLOCK, key, value, FILTER_TYPES)
        elif key == "analysis_type":
            out[key] = choice(BLOCK, key, value, ANALYSIS_TYPES)
        else:
            out[key] = integer(BLOCK, key, value)
    params = SpectralParams(**out)
    if params.implementation_version != 4:
        _fail(f"only implementation_version 4 is supported, got {params.implementation_version}")
    if params.analysis_type != "FFT":
        _fail('analysis_type "Wavelet" is not supported; use "FFT"')
    check_fft_length(params.fft_length, "fft_length")
    if params.filter_type != "none":
        order = params.filter_order
        if order < 0 or order > MAX_FILTER_ORDER or order % 2:
            _fail(
                f"filter_order must be 0 (no filter, only the bins are masked) or an even "
                f"number from 2 to {MAX_FILTER_ORDER}, got {order}"
            )
        if order > 0 and params.filter_cutoff <= 0:
            _fail(f"filter_cutoff must be above 0 Hz for a filter, got {params.filter_cutoff}")
    return params


def filter_is_stable(order: int, cutoff: float, sampling_freq: float) -> bool:
    """EI's design check: the poles of its float32 low-pass sections are inside |z| = 1."""
    a = np.float32(np.tan(np.pi * cutoff / sampling_freq))
    a2 = np.float32(a * a)
    radius = 0.0
    for ix in range(order // 2):
        r = np.sin(np.pi * (2.0 * ix + 1.0) / (2.0 * order))
        scale = a2 + 2.0 * a * r + 1.0
        d1 = np.float32(2.0 * (1 - a2) / scale)
        d2 = np.float32(-(a2 - 2.0 * a * r + 1.0) / scale)
        radius = max(radius, float(np.max(np.abs(np.roots([1.0, -float(d1), -float(d2)])))))
    return radius < 1


@dataclass(frozen=True)
class SpectralPlan:
    """What the block computes for one input length and sampling frequency."""

    samples: int  # per axis, before decimation
    length: int  # per axis, after input decimation
    sampling_freq: float  # after input decimation
    butter_sos: np.ndarray | None  # float32 values, a0 = 1
    bins: tuple[int, int]
    low_freq_length: int  # 0 without extra low frequency features
    low_freq_bins: tuple[int, int]

    def features_per_axis(self) -> int:
        count = 5 + self.bins[1] - self.bins[0]
        if self.low_freq_length:
            count += 5 + self.low_freq_bins[1] - self.low_freq_bins[0]
        return count


def plan(
    params: SpectralParams, *, sampling_freq: float, input_length: int, axes: int
) -> SpectralPlan:
    """Geometry and filter of the block; TinygenError for what EI rejects or cannot run."""
    samples = samples_per_axis(BLOCK, input_length, axes)
    fs = number(BLOCK, "sampling_freq", sampling_freq)
    if fs <= 0:
        _fail(f"sampling_freq must be above 0 Hz, got {sampling_freq}")
    ratio = params.input_decimation_ratio
    length = samples
    for stage in DECIMATION_STAGES[ratio]:
        length = -(-length // stage)
    fs /= ratio
    filtered = params.filter_type != "none"
    if ratio > 1 and filtered and params.filter_cutoff > fs / 2 * 0.9:
        _fail(
            f"input_decimation_ratio {ratio} leaves a Nyquist frequency of {fs / 2:g} Hz, too "
            f"close to filter_cutoff {params.filter_cutoff:g} Hz (at most 90% of it); lower "
            "the ratio"
        )
    sos = None
    if filtered and params.filter_order > 0:
        if params.filter_cutoff >= fs / 2:
            _fail(
                f"filter_cutoff {params.filter_cutoff:g} Hz is at or above the Nyquist "
                f"frequency {fs / 2:g} Hz; choose a lower cut-off"
            )
        if not filter_is_stable(params.filter_order, params.filter_cutoff, fs):
            _fail("the filter is not stable; move filter_cutoff away from 0 and from Nyquist")
        sos = butterworth(params.filter_type, params.filter_order, params.filter_cutoff, fs)
    n = params.fft_length
    bins = band_bins(params.filter_type, params.filter_cutoff, fs, n)
    low_bins = band_bins(params.filter_type, params.filter_cutoff, fs / LOW_FREQ_RATIO, n)
    for start, stop in (bins, low_bins) if params.extra_low_freq else (bins,):
        if stop <= start:
            _fail(
                f"filter_cutoff {params.filter_cutoff:g} Hz masks all FFT bins; raise it or "
                "the fft_length"
            )
    low_length = 0
    if params.extra_low_freq:
        low_length = -(-length // LOW_FREQ_RATIO)
        if low_length < n / 2:
            _fail(
                f"extra_low_freq needs at least {n // 2 * LOW_FREQ_RATIO * ratio} samples per "
                f"axis with fft_length {n}, got {samples}"
            )
    return SpectralPlan(samples, length, fs, sos, bins, low_length, low_bins)


def _sos_c(symbol: str, sos: np.ndarray, zi: np.ndarray | None, ratio: int) -> tuple[str, int]:
    """A ``static const tg_dsp_sos symbol`` and its tables; their byte count.

    Per section b0, b1, b2, a1 + 2, a2 - 1 (divided by a0) rounded to float32.
    """
    sos = np.asarray(sos, dtype=np.float64)
    sos = sos / sos[:, 3:4]
    coeffs = np.concatenate([sos[:, :3], sos[:, 4:5] + 2, sos[:, 5:6] - 1], axis=1)
    coeffs = coeffs.astype(np.float32)
    text = (
        f"static const float {symbol}_coeffs[{coeffs.size}] = {{\n"
        f"    {array_body(coeffs, per_line=5)}\n}};\n"
    )
    zi_symbol, nbytes = "NULL", coeffs.nbytes + 20  # a tg_dsp_sos: 20 bytes on 32 bits
    if zi is not None:
        zi = zi.astype(np.float32)
        zi_symbol, nbytes = f"{symbol}_zi", nbytes + zi.nbytes
        text += (
            f"static const float {zi_symbol}[{zi.size}] = {{\n"
            f"    {array_body(zi, per_line=8)}\n}};\n"
        )
    dc_gain = float(np.prod(np.sum(sos[:, :3], axis=1) / np.sum(sos[:, 3:], axis=1)))
    text += (
        f"static const tg_dsp_sos {symbol} = {{{len(sos)}, {ratio}, {symbol}_coeffs, "
        f"{zi_symbol}, {float_literal(dc_gain)}}};\n"
    )
    return text, nbytes


def _bands_c(fft: str, params: SpectralParams, bins: tuple[int, int]) -> str:
    n = params.fft_length
    step = n - (n // 2 if params.do_fft_overlap else 0)
    return f"{{&{fft}, {step}, {bins[0]}, {bins[1]}, {int(params.do_log)}}}"


def generate(
    name: str,
    params: SpectralParams,
    *,
    sampling_freq: float,
    input_length: int,
    axes: int = 1,
    placement: Placement | None = None,
) -> DspSources:
    """C of the block ``int NAME_run(const float *input, float *output)``.

    ``input_length`` counts every input value (samples x axes, interleaved). With a
    ``placement`` the buffers ``NAME_signal`` and ``NAME_work`` lie where it says: the
    parameters in flash then hold NULL for them, and ``NAME_compute`` runs on a copy on
    the stack that points to them.
    """
    check_name(BLOCK, name)
    geo = plan(params, sampling_freq=sampling_freq, input_length=input_length, axes=axes)
    n = params.fft_length
    fft_text, constant_bytes = rfft_plan_c(f"{name}_fft", n)
    tables = [fft_text]
    stages = DECIMATION_STAGES[params.input_decimation_ratio]
    for i, stage in enumerate(stages):
        text, nbytes = _sos_c(f"{name}_decimate{i}", *decimator(stage), stage)
        tables.append(text)
        constant_bytes += nbytes
    decimate_ref = "NULL"
    if stages:
        pointers = ", ".join(f"&{name}_decimate{i}" for i in range(len(stages)))
        tables.append(
            f"static const tg_dsp_sos *const {name}_decimate[{len(stages)}] = {{{pointers}}};\n"
        )
        decimate_ref = f"{name}_decimate"
        constant_bytes += 4 * len(stages)  # pointers on a 32-bit target
    filter_ref = "NULL"
    if geo.butter_sos is not None:
        text, nbytes = _sos_c(f"{name}_filter", geo.butter_sos, None, 1)
        tables.append(text)
        constant_bytes += nbytes
        filter_ref = f"&{name}_filter"
    low_ref, low_bands = "NULL", "{NULL, 0, 0, 0, 0}"
    if geo.low_freq_length:
        text, nbytes = _sos_c(f"{name}_low_freq", *decimator(LOW_FREQ_RATIO), LOW_FREQ_RATIO)
        tables.append(text)
        constant_bytes += nbytes
        low_ref = f"&{name}_low_freq"
        low_bands = _bands_c(f"{name}_fft", params, geo.low_freq_bins)
    work = 2 * n + 2 + n // 2 + 1
    buffers = {"signal": geo.samples, "work": work}
    pointers = "NULL, NULL" if placement else f"{name}_signal, {name}_work"
    out_length = axes * geo.features_per_axis()
    header = float_block_header(
        name,
        f"Spectral analysis block {name}: {geo.samples} samples x {axes} axes at "
        f"{sampling_freq:g} Hz, FFT {n}.",
        input_length,
        out_length,
    )
    source = (
        f'{entry.INCLUDES}\n#include "{name}.h"\n#include "tg_dsp_spectral.h"\n\n'
        + "".join(tables)
        + "\n"
        + float_buffers(name, buffers, placement)
        + f"\nstatic const tg_spectral_params {name}_params = {{\n"
        f"    {axes}, {geo.samples}, {float_literal(params.scale_axes)},\n"
        f"    {len(stages)}, {decimate_ref}, {filter_ref},\n"
        f"    {_bands_c(f'{name}_fft', params, geo.bins)},\n"
        f"    {low_ref}, {low_bands},\n"
        f"    {pointers}\n}};\n\n"
        f"static int {name}_compute(const float *input, float *output)\n{{\n"
        + (_PLACED_COMPUTE.replace("NAME_", f"{name}_") if placement else
           f"    return tg_spectral_analysis(&{name}_params, input, output);\n}}\n\n")
        + entry.run_function(name, "float", "float", input_length, out_length)
    )
    constant_bytes += 19 * 4  # tg_spectral_params
    return DspSources(
        name=name,
        header=header,
        source=source,
        runtime_sources=SOURCES,
        runtime_headers=HEADERS,
        functions=FUNCTIONS,
        input_length=input_length,
        output_length=out_length,
        working_bytes=(geo.samples + work) * 4,
        constant_bytes=constant_bytes,
        buffers=tuple(buffers.items()),
    )


#: The body of a placed block's NAME_compute: the parameters with the buffers' addresses.
_PLACED_COMPUTE = """\
    tg_spectral_params params = NAME_params;
    params.signal = NAME_signal;
    params.work = NAME_work;
    return tg_spectral_analysis(&params, input, output);
}

"""
#: Stack of a placed block's copy of its tg_spectral_params (19 words on a 32-bit target).
PLACED_STACK_BYTES = 19 * 4
