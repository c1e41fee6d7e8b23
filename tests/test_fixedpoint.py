"""The two requantizations of the C runtime equal their numpy definitions and exact arithmetic."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from tinygen.reference.fixedpoint import (
    INT32_MAX,
    INT32_MIN,
    multiply_by_quantized_multiplier,
    multiply_by_quantized_multiplier_single,
)
from tinygen.resources import RUNTIME_DIR
from tinygen.verify.cbuild import build_shared

_SHIM = """
#include "tg_fixedpoint.h"
void shim_double(const int32_t *x, const int32_t *m, const int32_t *s, int32_t *out, int n)
{ int i; for (i = 0; i < n; ++i) out[i] = tg_requantize(x[i], m[i], s[i]); }
void shim_single(const int32_t *x, const int32_t *m, const int32_t *s, int32_t *out, int n)
{ int i; for (i = 0; i < n; ++i) out[i] = tg_requantize_single(x[i], m[i], s[i]); }
"""


@pytest.fixture(scope="module")
def shim(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    work = tmp_path_factory.mktemp("fixedpoint")
    source = work / "shim.c"
    source.write_text(_SHIM)
    cdef = """
        void shim_double(const int32_t *, const int32_t *, const int32_t *, int32_t *, int);
        void shim_single(const int32_t *, const int32_t *, const int32_t *, int32_t *, int);
    """
    return build_shared([source], [RUNTIME_DIR / "include"], cdef, workdir=work)


def _cases(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    x = rng.integers(INT32_MIN, INT32_MAX, n, endpoint=True)
    x[: n // 4] = rng.integers(-(1 << 16), 1 << 16, n // 4)  # typical accumulators
    x[:6] = [0, 1, -1, INT32_MAX, INT32_MIN, 2691]
    m = rng.integers(1 << 30, INT32_MAX, n, endpoint=True)
    m[:6] = [1 << 30, INT32_MAX, 1 << 30, 1 << 30, 1 << 30, 1442659874]
    s = rng.integers(-31, 1, n)  # right shifts: where the requantized value stays in int32
    s[5] = -5
    return x, m, s


def _run(shim: tuple, name: str, x: np.ndarray, m: np.ndarray, s: np.ndarray) -> np.ndarray:
    ffi, lib = shim
    args = [np.ascontiguousarray(a, np.int32) for a in (x, m, s)]
    out = np.zeros(x.size, np.int32)
    ptr = [ffi.cast("int32_t *", ffi.from_buffer(a)) for a in (*args, out)]
    getattr(lib, name)(*ptr, x.size)
    return out.astype(np.int64)


def test_c_equals_numpy(shim: tuple) -> None:
    x, m, s = _cases(20000)
    assert np.array_equal(
        _run(shim, "shim_double", x, m, s), multiply_by_quantized_multiplier(x, m, s)
    )
    assert np.array_equal(
        _run(shim, "shim_single", x, m, s), multiply_by_quantized_multiplier_single(x, m, s)
    )


def test_single_rounding_is_exact_rounding_half_up() -> None:
    x, m, s = _cases(3000)
    got = multiply_by_quantized_multiplier_single(x, m, s)
    for xi, mi, si, g in zip(x.tolist(), m.tolist(), s.tolist(), got.tolist(), strict=True):
        exact = Fraction(xi * mi, 1 << (31 - si))
        assert g == (exact + Fraction(1, 2)).__floor__()


def test_the_two_roundings_part_where_double_rounding_lands_on_a_half() -> None:
    # acc 2691 of ad01's second layer: 2691 * m / 2**31 = 1807.79 -> 1808 first, and
    # 1808 / 32 = 56.5 rounds up; the exact value 56.49 rounds down (TensorFlow Lite).
    x, m, s = np.array([2691]), 1442659874, -5
    assert multiply_by_quantized_multiplier(x, m, s).tolist() == [57]
    assert multiply_by_quantized_multiplier_single(x, m, s).tolist() == [56]


_QUAD_SHIM = """
#include "tg_fast.h"
void shim_quad(const int32_t *x, const int32_t *m, const int32_t *s, int32_t *out, int n)
{ int i; for (i = 0; i < n; ++i) {
    int32_t q[4];
    q[0] = 0; q[1] = m[i]; q[2] = 1 - s[i];
    q[3] = (int32_t)((1u << -s[i]) + ((uint32_t)(int32_t)-7 << (1 - s[i])));
    out[i] = tg_quad_requantize(x[i], q); } }
"""


def test_quad_requantization_equals_tflm_within_its_bound(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """tg_quad_requantize (the specialized convolutions' portable path): TFLite's double
    rounding plus the output offset (-7 here), shifts -22..0, for accumulators inside
    tinygen/lowering/fast.py's quad_quant bound (below 2**29 here)."""
    work = tmp_path_factory.mktemp("quad")
    (work / "shim.c").write_text(_QUAD_SHIM)
    ffi, lib = build_shared(
        [work / "shim.c"], [RUNTIME_DIR / "include"],
        "void shim_quad(const int32_t *, const int32_t *, const int32_t *, int32_t *, int);",
        workdir=work,
    )
    rng = np.random.default_rng(11)
    n = 20000
    x = rng.integers(-(1 << 29) + 1, 1 << 29, n)
    x[: n // 2] = rng.integers(-(1 << 18), 1 << 18, n // 2)
    x[:4] = [0, 1, -1, (1 << 29) - 1]
    m = rng.integers(1 << 30, INT32_MAX, n, endpoint=True)
    s = rng.integers(-22, 1, n)
    s[: n // 8] = 0
    out = _run((ffi, lib), "shim_quad", x, m, s)
    assert np.array_equal(out, multiply_by_quantized_multiplier(x, m, s) - 7)
