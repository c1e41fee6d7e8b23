"""Run generated C, numpy reference and TFLM on the same inputs; find where they part."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tinygen.compiler import CompiledModel
from tinygen.reference.interpreter import run_reference
from tinygen.verify.c_model import CModel
from tinygen.verify.tflm import TflmModel


@dataclass(frozen=True)
class Divergence:
    op_index: int
    kind: str
    tensor: str
    differing: int  # elements that differ
    size: int
    nbytes: int
    reference_agrees_with: str  # "C", "TFLM", "both" or "neither"

    def describe(self) -> str:
        return (
            f"first difference at operator {self.op_index} ({self.kind}), output tensor "
            f"'{self.tensor}': {self.differing} of {self.size} values differ "
            f"({self.nbytes} bytes); the numpy reference agrees with {self.reference_agrees_with}"
        )


@dataclass
class VerifyResult:
    runs: int = 0
    mismatched_runs: int = 0
    reference_mismatches: int = 0
    first_divergence: Divergence | None = None
    failures: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.mismatched_runs == 0 and self.reference_mismatches == 0


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.tobytes() == b.tobytes()


def _locate(
    model: CompiledModel, cmodel: CModel, tflm: TflmModel, inputs: list[np.ndarray]
) -> Divergence | None:
    """Step the C operator by operator and compare each output with TFLM and the reference."""
    graph = model.graph
    reference = run_reference(graph, model.calls, inputs)
    tflm.invoke(inputs)
    cmodel.set_inputs(inputs)
    for i, op in enumerate(graph.ops):
        cmodel.step(i)
        out = op.outputs[0]
        c_value = cmodel.tensor(out)
        tf_value = tflm.tensor(out).reshape(c_value.shape).astype(c_value.dtype)
        ref_value = reference[out]
        if _same(c_value, tf_value) and _same(c_value, ref_value):
            continue
        differing = int(np.count_nonzero(c_value != tf_value)) or int(
            np.count_nonzero(c_value != ref_value)
        )
        agrees = [who for who, v in (("C", c_value), ("TFLM", tf_value)) if _same(ref_value, v)]
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
) -> VerifyResult:
    result = VerifyResult()
    with tempfile.TemporaryDirectory(prefix="tinygen-verify-") as tmp:
        cmodel = CModel(model, Path(tmp))
        tflm = TflmModel(model_bytes, len(model.graph.outputs))
        for inputs in input_sets:
            c_out = cmodel.invoke(inputs)
            tf_out = tflm.invoke(inputs)
            values = run_reference(model.graph, model.calls, inputs)
            ref_out = [values[t] for t in model.graph.outputs]
            c_ok = all(_same(c, t) for c, t in zip(c_out, tf_out, strict=True))
            ref_ok = all(_same(r, t) for r, t in zip(ref_out, tf_out, strict=True))
            if not c_ok:
                result.mismatched_runs += 1
                result.failures.append(result.runs)
            if not ref_ok:
                result.reference_mismatches += 1
            if (not c_ok or not ref_ok) and result.first_divergence is None:
                result.first_divergence = _locate(model, cmodel, tflm, inputs)
            result.runs += 1
            if progress is not None:
                progress(result.runs, result)
    return result
