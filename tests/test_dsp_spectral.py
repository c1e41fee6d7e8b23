"""Spectral analysis block: generated float32 C against the float64 reference, and errors."""

from __future__ import annotations

import numpy as np
import pytest
from motion_harness import float_block, global_symbols

from tinygen.dsp.spectral import SpectralParams, generate, parse_params, plan
from tinygen.errors import EXIT_USAGE, TinygenError
from tinygen.reference.dsp.spectral import spectral_features

#: Tolerances of the C (float32) against the reference (float64), per feature kind.
#: RMS: relative. Skewness and kurtosis are ratios of central moments whose float32
#: rounding is relative to E|x|^3 / sigma^3 and E x^4 / sigma^4, not to the moment itself
#: (a skewness near 0 is a difference of large cubes). So the skewness error is taken
#: relative to max(|skewness|, 1) and the kurtosis error relative to |kurtosis + 3| (the
#: Pearson kurtosis m4 / m2^2 >= 1 the Fisher one subtracts 3 from). log10 power bins:
#: absolute. Linear power bins: relative to the largest bin of the same signal.
#: Measured worst cases over 20 random inputs of each case below (seeds 5000 + case):
#: RMS 1.0e-6, skewness 1.3e-5, kurtosis 7.6e-6, log 6.7e-6, linear 2.8e-6.
TOLERANCES = {"rms": 1e-4, "skewness": 1e-4, "kurtosis": 1e-4, "log": 5e-4, "linear": 1e-5}
#: Signals that went through a decimating low-pass (input_decimation_ratio > 1, and the
#: extra low frequency features) are held to looser bounds, for a genuine reason: the
#: float32 rounding of the Chebyshev anti-alias filter (poles at |z| = 0.98 for a ratio
#: of 10, so rounding noise is amplified ~50 times) is relative to the full-band input,
#: while the decimated signal keeps only the part below the new Nyquist frequency, here
#: ~3% of the energy; relative to what is kept the errors grow ~10 times. (Storing
#: a1 + 2 and a2 - 1 already removed the coefficient rounding, which was worse: 4e-4 on
#: the kurtosis for a ratio of 1000; filtering around the signal's mean removed the
#: rounding of a large offset, see test_gravity_offset.) Measured worst cases as above:
#: RMS 4.5e-6, skewness 8.1e-5, kurtosis 3.1e-5, log 3.8e-5, linear 3.1e-5.
DECIMATED_TOLERANCES = {
    "rms": 1e-4,
    "skewness": 3e-4,
    "kurtosis": 3e-4,
    "log": 5e-4,
    "linear": 1.5e-4,
}

CASES = [
    # (parameters, sampling frequency, samples per axis, axes)
    ({}, 62.5, 125, 3),  # the block's defaults, 2 s at 62.5 Hz
    ({"filter_type": "low", "fft_length": 64}, 62.5, 125, 3),
    ({"filter_type": "low", "filter_cutoff": 8, "fft_length": 128, "do_log": False}, 100, 200, 3),
    ({"filter_type": "high", "filter_cutoff": 5, "fft_length": 32, "do_log": False}, 100, 201, 2),
    ({"filter_type": "high", "filter_cutoff": 2, "filter_order": 8}, 100, 333, 3),
    ({"filter_type": "low", "filter_order": 2, "do_fft_overlap": False}, 62.5, 97, 1),
    ({"filter_type": "low", "filter_order": 0, "fft_length": 256}, 100, 150, 2),  # mask only
    ({"fft_length": 32, "do_fft_overlap": False, "do_log": False, "scale_axes": 0.25}, 50, 40, 3),
    ({"fft_length": 64}, 100, 10, 1),  # shorter than one frame: zero-padded
    (
        {"filter_type": "low", "filter_order": 8, "filter_cutoff": 8, "fft_length": 128,
         "extra_low_freq": True},
        100, 2000, 2,
    ),
    ({"filter_type": "high", "filter_cutoff": 1, "extra_low_freq": True, "do_log": False},
     62.5, 1003, 1),
    ({"filter_type": "low", "filter_cutoff": 20, "input_decimation_ratio": "10",
      "fft_length": 64}, 1000, 3000, 1),
    ({"input_decimation_ratio": 30, "fft_length": 32, "do_log": False}, 3000, 2999, 2),
    ({"input_decimation_ratio": 1000}, 16000, 30000, 1),
]


