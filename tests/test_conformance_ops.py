"""Randomized single-operator models of the operators added after the first conformance set
(``model_factory.new_ops()``), from TensorFlow's converter, byte-identical with the truth.

A second round-robin set beside test_conformance.py's (which stays as it is): by default
2 models per operator with a fixed seed; ``--new-op-cases N --new-op-seed S`` runs more.
Each model goes through ``tinygen.verify`` as test_conformance.py's do: the C and the numpy
reference must equal the truth it picks (TFLite Micro where it agrees with TensorFlow
Lite's reference kernels, TensorFlow Lite where they part, TFLite Micro for SUM) on every
run. Where the factory knows one interpreter cannot run a model (``OpCase.missing``: TFLite
Micro's 5-D limits and int64 indices, TensorFlow Lite's missing int8 DEPTH_TO_SPACE), the
interpreters are first tried in child processes, as ``tinygen verify`` does, and the
model is judged against the other one.

``KNOWN_WRONG`` lists the parameter regions where the check is known to fail, each a
strict xfail (of random cases falling in it, and of pinned cases in
``test_pinned_regions``) so that it stays visible until fixed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conformance.model_factory import (
    EXPECTED_TFLITE_OPS,
    OpCase,
    generate_new_op_cases,
    new_ops,
    ops,
    pinned_case,
)

from tinygen.codegen.c_values import c_identifier
from tinygen.compiler import compile_graph
from tinygen.frontend.tflite import parse_tflite
from tinygen.verify.compare import verify
from tinygen.verify.inputs import random_inputs
from tinygen.verify.probe import interpreter_failures
from tinygen.verify.truth import TFLM

RUNS_PER_CASE = 3
CASES_PER_OPERATOR = 2


def _batch_matmul_merged_rows(params: dict[str, Any]) -> bool:
    """adj_x, and a right-hand side with dim -3 of 1 under a left-hand side with more."""
    lhs, rhs = params["shapes"]
    return bool(params["adj_x"]) and len(lhs) > 2 and len(rhs) > 2 and rhs[-3] == 1 < lhs[-3]


#: (factory op, the region of its parameters, why the check fails there): none known.
#: (TensorFlow Lite's BATCH_MATMUL with adj_x over a right-hand batch of 1 is wrong, and
#: verify takes TFLite Micro as the truth there: tinygen.verify.truth.TFLITE_WRONG.)
KNOWN_WRONG: list[tuple[str, Callable[[dict[str, Any]], bool], str]] = []


def _known_wrong(op: str, params: dict[str, Any]) -> str | None:
    for kind, region, why in KNOWN_WRONG:
        if kind == op and region(params):
            return why
    return None


def _new_op_count(config: pytest.Config) -> int:
    count = config.getoption("--new-op-cases")
    return CASES_PER_OPERATOR * len(new_ops()) if count is None else int(count)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "new_case_index" in metafunc.fixturenames:
        metafunc.parametrize("new_case_index", range(_new_op_count(metafunc.config)))


@pytest.fixture(scope="module")
def new_cases(pytestconfig: pytest.Config) -> list[OpCase]:
    return generate_new_op_cases(_new_op_count(pytestconfig),
                                 pytestconfig.getoption("--new-op-seed"))


def _check(case: OpCase, index: int) -> None:
    """The C and the reference equal the truth on every run, judged by the interpreters
    the factory expects to run the model."""
    graph = parse_tflite(case.model, f"new-op case {index}")
    assert set(EXPECTED_TFLITE_OPS[case.op]) <= {op.kind for op in graph.ops}, case.id
    model = compile_graph(graph, c_identifier(f"new_case_{index}"))
    # Ask child processes (as `tinygen verify` does) only where an interpreter is expected
    # to fail: TFLM loads an int64 ARG_MAX and fails only in Invoke, which verify does not
    # catch; the probes cost a TensorFlow import each, so not for every case.
    failures = interpreter_failures(case.model, len(graph.inputs)) if case.missing else None
    result = verify(model, case.model, random_inputs(graph, RUNS_PER_CASE, index),
                    failures=failures, portable=index % 2 == 1)
    detail = f"{case.id} {case.params}: " + (
        result.first_divergence.describe() if result.first_divergence else ""
    )
    assert sorted(result.missing) == sorted(case.missing), (detail, result.missing)
    assert result.runs >= RUNS_PER_CASE
    assert result.mismatched_runs == 0, detail
    assert result.reference_mismatches == 0, detail


def test_new_operator_matches_the_truth(new_case_index: int, new_cases: list[OpCase],
                                        request: pytest.FixtureRequest) -> None:
    case = new_cases[new_case_index]
    why = _known_wrong(case.op, case.params)
    if why is not None:
        request.applymarker(pytest.mark.xfail(strict=True, reason=why))
    _check(case, new_case_index)


def _matmul(lhs: list[int], rhs: list[int], adj_x: bool, adj_y: bool = False,
            variant: str = "runtime") -> dict[str, Any]:
    return {"variant": variant, "shapes": [lhs, rhs], "adj_x": adj_x, "adj_y": adj_y,
            "ranges": [(-1.5, 1.0), (-0.7, 2.0)]}


def _pinned(name: str, op: str, params: dict[str, Any]) -> Any:
    why = _known_wrong(op, params)
    marks = [pytest.mark.xfail(strict=True, reason=why)] if why else []
    return pytest.param(op, params, id=name, marks=marks)


#: name -> (op, parameters): regions pinned by hand, inside and just outside KNOWN_WRONG's.
PINNED: dict[str, tuple[str, dict[str, Any]]] = {
    # inside: TensorFlow Lite's BATCH_MATMUL is wrong (verify judges by TFLite Micro)
    "matmul_adj_x_rhs_batch_1": ("BATCH_MATMUL", _matmul([2, 6, 2], [1, 6, 4], True)),
    "matmul_adj_x_adj_y_4d": ("BATCH_MATMUL", _matmul([2, 2, 6, 2], [2, 1, 4, 6], True, True)),
    "matmul_adj_x_constant_rhs": ("BATCH_MATMUL", _matmul([2, 2, 6, 2], [2, 1, 6, 4], True,
                                                          variant="constant_rhs")),
    # just outside: right
    "matmul_adj_x_rhs_batch_2": ("BATCH_MATMUL", _matmul([2, 6, 2], [2, 6, 4], True)),
    "matmul_adj_x_lhs_batch_1": ("BATCH_MATMUL", _matmul([1, 6, 2], [2, 6, 4], True)),
    "matmul_rhs_batch_1": ("BATCH_MATMUL", _matmul([2, 2, 6], [1, 6, 4], False)),
}


@pytest.mark.parametrize(("op", "params"), [_pinned(name, *case)
                                            for name, case in PINNED.items()])
def test_pinned_regions(op: str, params: dict[str, Any]) -> None:
    _check(pinned_case(op, params, seed=len(str(params))), 0)


@pytest.mark.parametrize(("op", "params"), [
    pytest.param(op, params, id=name) for name, (op, params) in PINNED.items()
    if _batch_matmul_merged_rows(params)])
def test_tflite_wrong_regions_are_judged_by_tflite_micro(op: str, params: dict[str, Any]) -> None:
    """Where TensorFlow Lite's BATCH_MATMUL is wrong, TFLite Micro parts from it, verify
    judges against TFLite Micro, and the C and the reference equal it."""
    case = pinned_case(op, params, seed=len(str(params)))
    graph = parse_tflite(case.model)
    model = compile_graph(graph, "tflite_wrong")
    result = verify(model, case.model, random_inputs(graph, RUNS_PER_CASE, 0))
    assert result.judge == TFLM and result.tflite_wrong, result.judge
    assert result.tflm_disagreements > 0
    assert result.mismatched_runs == 0 and result.reference_mismatches == 0


def test_every_compiled_operator_has_a_random_builder() -> None:
    """Each operator tinygen lowers is what some factory op converts to, but SQUEEZE and
    EXPAND_DIMS, which the converter writes as RESHAPE (built as such, first set)."""
    from tinygen.lowering import LOWERERS

    built = {kind for kinds in EXPECTED_TFLITE_OPS.values() for kind in kinds}
    # the recurrent layers keep state and have randomized suites of their own
    # (test_svdf.py with tests/svdf_models.py, test_lstm.py)
    assert set(LOWERERS) - built == {
        "SQUEEZE", "EXPAND_DIMS", "SVDF", "UNIDIRECTIONAL_SEQUENCE_LSTM"
    }
    assert not set(ops()) & set(new_ops())
    assert set(EXPECTED_TFLITE_OPS) == set(ops()) | set(new_ops())
