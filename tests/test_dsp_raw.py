"""Raw block: generated C against the reference, and errors."""

from __future__ import annotations

import numpy as np
import pytest
from motion_harness import float_block

from tinygen.dsp.raw import RawParams, generate, parse_params
from tinygen.errors import EXIT_USAGE, TinygenError
from tinygen.reference.dsp.raw import raw_features


@pytest.mark.parametrize(("scale", "samples", "axes"), [(1, 125, 3), (0.01, 77, 2), (-3.5, 1, 1)])
def test_c_matches_reference(scale, samples, axes, tmp_path):
    params = parse_params({"scale-axes": scale})
    block = generate("raw", params, sampling_freq=62.5, input_length=samples * axes, axes=axes)
    run = float_block(block, tmp_path)
    x = np.random.default_rng(samples).normal(0, 100, samples * axes).astype(np.float32)
    want = raw_features(x, params, axes=axes)
    got = run(x)
    assert got.shape == want.shape == (samples * axes,)
    # one float32 rounding of the product (and of the scale)
    assert np.max(np.abs(got - want) / np.abs(want)) <= 2**-23
    if scale == 1:
        assert np.array_equal(got, x)


def test_parameters():
    assert parse_params({}) == RawParams()
    assert parse_params({"scale_axes": 2, "implementation_version": 1}).scale_axes == 2.0


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({"scale": 2}, "unknown parameter 'scale'; known: scale_axes, implementation_version"),
        ({"scale_axes": "2"}, "scale_axes must be a number"),
        ({"scale_axes": float("nan")}, "scale_axes must be finite"),
        ({"implementation_version": 2}, "only implementation_version 1"),
    ],
)
def test_bad_parameters(obj, message):
    with pytest.raises(TinygenError) as info:
        parse_params(obj)
    assert info.value.exit_code == EXIT_USAGE and message in info.value.message


@pytest.mark.parametrize(
    ("length", "axes", "message"),
    [(0, 3, "at least one sample"), (10, 3, "not a multiple"), (9, 0, "axes must be")],
)
def test_bad_geometry(length, axes, message):
    with pytest.raises(TinygenError, match=message):
        generate("raw", RawParams(), input_length=length, axes=axes)
