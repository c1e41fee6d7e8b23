"""Run the generated C, the numpy reference and the truth on the same inputs; find where they part.

The truth (``truth.py``) is TFLite Micro where it agrees with TensorFlow Lite's reference
kernels and TensorFlow Lite where they disagree; the C and the numpy reference must equal
it byte for byte. Where TFLM and TensorFlow Lite disagree, the result says so and names the
first operator where they part.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tinygen.compiler import CompiledModel
from tinygen.frontend.tflite import parse_tflite
from tinygen.reference.interpreter import initial_state, run_reference
from tinygen.verify.c_model import CModel
from tinygen.verify.truth import Parting, Truth, count_differing, same_values, tflite_wrong


@dataclass(frozen=True)
class Divergence:
    op_index: int
    kind: str
    tensor: str
    differing: int  # elements that differ
    size: int
    nbytes: int
    reference_agrees_with: str  # "C", the truth's name, "both" or "neither"

    def describe(self) -> str:
        return (
            f"first difference at operator {self.op_index} ({self.kind}), output tensor "
            f"'{self.tensor}': {self.differing} of {self.size} values differ "
            f"({self.nbytes} bytes); the numpy reference agrees with {self.reference_agrees_with}"
        )


@dataclass
class VerifyResult:
    runs: int = 0
    mismatched_runs: int = 0  # runs where the C differs from the truth
    reference_mismatches: int = 0  # runs where the numpy reference differs from the truth
    first_divergence: Divergence | None = None
    failures: list[int] = field(default_factory=list)
    judge: str = ""  # "TensorFlow Lite" or "TFLite Micro": what the C was compared with
    missing: dict[str, str] = field(default_factory=dict)  # interpreter → why it did not run
    tflm_disagreements: int = 0  # runs where TFLM's outputs differ from TensorFlow Lite's
    parting: Parting | None = None  # where TFLM and TensorFlow Lite first part
    tflite_wrong: list[str] = field(default_factory=list)  # why TFLM is the judge instead
    floating: bool = False  # some output is float32: compared within FLOAT_TOLERANCE
    identical_runs: int = 0  # runs whose outputs equal the truth's bit for bit

    @property
    def ok(self) -> bool:
        return self.mismatched_runs == 0 and self.reference_mismatches == 0


def _locate(
    model: CompiledModel, cmodel: CModel, truth: Truth, inputs: list[np.ndarray], known: int,
    state: dict[int, np.ndarray],
) -> Divergence | None:
    """Step the C operator by operator; compare each output with the truth and the reference.

    Tensors that rewrites added (index ``known`` and above) have no counterpart in the
    interpreters and are skipped; the next operator's output is compared instead. A model
    with recurrent state runs once more here on every side, each from its state after the
    failing run (the reference from ``state``, which it advances in step with the others),
    so the operator named is where the sides part on that next run.
    """
    graph = model.graph
    reference = run_reference(graph, model.calls, inputs, state)
    truth.invoke(inputs)
    cmodel.set_inputs(inputs)
    for i, op in enumerate(graph.ops):
        cmodel.step(i)
        out = op.outputs[0]
        true_value = truth.tensor(out) if out < known else None
        if true_value is None:
            continue
        c_value, ref_value = cmodel.tensor(out), reference[out]
        if same_values(c_value, true_value) and same_values(ref_value, true_value):
            continue
        differing = count_differing(c_value, true_value) or count_differing(ref_value, true_value)
        agrees = [
            who
            for who, value in (("C", c_value), (truth.judge, true_value))
            if same_values(ref_value, value)
        ]
        return Divergence(
            i,
            op.kind,
            graph.tensors[out].name,
            differing,
            c_value.size,
            differing * c_value.itemsize,
            " and ".join(agrees) if agrees else "neither",
        )
    return None


def verify(
    model: CompiledModel,
    model_bytes: bytes,
    input_sets: Iterable[list[np.ndarray]],
    progress: Callable[[int, VerifyResult], None] | None = None,
    failures: dict[str, str] | None = None,
    portable: bool = False,
) -> VerifyResult:
    """Compare the C and the reference with the truth on every input set.

    ``failures``: the interpreters that cannot run the model and why (found by the
    caller in child processes, ``probe.interpreter_failures``); they are not started.
    ``portable``: build the C's portable loops, not the host's SIMD (:class:`CModel`).
    """
    as_read = parse_tflite(model_bytes)
    wrong = tflite_wrong(as_read)
    truth = Truth(model_bytes, len(model.graph.outputs), failures, prefer_tflm=bool(wrong),
                  model=as_read)
    result = VerifyResult(judge=truth.judge, missing=dict(truth.missing),
                          tflite_wrong=wrong if truth.prefer_tflm else [])
    with tempfile.TemporaryDirectory(prefix="tinygen-verify-") as tmp:
        cmodel = CModel(model, Path(tmp), portable=portable)
        state = initial_state(model.graph)  # the recurrent layers' state, run after run
        for inputs in input_sets:
            c_out = cmodel.invoke(inputs)
            true_out, tflm_differs = truth.invoke(inputs)
            if tflm_differs:
                result.tflm_disagreements += 1
                if result.parting is None:
                    result.parting = truth.parting(as_read)
            values = run_reference(model.graph, model.calls, inputs, state)
            ref_out = [values[t] for t in model.graph.outputs]
            c_ok = all(same_values(c, t) for c, t in zip(c_out, true_out, strict=True))
            result.floating |= any(np.issubdtype(t.dtype, np.floating) for t in true_out)
            result.identical_runs += all(
                c.tobytes() == t.tobytes() for c, t in zip(c_out, true_out, strict=True)
            )
            ref_ok = all(same_values(r, t) for r, t in zip(ref_out, true_out, strict=True))
            if not c_ok:
                result.mismatched_runs += 1
                result.failures.append(result.runs)
            if not ref_ok:
                result.reference_mismatches += 1
            if (not c_ok or not ref_ok) and result.first_divergence is None:
                # _locate runs every side once more, from the state each has now
                result.first_divergence = _locate(
                    model, cmodel, truth, inputs, len(as_read.tensors), state
                )
            result.runs += 1
            if progress is not None:
                progress(result.runs, result)
    return result
