"""Build a generated float block (spectral analysis, raw, flatten) and call it from numpy."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
from dsp_harness import build_block

from tinygen.dsp.sources import DspSources

GUARD = 777.0


def global_symbols(library: Path) -> list[str]:
    """The functions and data a shared library defines for others."""
    listing = subprocess.run(
        ["nm", "-g", "--defined-only", str(library)], capture_output=True, text=True, check=True
    ).stdout
    return [line.split()[-1] for line in listing.splitlines() if line.split()[1] in "TDRB"]


def float_block(block: DspSources, workdir: Path) -> Callable[[np.ndarray], np.ndarray]:
    """``run(x)``: NAME_run on float32 ``x``; checks the return code, that the input is
    unchanged and that nothing is written past the output; returns the output (float64).

    Building it checks that every global symbol starts with ``NAME_``.
    """
    ffi, lib = build_block(
        block, workdir, f"int {block.name}_run(const float *input, float *output);"
    )
    names = global_symbols(workdir / "libtinygen_harness.so")
    assert f"{block.name}_run" in names
    assert all(n.startswith(f"{block.name}_") for n in names), names
    entry = getattr(lib, f"{block.name}_run")

    def run(x: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(x, dtype=np.float32)
        assert x.size == block.input_length
        before = x.copy()
        out = np.full(block.output_length + 1, GUARD, dtype=np.float32)
        assert entry(ffi.from_buffer("float[]", x), ffi.from_buffer("float[]", out)) == 0
        assert np.array_equal(x, before, equal_nan=True), "the block modified its input"
        assert out[-1] == GUARD, "the block wrote past its output"
        return out[:-1].astype(np.float64)

    return run