def signal_of(rng: np.random.Generator, samples: int, axes: int, fs: float) -> np.ndarray:
    """Tones, skewed noise and an offset per axis, interleaved, float32."""
    t = np.arange(samples) / fs
    columns = []
    for ax in range(axes):
        f1, f2 = rng.uniform(0.02, 0.45, 2) * fs
        x = 3 * np.sin(2 * np.pi * f1 * t) + np.sin(2 * np.pi * f2 * t + ax)
        x += rng.exponential(1.0 + ax, samples) + rng.standard_normal(samples) + 2 * ax - 1
        columns.append(x)
    return np.stack(columns, axis=1).reshape(-1).astype(np.float32)


def feature_errors(got, want, params: SpectralParams, geo) -> dict[tuple[str, bool], float]:
    """Worst error by (feature kind, signal decimated first), measured as stated above."""
    errors: dict[tuple[str, bool], float] = {}

    def note(kind: str, decimated: bool, error: float) -> None:
        errors[kind, decimated] = max(errors.get((kind, decimated), 0.0), float(error))

    axes = len(want) // geo.features_per_axis()
    segments = [(geo.bins, params.input_decimation_ratio > 1)] * axes
    if geo.low_freq_length:
        segments += [(geo.low_freq_bins, True)] * axes
    at = 0
    for (start, stop), decimated in segments:
        size = 5 + stop - start
        g, w = got[at : at + size], want[at : at + size]
        at += size
        note("rms", decimated, abs(g[0] - w[0]) / w[0])
        for i in (1, 3):
            note("skewness", decimated, abs(g[i] - w[i]) / max(abs(w[i]), 1))
        for i in (2, 4):
            note("kurtosis", decimated, abs(g[i] - w[i]) / abs(w[i] + 3))
        if params.do_log:
            note("log", decimated, np.max(np.abs(g[5:] - w[5:])))
        else:
            note("linear", decimated, np.max(np.abs(g[5:] - w[5:])) / np.max(w[5:]))
    assert at == len(want)
    return errors


@pytest.mark.parametrize("case", range(len(CASES)))
def test_c_matches_reference(case, tmp_path):
    obj, fs, samples, axes = CASES[case]
    params = parse_params(obj)
    block = generate("spec", params, sampling_freq=fs, input_length=samples * axes, axes=axes)
    run = float_block(block, tmp_path)
    geo = plan(params, sampling_freq=fs, input_length=samples * axes, axes=axes)
    rng = np.random.default_rng(100 + case)
    for _ in range(3):
        x = signal_of(rng, samples, axes, fs)
        want = spectral_features(x, params, sampling_freq=fs, axes=axes)
        assert want.shape == (block.output_length,)
        got = run(x)
        errors = feature_errors(got, want, params, geo)
        for (kind, decimated), error in errors.items():
            bound = (DECIMATED_TOLERANCES if decimated else TOLERANCES)[kind]
            assert error <= bound, (kind, "decimated" if decimated else "", error)


def test_gravity_offset(tmp_path):
    # Small vibrations on a large offset (gravity) through input decimation and extra low
    # frequency features meet the tolerances of undecimated signals when the signal lies
    # in the band the decimation keeps: the decimation filters run on x - mean(x).
    # Measured worst over 50 inputs: linear 6.6e-6, skewness 4.9e-6 (linear 3.5e-5
    # when the filters ran on x itself).
    fs, samples = 1000, 2000
    params = parse_params({"input_decimation_ratio": 10, "extra_low_freq": True,
                           "fft_length": 16, "do_log": False})
    block = generate("spec", params, sampling_freq=fs, input_length=samples * 3, axes=3)
    run = float_block(block, tmp_path)
    geo = plan(params, sampling_freq=fs, input_length=samples * 3, axes=3)
    rng = np.random.default_rng(7)
    t = np.arange(samples) / fs
    for _ in range(3):
        # tones inside the band the extra low frequency features keep (below 4 Hz)
        tones = [0.5 * np.sin(2 * np.pi * f * t) for f in rng.uniform(0.5, 3.5, 3)]
        noise = 0.05 * rng.standard_normal((3, samples))
        x = np.stack([tones[i] + noise[i] + (0.0, 2.0, 9.81)[i] for i in range(3)], axis=1)
        x = x.reshape(-1).astype(np.float32)
        want = spectral_features(x, params, sampling_freq=fs, axes=3)
        for (kind, _), error in feature_errors(run(x), want, params, geo).items():
            assert error <= TOLERANCES[kind], (kind, error)


def test_default_output_length():
    # 3 axes x (RMS, skewness, kurtosis, spectral skewness, spectral kurtosis, bins 1..8)
    block = generate("spec", parse_params({}), sampling_freq=62.5, input_length=375, axes=3)
    assert block.output_length == 3 * 13
    assert "int spec_run(const float *input, float *output);" in block.header


