"""Randomized single-operator models from TensorFlow's converter: byte-identical with TFLM.

CI runs 200 cases with a fixed seed; `--conformance-cases N --seed S` runs more.
"""

from __future__ import annotations

import pytest
from conformance.model_factory import generate_cases

from tinygen.codegen.c_values import c_identifier
from tinygen.compiler import compile_graph
from tinygen.frontend.tflite import parse_tflite
from tinygen.verify.compare import verify
from tinygen.verify.inputs import random_inputs

RUNS_PER_CASE = 3


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case_index" in metafunc.fixturenames:
        count = metafunc.config.getoption("--conformance-cases")
        metafunc.parametrize("case_index", range(count))


@pytest.fixture(scope="module")
def cases(pytestconfig: pytest.Config) -> list:
    return generate_cases(
        pytestconfig.getoption("--conformance-cases"), pytestconfig.getoption("--seed")
    )


def test_operator_matches_tflm(case_index: int, cases: list) -> None:
    case = cases[case_index]
    graph = parse_tflite(case.model, f"case {case_index}")
    model = compile_graph(graph, c_identifier(f"case_{case_index}"))
    # every other case builds the portable loops (TG_PORTABLE), the rest the host's SIMD
    result = verify(model, case.model, random_inputs(graph, RUNS_PER_CASE, case_index),
                    portable=case_index % 2 == 1)
    detail = f"{case.op} {case.params}: " + (
        result.first_divergence.describe() if result.first_divergence else ""
    )
    assert result.runs >= RUNS_PER_CASE
    assert result.mismatched_runs == 0, detail
    assert result.reference_mismatches == 0, detail
