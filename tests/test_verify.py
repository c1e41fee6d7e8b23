"""verify names the first operator whose output differs."""

from __future__ import annotations

import re
from pathlib import Path

from tinygen.compiler import compile_file
from tinygen.verify.compare import verify
from tinygen.verify.inputs import random_inputs


def test_first_diverging_operator_is_named(shared_dir: Path) -> None:
    path = shared_dir / "models" / "hello_world_int8.tflite"
    model = compile_file(path)
    name = f"{model.name}.c"
    source = model.sources.sources[name]
    # Break operator 1 only: clamp its output to at most its zero point.
    block = re.search(r"hello_world_int8_p1 = \{.*?\};", source, re.S)
    assert block is not None
    broken = re.sub(r"\.act_max = -?\d+", ".act_max = -100", block.group(0))
    model.sources.sources[name] = source.replace(block.group(0), broken)
    result = verify(model, path.read_bytes(), random_inputs(model.graph, 10, 0))
    assert result.mismatched_runs > 0
    assert result.reference_mismatches == 0
    divergence = result.first_divergence
    assert divergence is not None
    assert (divergence.op_index, divergence.kind) == (1, "FULLY_CONNECTED")
    assert divergence.tensor == model.graph.tensors[model.graph.ops[1].outputs[0]].name
    assert divergence.reference_agrees_with == "TensorFlow Lite"
    assert "operator 1 (FULLY_CONNECTED)" in divergence.describe()
