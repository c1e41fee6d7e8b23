"""DSP blocks on hostile inputs, under AddressSanitizer and UndefinedBehaviorSanitizer.

Every block of test_dsp_cli.CONFIGS and a few more configurations runs in a sanitized
program (see sanitizer_build.py) on random, silent, full-scale and float-extreme input
and on input holding NaN or an infinity. The contract (entry.py, the README):

- finite input: NAME_OK and finite features, or NAME_ERROR_OVERFLOW and all zeros when
  a feature overflowed float (only where the squares of the input do);
- audio blocks (int16 sample values as floats): a value outside -32768 .. 32767 gives
  NAME_ERROR_RANGE and all zeros;
- a NaN or an infinity anywhere in the input: NAME_ERROR_NONFINITE, all zeros;
- a NULL input or output: NAME_ERROR_NULL, nothing written (checked by the program);
- the image block: any bytes give NAME_OK, full scale giving the table's value of 255.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from audio_harness import random_audio
from sanitizer_build import build_dsp_program, dsp_results, run
from test_dsp_cli import CONFIGS

from tinygen.dsp.blocks import generate_block
from tinygen.dsp.image import output_table, parse_params

OK, NONFINITE, OVERFLOW, RANGE = 0, 2, 3, 4
FLOAT_MAX = float(np.finfo(np.float32).max)

MORE_CONFIGS = {
    "mfcc_plain": {"block": "mfcc", "sampling_freq": 8000, "input_length": 4000,
                   "parameters": {"win_size": 0, "num_cepstral": 10, "frame_stride": 0.01}},
    "motion_high": {"block": "spectral_analysis", "sampling_freq": 100, "input_length": 1200,
                    "axes": 2, "parameters": {"fft_length": 32, "filter_type": "high",
                                              "filter_cutoff": 3, "filter_order": 4,
                                              "input_decimation_ratio": 3,
                                              "extra_low_freq": True, "scale_axes": 0.5}},
    "letterbox": {"block": "image", "input_width": 50, "input_height": 30,
                  "input_format": "gray8",
                  "parameters": {"channels": "RGB", "width": 16, "height": 20,
                                 "resize_mode": "fit-longest", "fill": 255,
                                 "output_type": "int8", "scale": 0.0039215689,
                                 "zero_point": -128}},
}
ALL = {**CONFIGS, **MORE_CONFIGS}
AUDIO = ("mfcc", "mfe", "spectrogram")
#: Motion blocks whose features square the input: float-extreme input overflows them.
SQUARING = ("spectral_analysis", "flatten")


def _float_inputs(kind: str, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Random, silent, int16 full-scale and float-extreme input; the random one with one
    value just past the int16 range, or a NaN or an infinity; all NaN. By name."""
    steady = random_audio(rng, n).astype(np.float32) if kind in AUDIO else (
        rng.normal(0, 3, n).astype(np.float32)
    )
    extremes = np.where(np.arange(n) % 3 == 0, -32768, 32767).astype(np.float32)
    inputs = {
        "random": steady,
        "silent": np.zeros(n, np.float32),
        "int16 full scale": extremes,
        "float extremes": np.where(np.arange(n) % 2 == 0, -FLOAT_MAX, FLOAT_MAX).astype(
            np.float32
        ),
    }
    for label, value in (("32768", 32768.0), ("-32769", -32769.0)):
        beyond = steady.copy()
        beyond[rng.integers(n)] = value
        inputs[f"{label} once"] = beyond
    for label, value in (("NaN", np.nan), ("+Inf", np.inf), ("-Inf", -np.inf)):
        spoiled = steady.copy()
        spoiled[rng.integers(n)] = value
        inputs[f"one {label}"] = spoiled
    inputs["all NaN"] = np.full(n, np.nan, np.float32)
    return inputs


@pytest.mark.parametrize("name", sorted(ALL))
def test_block_on_hostile_inputs(name: str, tmp_path: Path) -> None:
    doc = ALL[name]
    block = generate_block(doc, name)
    kind = str(doc["block"])
    if kind == "image":
        _check_image(block, doc, tmp_path)
        return
    rng = np.random.default_rng(7)
    inputs = _float_inputs(kind, block.input_length, rng)
    exe = build_dsp_program(block, tmp_path, "float", "float")
    result = run(exe, b"".join(x.tobytes() for x in inputs.values()))
    assert result.clean, result.stderr[-4000:]
    for (label, _), (status, out) in zip(
        inputs.items(), dsp_results(block, result.stdout, len(inputs), np.float32), strict=True
    ):
        if label.startswith(("one", "all")):
            expected = {NONFINITE}
        elif kind in AUDIO and label in ("float extremes", "32768 once", "-32769 once"):
            expected = {RANGE}
        elif label == "float extremes" and kind in SQUARING:
            expected = {OK, OVERFLOW}
        else:
            expected = {OK}
        assert status in expected, (label, status)
        if status == OK:
            assert np.isfinite(out).all(), label
        else:
            assert not out.any(), f"{label}: the output must be all zeros"
        if label == "float extremes" and kind == "flatten":
            assert status == OVERFLOW  # the RMS of FLT_MAX overflows
        if label == "silent" and kind == "raw":
            assert not out.any()


def _check_image(block: object, doc: dict, tmp_path: Path) -> None:
    params = parse_params(doc.get("parameters", {}))
    table = output_table(params)
    out_type, dtype = ("float", np.float32) if params.output_type == "float32" else (
        "int8_t", np.int8
    )
    n = block.input_length
    rng = np.random.default_rng(8)
    inputs = {
        "random": rng.integers(0, 256, n, dtype=np.uint8),
        "black": np.zeros(n, np.uint8),
        "full scale": np.full(n, 255, np.uint8),
        "checkerboard": np.where(np.arange(n) % 2 == 0, 0, 255).astype(np.uint8),
    }
    exe = build_dsp_program(block, tmp_path, "uint8_t", out_type)
    result = run(exe, b"".join(x.tobytes() for x in inputs.values()))
    assert result.clean, result.stderr[-4000:]
    for (label, _), (status, out) in zip(
        inputs.items(), dsp_results(block, result.stdout, len(inputs), dtype), strict=True
    ):
        assert status == OK, label
        assert np.isin(out, table).all(), label  # every value is some pixel's value
        fill = table[params.fill]
        if label == "full scale":
            assert set(np.unique(out)) <= {table[255], fill}, label
        if label == "black":
            assert set(np.unique(out)) <= {table[0], fill}, label
