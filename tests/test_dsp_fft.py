"""The C real FFT against numpy.fft.rfft for every supported length, and its length checks."""

from __future__ import annotations

import numpy as np
import pytest
from dsp_harness import build_block

from tinygen.dsp.fft import (
    RFFT_FUNCTIONS,
    RFFT_HEADERS,
    RFFT_SOURCES,
    check_fft_length,
    rfft_plan_c,
)
from tinygen.dsp.sources import DspSources
from tinygen.errors import EXIT_USAGE, TinygenError

LENGTHS = [2**b for b in range(4, 13)]

#: Measured worst case over 30 random inputs per length and kind (uniform, Gaussian with an
#: offset, a tone plus noise, an impulse): max |C - numpy| = 3.3e-8 * log2(n) * max |X|
#: (float32 rounding, growing with the radix-2 stages). The bound keeps a factor of 3.
ERROR_PER_STAGE = 1e-7


@pytest.fixture(scope="module")
def fft_lib(tmp_path_factory):
    parts, cases = ['#include "tg_rfft.h"\n'], []
    for n in LENGTHS:
        text, _ = rfft_plan_c(f"fft_test_plan{n}", n)
        parts.append(text)
        cases.append(f"    case {n}: tg_rfft(&fft_test_plan{n}, input, output); return 0;")
    parts.append(
        "int fft_test_run(int n, const float *input, float *output);\n"
        "int fft_test_run(int n, const float *input, float *output)\n{\n"
        "    switch (n) {\n" + "\n".join(cases) + "\n    default: return 1;\n    }\n}\n"
    )
    block = DspSources(
        name="fft_test",
        header="",
        source="\n".join(parts),
        runtime_sources=RFFT_SOURCES,
        runtime_headers=RFFT_HEADERS,
        functions=RFFT_FUNCTIONS,
        input_length=0,
        output_length=0,
        working_bytes=0,
        constant_bytes=0,
    )
    return build_block(
        block, tmp_path_factory.mktemp("fft"), "int fft_test_run(int n, const float *, float *);"
    )


def run_fft(fft_lib, x: np.ndarray) -> np.ndarray:
    ffi, lib = fft_lib
    n = x.size
    x = np.ascontiguousarray(x, dtype=np.float32)
    before = x.copy()
    out = np.full(n + 4, 12345.0, dtype=np.float32)  # two guard floats past n + 2
    assert lib.fft_test_run(n, ffi.from_buffer("float[]", x), ffi.from_buffer("float[]", out)) == 0
    assert np.array_equal(x, before), "tg_rfft modified its input"
    assert np.all(out[n + 2 :] == 12345.0), "tg_rfft wrote past n + 2 floats"
    return out[: n + 2].astype(np.float64).view(np.complex128)


@pytest.mark.parametrize("n", LENGTHS)
def test_rfft_matches_numpy(fft_lib, n):
    rng = np.random.default_rng(n)
    t = np.arange(n)
    signals = [
        rng.uniform(-1, 1, n),
        rng.standard_normal(n) * 100 + 3,
        np.sin(2 * np.pi * 5.3 * t / n) + 0.01 * rng.standard_normal(n),
        np.eye(1, n, 1)[0],  # impulse at 1
    ]
    for x in signals:
        x32 = x.astype(np.float32)
        got = run_fft(fft_lib, x32)
        want = np.fft.rfft(x32.astype(np.float64))
        err = np.max(np.abs(got - want))
        assert err <= ERROR_PER_STAGE * np.log2(n) * np.max(np.abs(want)), (n, err)
        assert got[0].imag == 0 and got[-1].imag == 0


def measured_error_ratio(fft_lib) -> float:
    """max |err| / (log2 n * max |X|) over all lengths (to restate ERROR_PER_STAGE)."""
    worst = 0.0
    for n in LENGTHS:
        rng = np.random.default_rng(n)
        for _ in range(20):
            x = rng.uniform(-1, 1, n).astype(np.float32)
            want = np.fft.rfft(x.astype(np.float64))
            err = np.max(np.abs(run_fft(fft_lib, x) - want))
            worst = max(worst, err / (np.log2(n) * np.max(np.abs(want))))
    return worst


def test_error_bound_has_margin(fft_lib):
    assert measured_error_ratio(fft_lib) <= ERROR_PER_STAGE / 2


@pytest.mark.parametrize("n", [0, 8, 100, 8192, -16, 1000])
def test_rejects_bad_lengths(n):
    with pytest.raises(TinygenError) as info:
        check_fft_length(n, "fft-length")
    assert info.value.exit_code == EXIT_USAGE
    assert "fft-length" in info.value.message and "power of two" in info.value.message


@pytest.mark.parametrize("n", [16.0, "256", True, None])
def test_rejects_non_integers(n):
    with pytest.raises(TinygenError, match="fft_length"):
        check_fft_length(n)


def test_plan_const_bytes():
    text, nbytes = rfft_plan_c("p", 256)
    assert "static const tg_rfft_plan p = {256, p_twiddle, p_bitrev};" in text
    assert nbytes == 256 * 4 + 128 * 2 + 12
