"""Persistent state of the recurrent layers (variable tensors), on an SVDF model: kept
beside the arena in NAME_state, counted in the plan, the report and the RAM budget,
carried from one inference to the next by the C and by the numpy reference alike, and
restarted by NAME_reset() (and before the first inference by itself)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from svdf_models import SvdfSpec, random_steps, svdf_model

from tinygen.compiler import CompiledModel, compile_graph
from tinygen.frontend.tflite import parse_tflite
from tinygen.reference.interpreter import initial_state, run_reference
from tinygen.report.operators import plan_summary
from tinygen.target.cortex_m4 import run_model_on_m4
from tinygen.verify.c_model import CModel

SPEC = SvdfSpec(1, 6, 2, 3, 4, "int8", "RELU", seed=31)


def _model() -> CompiledModel:
    graph = parse_tflite(svdf_model(SPEC), "svdf")
    return compile_graph(graph, "stateful")


def test_state_lies_beside_the_arena_and_is_counted() -> None:
    model = _model()
    graph, plan = model.graph, model.plan
    state = graph.state_tensors()
    assert len(state) == 1 and graph.tensors[state[0]].dtype == "int16"
    assert state[0] not in plan.offsets  # not in the arena
    assert plan.state_bytes >= graph.tensors[state[0]].nbytes > 0
    assert plan.ram_bytes == plan.arena_bytes + plan.state_bytes
    assert ("recurrent state", plan.state_bytes) in model.usage().ram
    assert model.report()["state_bytes"] == plan.state_bytes
    assert f"recurrent state beside the arena: {plan.state_bytes:,} B" in plan_summary(model)
    header = model.sources.header
    assert f"#define STATEFUL_STATE_BYTES {plan.state_bytes}" in header
    assert "void stateful_reset(void);" in header


def test_state_carries_over_and_reset_restarts_it(tmp_path: Path) -> None:
    model = _model()
    steps = random_steps(SPEC, 5, 3)
    c = CModel(model, tmp_path)
    first = [c.invoke([x])[0] for x in steps]
    state = initial_state(model.graph)
    reference = [run_reference(model.graph, model.calls, [x], state)[model.graph.outputs[0]]
                 for x in steps]
    for want, got in zip(reference, first, strict=True):
        assert got.tobytes() == want.reshape(got.shape).tobytes()
    # the same input gives another output once the state has moved on
    again = c.invoke([steps[0]])[0]
    assert again.tobytes() != first[0].tobytes()
    c.reset()
    replay = [c.invoke([x])[0] for x in steps]
    assert [r.tobytes() for r in replay] == [f.tobytes() for f in first]


def test_state_on_cortex_m4(tmp_path: Path) -> None:
    """The M4F build (one program running the inputs in a row) carries the state as the
    host build does: the same bytes at every step."""
    model = _model()
    steps = random_steps(SPEC, 4, 5)
    run = run_model_on_m4(model, [[x] for x in steps], tmp_path / "m4")
    host = CModel(model, tmp_path / "host")
    for x, got in zip(steps, run.outputs, strict=True):
        assert np.asarray(got[0]).tobytes() == host.invoke([x])[0].tobytes()
