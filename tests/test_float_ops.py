"""Randomized single-operator float32 models: the per-operator builders of
``conformance.model_factory`` converted without quantization (``--float-op-cases N`` per
operator, default 2, seeded by ``--seed``).

Each model goes through ``tinygen.verify``: the generated C and the numpy reference must
equal TFLite Micro and TensorFlow Lite within ``tinygen.verify.tolerance`` (1e-5 of the
largest output magnitude) on every run.
"""

from __future__ import annotations

import numpy as np
import pytest
from conformance.model_factory import EXPECTED_TFLITE_OPS, float_ops, make_case

from tinygen.codegen.c_values import c_identifier
from tinygen.compiler import compile_graph
from tinygen.frontend.tflite import parse_tflite
from tinygen.lowering.float32 import FLOAT_LOWERERS
from tinygen.verify.compare import verify
from tinygen.verify.inputs import random_inputs
from tinygen.verify.probe import interpreter_failures

RUNS_PER_CASE = 3


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "float_case" in metafunc.fixturenames:
        per_op = metafunc.config.getoption("--float-op-cases")
        cases = [(op, k) for op in float_ops() for k in range(per_op)]
        metafunc.parametrize("float_case", cases, ids=[f"{op}-{k}" for op, k in cases])


def test_float_operator_matches_the_truth(float_case: tuple[str, int],
                                          pytestconfig: pytest.Config) -> None:
    op, k = float_case
    seed = pytestconfig.getoption("--seed") * 1000 + float_ops().index(op) * 10 + k
    case = make_case(op, np.random.default_rng(seed), float_model=True)
    graph = parse_tflite(case.model, f"float case {op} {k}")
    assert all(graph.tensors[t].dtype == "float32" for t in graph.inputs), case.id
    model = compile_graph(graph, c_identifier(f"float_{op.lower()}_{k}"))
    assert any(c.kernel.endswith("_f32") or c.kernel in ("copy", "alias") for c in model.calls)
    # where the factory knows an interpreter cannot run the model (TFLM's int64 indices),
    # it is tried in a child process first, as `tinygen verify` does
    failures = interpreter_failures(case.model, len(graph.inputs)) if case.missing else None
    result = verify(model, case.model, random_inputs(graph, RUNS_PER_CASE, seed),
                    failures=failures, portable=k % 2 == 1)
    detail = f"{case.id} {case.params}: " + (
        result.first_divergence.describe() if result.first_divergence else ""
    )
    # the factory's expectations are int8's: some interpreter may run the float model
    assert set(result.missing) <= set(case.missing), (detail, result.missing)
    assert result.runs >= RUNS_PER_CASE
    assert result.mismatched_runs == 0, detail
    assert result.reference_mismatches == 0, detail


def test_every_operator_with_an_int8_kernel_has_a_float_one() -> None:
    kinds = {kind for op in float_ops() for kind in EXPECTED_TFLITE_OPS[op]}
    missing = sorted(kinds - set(FLOAT_LOWERERS) - {"QUANTIZE", "DEQUANTIZE"})
    assert not missing, f"no float32 lowering for {missing}"
