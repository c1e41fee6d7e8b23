"""The float32 models of ``../shared/models`` compiled without quantization: the C equals
TFLite Micro and TensorFlow Lite within the float tolerance on the host (and bit for bit,
since the kernels add in TensorFlow Lite's order and use the same libm), on the emulated
Cortex-M4F within the tolerance, and their arena and report count 4-byte activations."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from tinygen.compiler import compile_file
from tinygen.target.cortex_m4 import run_model_on_m4
from tinygen.verify.compare import verify
from tinygen.verify.inputs import random_inputs
from tinygen.verify.tflm import TflmModel
from tinygen.verify.tolerance import differing

FLOAT_MODELS = ["ad01_fp32", "pretrainedResnet", "vww_96_float"]
RUNS = 3


@pytest.mark.parametrize("name", FLOAT_MODELS)
def test_float_model_matches_the_truth(name: str, shared_dir: Path) -> None:
    path = shared_dir / "models" / f"{name}.tflite"
    model = compile_file(path)
    assert all(c.kernel.endswith("_f32") or c.kernel == "alias" for c in model.calls)
    result = verify(model, path.read_bytes(), random_inputs(model.graph, RUNS, 7))
    assert result.ok and result.floating, (
        result.first_divergence.describe() if result.first_divergence else "")
    assert result.identical_runs == result.runs


@pytest.mark.parametrize("name", FLOAT_MODELS)
def test_float_arena_counts_four_byte_activations(name: str, shared_dir: Path) -> None:
    """Every activation takes 4 bytes an element, so the arena holds at least the largest
    one whole, and no more than the activation lower bound."""
    model = compile_file(shared_dir / "models" / f"{name}.tflite")
    graph = model.graph
    activations = [t for t in graph.tensors if not t.is_constant and t.dtype == "float32"]
    largest = max(t.size for t in activations)
    assert all(t.itemsize == 4 for t in activations)
    assert 4 * largest <= model.plan.arena_bytes


@pytest.mark.parametrize("name", ["ad01_fp32", "pretrainedResnet"])
def test_float_model_on_cortex_m4(name: str, shared_dir: Path, tmp_path: Path) -> None:
    """The hard-float build on the M4F (newlib's libm) against TFLite Micro on the host."""
    path = shared_dir / "models" / f"{name}.tflite"
    model = compile_file(path)
    sets = list(itertools.islice(random_inputs(model.graph, 2, 3), 2))
    run = run_model_on_m4(model, sets, tmp_path / "m4")
    tflm = TflmModel(path.read_bytes(), len(model.graph.outputs))
    for inputs, outputs in zip(sets, run.outputs, strict=True):
        expected = tflm.invoke(inputs)
        for want, got in zip(expected, outputs, strict=True):
            got = np.asarray(got).reshape(want.shape)
            assert got.dtype == np.float32
            assert not differing(got, want).any()
