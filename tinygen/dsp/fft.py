"""Tables of the C real FFT (runtime_c/dsp/tg_rfft.c) for one power-of-two length."""

from __future__ import annotations

import numpy as np

from tinygen.codegen.c_values import array_body
from tinygen.errors import EXIT_USAGE, TinygenError

MIN_FFT_LENGTH = 16
MAX_FFT_LENGTH = 4096

#: What a block that calls ``tg_rfft`` adds to its DspSources.
RFFT_SOURCES = ("tg_rfft.c",)
RFFT_HEADERS = ("tg_rfft.h",)
RFFT_FUNCTIONS = ("tg_rfft",)


def check_fft_length(n: int, parameter: str = "fft_length") -> None:
    """Raise a TinygenError unless ``n`` is a power of two in 16..4096."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise TinygenError(
            f"{parameter} must be an integer power of two from {MIN_FFT_LENGTH} to "
            f"{MAX_FFT_LENGTH}, got {n!r}",
            EXIT_USAGE,
        )
    n = int(n)
    if n < MIN_FFT_LENGTH or n > MAX_FFT_LENGTH or n & (n - 1):
        raise TinygenError(
            f"{parameter} must be a power of two from {MIN_FFT_LENGTH} to {MAX_FFT_LENGTH} "
            f"(16, 32, ..., 4096), got {n}",
            EXIT_USAGE,
        )


def rfft_tables(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The twiddles (re, im of e^(-2 pi i k / n), k < n/2) and the n/2-point bit reversal."""
    check_fft_length(n)
    k = np.arange(n // 2)
    angle = 2.0 * np.pi * k / n
    twiddle = np.stack([np.cos(angle), -np.sin(angle)], axis=1).astype(np.float32)
    bits = (n // 2).bit_length() - 1
    bitrev = np.array([int(f"{j:0{bits}b}"[::-1], 2) for j in range(n // 2)], dtype=np.uint16)
    return twiddle.reshape(-1), bitrev


def rfft_plan_c(symbol: str, n: int) -> tuple[str, int]:
    """C defining ``static const tg_rfft_plan symbol`` and its tables; their byte count.

    The tables are named ``symbol_twiddle`` and ``symbol_bitrev``; the including file
    must include "tg_rfft.h" first.
    """
    twiddle, bitrev = rfft_tables(n)
    text = (
        f"/* Real FFT of {n} points: twiddles e^(-2 pi i k / {n}), bit reversal of {n // 2}. */\n"
        f"static const float {symbol}_twiddle[{twiddle.size}] = {{\n"
        f"    {array_body(twiddle, per_line=8)}\n}};\n"
        f"static const uint16_t {symbol}_bitrev[{bitrev.size}] = {{\n"
        f"    {array_body(bitrev, per_line=16)}\n}};\n"
        f"static const tg_rfft_plan {symbol} = {{{n}, {symbol}_twiddle, {symbol}_bitrev}};\n"
    )
    return text, twiddle.nbytes + bitrev.nbytes + 12  # plan: 12 bytes on a 32-bit target