def test_every_global_symbol_has_the_block_prefix(tmp_path):
    obj = {"filter_type": "low", "input_decimation_ratio": 3, "extra_low_freq": True}
    block = generate("acc", parse_params(obj), sampling_freq=100, input_length=900, axes=3)
    float_block(block, tmp_path)  # checks the prefix
    assert "acc_spectral_analysis" in global_symbols(tmp_path / "libtinygen_harness.so")


def test_zero_signal(tmp_path):
    # A constant signal: skewness and kurtosis 0 (scipy gives NaN), log of zero power -10.
    params = parse_params({"filter_type": "high", "filter_cutoff": 2})
    block = generate("spec", params, sampling_freq=62.5, input_length=250, axes=2)
    x = np.zeros(250, dtype=np.float32)
    want = spectral_features(x, params, sampling_freq=62.5, axes=2)
    assert np.array_equal(float_block(block, tmp_path)(x), want)
    assert want[0] == 0 and want[1] == 0 and want[5] == -10


def test_parameter_names_and_defaults():
    assert parse_params({}) == SpectralParams()
    params = parse_params(
        {"scale-axes": 2, "filter-type": "low", "input-decimation-ratio": "10", "fft_length": 64}
    )
    assert params.scale_axes == 2.0 and params.filter_type == "low"
    assert params.input_decimation_ratio == 10
    # v1 and wavelet parameters of an impulse load and change nothing
    legacy = {"spectral_peaks_count": 4, "spectral-power-edges": "0.1, 1", "wavelet": "db2"}
    assert parse_params(legacy).fft_length == 16
    # as EI: without a filter (order 0) the cut-off only masks bins, 0 keeps them all
    masked = parse_params({"filter_type": "high", "filter_order": 0, "filter_cutoff": 0})
    block = generate("spec", masked, sampling_freq=62.5, input_length=125, axes=1)
    assert block.output_length == 5 + 8


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({"fft_lenght": 32}, "unknown parameter 'fft_lenght'; known: scale_axes"),
        ({"filter_type": "band"}, "filter_type must be one of"),
        ({"fft_length": 100}, "fft_length must be a power of two"),
        ({"fft_length": 8192}, "fft_length must be a power of two"),
        ({"filter_type": "low", "filter_order": 3}, "filter_order must be 0"),
        ({"filter_type": "high", "filter_order": 10}, "filter_order must be 0"),
        ({"filter_type": "low", "filter_order": -2}, "filter_order must be 0"),
        ({"filter_type": "low", "filter_cutoff": 0}, "filter_cutoff must be above 0"),
        ({"filter_type": "high", "filter_cutoff": -1}, "filter_cutoff must be above 0"),
        ({"analysis_type": "Wavelet"}, "Wavelet\" is not supported"),
        ({"implementation_version": 3}, "only implementation_version 4"),
        ({"input_decimation_ratio": 7}, "input_decimation_ratio must be one of"),
        ({"scale_axes": "2"}, "scale_axes must be a number"),
        ({"do_log": "yes"}, "do_log must be true or false"),
        ({"filter_order": 2.5}, "filter_order must be an integer"),
    ],
)
def test_bad_parameters(obj, message):
    with pytest.raises(TinygenError) as info:
        parse_params(obj)
    assert info.value.exit_code == EXIT_USAGE
    assert message in info.value.message


@pytest.mark.parametrize(
    ("obj", "fs", "length", "axes", "message"),
    [
        ({"filter_type": "low", "filter_cutoff": 31.25}, 62.5, 375, 3, "at or above the Nyquist"),
        ({"filter_type": "high", "filter_cutoff": 40}, 62.5, 375, 3, "at or above the Nyquist"),
        (
            {"filter_type": "low", "filter_cutoff": 10, "input_decimation_ratio": 3},
            62.5, 375, 3, "input_decimation_ratio 3 leaves a Nyquist frequency",
        ),
        ({"filter_type": "low", "filter_cutoff": 0.5}, 62.5, 375, 3, "masks all FFT bins"),
        ({"extra_low_freq": True, "fft_length": 64}, 62.5, 375, 3, "extra_low_freq needs"),
        ({}, 62.5, 0, 3, "at least one sample"),
        ({}, 62.5, 100, 3, "not a multiple of the 3 axes"),
        ({}, 0.0, 375, 3, "sampling_freq must be above 0"),
    ],
)
def test_bad_geometry(obj, fs, length, axes, message):
    with pytest.raises(TinygenError) as info:
        generate("spec", parse_params(obj), sampling_freq=fs, input_length=length, axes=axes)
    assert info.value.exit_code == EXIT_USAGE
    assert message in info.value.message


def test_bad_block_name():
    with pytest.raises(TinygenError, match="C identifier"):
        generate("3d-spec", SpectralParams(), sampling_freq=62.5, input_length=375, axes=3)
