"""`tinygen generate-dsp`: a DSP block's library from a JSON configuration."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from library_build import STRICT_C

from tinygen.dsp.blocks import generate_block
from tinygen.errors import EXIT_USAGE
from tinygen.reference.dsp.spectral import spectral_features
from tinygen.verify.cbuild import build_shared

CONFIGS = {
    "kws_mfcc": {"block": "mfcc", "sampling_freq": 16000, "input_length": 16000},
    "kws_mfe": {"block": "mfe", "sampling_freq": 16000, "input_length": 8000,
                "parameters": {"num_filters": 40}},
    "spec": {"block": "spectrogram", "sampling_freq": 8000, "input_length": 8000},
    "motion": {"block": "spectral_analysis", "sampling_freq": 62.5, "input_length": 375,
               "axes": 3, "parameters": {"fft_length": 64, "filter_type": "low"}},
    "rawb": {"block": "raw", "input_length": 30, "axes": 3},
    "flat": {"block": "flatten", "input_length": 30, "axes": 3},
    "camera": {"block": "image", "input_width": 320, "input_height": 240,
               "parameters": {"channels": "Grayscale", "resize_mode": "fit-shortest"}},
}


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tinygen", *args], capture_output=True, text=True)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_generate_dsp_writes_a_strict_library(name: str, tmp_path: Path) -> None:
    config = tmp_path / f"{name}.json"
    config.write_text(json.dumps(CONFIGS[name]))
    out = tmp_path / "out"
    result = _run(["generate-dsp", str(config), "-o", str(out)])
    assert result.returncode == 0, result.stderr
    assert (out / "include" / f"{name}.h").is_file()
    report = json.loads((out / "report.json").read_text())
    assert report["output_length"] > 0 and report["runtime_code_bytes"] > 0
    for source in sorted((out / "src").glob("*.c")):
        compiled = subprocess.run(
            [*STRICT_C, "-c", str(source), f"-I{out / 'include'}", f"-I{out / 'src'}",
             "-o", str(tmp_path / (source.stem + ".o"))],
            capture_output=True, text=True,
        )
        assert compiled.returncode == 0 and not compiled.stderr, compiled.stderr
    assert "add_library(" + name in (out / "CMakeLists.txt").read_text()


def test_generated_block_computes_the_reference(tmp_path: Path) -> None:
    doc = CONFIGS["motion"]
    block = generate_block(doc, "motion")
    (tmp_path / "b").mkdir()
    from tinygen.dsp.sources import dsp_files

    files = dsp_files(block)
    for n, text in files.items():
        (tmp_path / "b" / n).write_text(text)
    ffi, lib = build_shared(
        [tmp_path / "b" / n for n in files if n.endswith(".c")], [tmp_path / "b"],
        "int motion_run(const float *input, float *output);", workdir=tmp_path / "b",
    )
    x = np.random.default_rng(4).normal(size=375).astype(np.float32)
    out = np.zeros(block.output_length, np.float32)
    assert lib.motion_run(ffi.from_buffer("float[]", x), ffi.from_buffer("float[]", out)) == 0
    from tinygen.dsp import spectral

    expected = spectral_features(
        x.astype(np.float64), spectral.parse_params(doc["parameters"]), sampling_freq=62.5, axes=3
    )
    assert out.shape == np.asarray(expected).shape
    assert np.allclose(out, expected, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ('["mfcc"]', "must be a JSON object"),
        ('{"block": "fft"}', "unknown DSP block 'fft'"),
        ('{"block": "mfcc", "input_length": 16000}', "needs 'sampling_freq'"),
        ('{"block": "mfcc", "sampling_freq": 16000, "input_length": "1s"}', "must be an integer"),
        ('{"block": "mfcc", "sampling_freq": 16000, "input_length": 16000, "rate": 1}',
         "unknown key 'rate'"),
        ('{"block": "mfcc", "sampling_freq": 16000, "input_length": 16000, '
         '"parameters": {"fft_length": 300}}', "power of two"),
        ('{"block": "mfcc", "sampling_freq": 16000, "input_length": 100}', "frame"),
        ('{"block": "spectral_analysis", "sampling_freq": 100, "input_length": 300, "axes": 3, '
         '"parameters": {"filter_type": "low", "filter_cutoff": 80, "filter_order": 4}}',
         "cutoff"),
        ('{"block": "image", "input_width": 0, "input_height": 10}', "input_width"),
    ],
)
def test_generate_dsp_errors(text: str, message: str, tmp_path: Path) -> None:
    config = tmp_path / "block.json"
    config.write_text(text)
    out = tmp_path / "out"
    result = _run(["generate-dsp", str(config), "-o", str(out)])
    assert result.returncode == EXIT_USAGE, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def test_generate_dsp_missing_file(tmp_path: Path) -> None:
    result = _run(["generate-dsp", str(tmp_path / "none.json"), "-o", str(tmp_path / "o")])
    assert result.returncode == EXIT_USAGE and "no such file" in result.stderr
