"""The real MLPerf Tiny and TFLM example models: byte-identical with TFLite Micro."""

from __future__ import annotations

from pathlib import Path

import pytest

from tinygen.compiler import compile_file
from tinygen.verify.compare import verify
from tinygen.verify.inputs import random_inputs

INT8_MODELS = [
    "hello_world_int8",
    "ad01_int8",
    "kws_ref_model",
    "str_ww_ref_model",
    "pretrainedResnet_quant",
    "vww_96_int8",
]


@pytest.mark.parametrize("name", INT8_MODELS)
def test_model_matches_tflm(name: str, shared_dir: Path, pytestconfig: pytest.Config) -> None:
    path = shared_dir / "models" / f"{name}.tflite"
    model = compile_file(path)
    runs = pytestconfig.getoption("--model-runs")
    seed = pytestconfig.getoption("--seed")
    result = verify(model, path.read_bytes(), random_inputs(model.graph, runs, seed))
    assert result.runs == runs + 3  # plus all -128, all 0, all 127
    detail = result.first_divergence.describe() if result.first_divergence else ""
    assert result.mismatched_runs == 0, detail
    assert result.reference_mismatches == 0, detail
