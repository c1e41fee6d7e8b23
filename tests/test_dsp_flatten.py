"""Flatten block: generated float32 C against the float64 reference, and errors."""

from __future__ import annotations

import numpy as np
import pytest
from motion_harness import float_block

from tinygen.dsp.flatten import FlattenParams, generate, parse_params
from tinygen.errors import EXIT_USAGE, TinygenError
from tinygen.reference.dsp.flatten import STATISTICS, flatten_features

#: Errors of the C (float32, compensated sums, deviations from a two-part mean) against
#: the reference (float64): average relative to the axis' RMS (a mean near 0 is a
#: difference of large sums), minimum and maximum relative to the largest |value|, RMS and
#: standard deviation relative, skewness relative to max(|skewness|, 1), kurtosis
#: relative to |kurtosis + 3| (see test_dsp_spectral.py). Measured worst case over 200
#: random inputs of each case below: 3.5e-7 (6.6e-6 on the skewness of the offset case
#: before the mean was kept in two parts).
TOLERANCE = 1e-6

CASES = [
    ({}, 125, 3, 0.0),
    ({"scale_axes": 0.001}, 2000, 2, 9.81),  # an offset 30 times the spread
    ({"scale_axes": -2, "minimum": False, "stdev": False}, 50, 1, 1.0),
    ({"average": False, "maximum": False, "rms": False, "kurtosis": False}, 999, 4, -3.0),
    ({"average": True, "minimum": False, "maximum": False, "rms": False, "stdev": False,
      "skewness": False, "kurtosis": False}, 10, 6, 0.0),
]


def scaled_errors(got, want, params: FlattenParams, x: np.ndarray, axes: int) -> float:
    names = params.statistics()
    data = x.astype(np.float64).reshape(-1, axes) * params.scale_axes
    worst = 0.0
    for ax in range(axes):
        g = dict(zip(names, got[ax * len(names) : (ax + 1) * len(names)], strict=True))
        w = dict(zip(names, want[ax * len(names) : (ax + 1) * len(names)], strict=True))
        scale = {
            "average": np.sqrt(np.mean(data[:, ax] ** 2)),
            "minimum": np.max(np.abs(data[:, ax])),
            "maximum": np.max(np.abs(data[:, ax])),
            "rms": w.get("rms"),
            "stdev": w.get("stdev"),
            "skewness": max(abs(w.get("skewness", 0)), 1),
            "kurtosis": abs(w.get("kurtosis", 0) + 3),
        }
        for name in names:
            worst = max(worst, abs(g[name] - w[name]) / scale[name])
    return worst


@pytest.mark.parametrize("case", range(len(CASES)))
def test_c_matches_reference(case, tmp_path):
    obj, samples, axes, offset = CASES[case]
    params = parse_params(obj)
    block = generate("flat", params, sampling_freq=50, input_length=samples * axes, axes=axes)
    run = float_block(block, tmp_path)
    rng = np.random.default_rng(case)
    for _ in range(5):
        x = rng.gamma(2.0, 1.0, (samples, axes)) * rng.uniform(0.1, 10, axes) + offset
        x = x.reshape(-1).astype(np.float32)
        want = flatten_features(x, params, axes=axes)
        got = run(x)
        assert got.shape == want.shape == (axes * len(params.statistics()),)
        assert scaled_errors(got, want, params, x, axes) <= TOLERANCE


def test_constant_axis(tmp_path):
    # skewness and kurtosis of a constant are 0 (scipy: NaN)
    params = parse_params({})
    block = generate("flat", params, input_length=20, axes=2)
    x = np.tile(np.float32([4.0, -1.5]), 10)
    want = flatten_features(x, params, axes=2)
    assert np.array_equal(want, [4, 4, 4, 4, 0, 0, 0, -1.5, -1.5, -1.5, 1.5, 0, 0, 0])
    assert np.array_equal(float_block(block, tmp_path)(x), want)


def test_parameters():
    assert parse_params({}) == FlattenParams()
    assert parse_params({}).statistics() == STATISTICS
    assert parse_params({"rms": False, "scale-axes": 3}).statistics() == (
        "average", "minimum", "maximum", "stdev", "skewness", "kurtosis"
    )


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({"mean": True}, "unknown parameter 'mean'; known: scale_axes, average"),
        ({"rms": 1}, "rms must be true or false"),
        ({"scale_axes": None}, "scale_axes must be a number"),
        (dict.fromkeys(STATISTICS, False), "enable at least one of average"),
        ({"implementation_version": 2}, "only implementation_version 1"),
    ],
)
def test_bad_parameters(obj, message):
    with pytest.raises(TinygenError) as info:
        parse_params(obj)
    assert info.value.exit_code == EXIT_USAGE and message in info.value.message


def test_bad_geometry():
    with pytest.raises(TinygenError, match="not a multiple of the 3 axes"):
        generate("flat", FlattenParams(), input_length=10, axes=3)
    with pytest.raises(TinygenError, match="C identifier"):
        generate("flat-1", FlattenParams(), input_length=9, axes=3)
