"""The external truth for int8 inference: TFLite Micro where it agrees with TensorFlow Lite's
reference kernels, TensorFlow Lite's reference kernels where the two part.

Both interpreters run every input. When their outputs differ, TFLM has a bug (for instance
SPACE_TO_BATCH_ND of a dynamic-batch model, a standalone RELU6 between two scales, or the
double rounding of FULLY_CONNECTED), and the first operator of the model where their
tensors part is found by comparing every tensor both kept. The exception: operators whose
TensorFlow Lite kernel is known to be wrong (``TFLITE_WRONG``: SUM on int8, BATCH_MATMUL with
adj_x over a broadcast batch), where TFLite Micro is the truth for the whole model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tinygen.errors import TinygenError
from tinygen.ir import Graph, Op
from tinygen.verify.splice import Tail, tail_after
from tinygen.verify.tflite_ref import TfliteReference
from tinygen.verify.tflm import TflmModel
from tinygen.verify.tolerance import count_differing, same_values

TFLM = "TFLite Micro"
TFLITE = "TensorFlow Lite"

def _merged_rows_before_adj_x(model: Graph, op: Op) -> bool:
    """A BATCH_MATMUL with adj_x whose right-hand side has dim -3 of 1 under a left-hand
    side with more: TensorFlow Lite merges that dim into the rows before it transposes."""
    if len(op.inputs) < 2 or not op.attrs.get("adj_x"):
        return False
    lhs, rhs = (model.tensors[t].shape for t in op.inputs[:2])
    return len(lhs) > 2 and len(rhs) > 2 and rhs[-3] == 1 < lhs[-3]


def _everywhere(model: Graph, op: Op) -> bool:
    """Every instance of the operator on the listed types."""
    del model, op
    return True


#: Operators whose TensorFlow Lite reference kernel is no truth, so TFLite Micro is: where
#: it is wrong, or where it computes another algorithm than the one devices run (TFLite
#: Micro's). (where, on which input types, why.) A model holding one is judged against
#: TFLite Micro (if it runs).
TFLITE_WRONG: dict[str, tuple[Callable[[Graph, Op], bool], tuple[str, ...], str]] = {
    "SUM": (_everywhere, ("int8",),
            "TensorFlow Lite's reference SUM reads int8 tensors as uint8 (its "
            "clamp too), so every negative input value counts as value + 256 "
            "(tensorflow/tensorflow#102490)"),
    "UNIDIRECTIONAL_SEQUENCE_LSTM": (
        _everywhere, ("int8",),
        "TensorFlow Lite's reference integer LSTM is another algorithm than TFLite "
        "Micro's, which tinygen follows (what devices run): they differ by 1 on a few "
        "outputs, and on most of them when the cell state's scale is coarse"),
    "BATCH_MATMUL": (_merged_rows_before_adj_x, ("int8", "float32"),
                     "TensorFlow Lite's BATCH_MATMUL merges the "
                     "left-hand side's dim -3 into its rows when the right-hand side's is 1, "
                     "before it transposes the left-hand side for adj_x (wrong products; "
                     "TFLite Micro transposes first, see tensorflow/tflite-micro#3412)"),
}


def tflite_wrong_ops(model: Graph) -> list[int]:
    """The operators of ``model`` TensorFlow Lite's reference kernels are no truth for."""
    return [
        i
        for i, op in enumerate(model.ops)
        if op.kind in TFLITE_WRONG and op.inputs and op.inputs[0] >= 0
        and model.tensors[op.inputs[0]].dtype in TFLITE_WRONG[op.kind][1]
        and TFLITE_WRONG[op.kind][0](model, op)
    ]


def tflite_wrong(model: Graph) -> list[str]:
    """Why TensorFlow Lite's reference kernels are no truth for ``model`` (empty: they are)."""
    return sorted({TFLITE_WRONG[model.ops[i].kind][2] for i in tflite_wrong_ops(model)})


@dataclass(frozen=True)
class Parting:
    """The first operator of the model whose output TFLM and TensorFlow Lite disagree on."""

    op_index: int
    kind: str
    tensor: str
    differing: int
    size: int

    def describe(self) -> str:
        return (
            f"first at operator {self.op_index} ({self.kind}), output '{self.tensor}': "
            f"{self.differing} of {self.size} values differ"
        )


class Truth:
    """TFLM and TensorFlow Lite's reference kernels side by side; either may be missing.

    ``failures`` says which interpreters cannot run the model and why (found beforehand
    in child processes by ``probe.interpreter_failures``, since both abort on some models);
    those are not started. ``prefer_tflm``: TFLM is the truth where it runs (the model holds
    an operator of ``TFLITE_WRONG``); given the model as read, with both interpreters,
    TFLM only up to the last such operator and TensorFlow Lite after it (``splice``).
    """

    def __init__(
        self,
        model_bytes: bytes,
        output_count: int,
        failures: dict[str, str] | None = None,
        prefer_tflm: bool = False,
        model: Graph | None = None,
    ) -> None:
        self.missing: dict[str, str] = dict(failures or {})
        self.tflm: TflmModel | None = None
        self.tflite: TfliteReference | None = None
        if TFLM not in self.missing:
            try:
                self.tflm = TflmModel(model_bytes, output_count)
            except TinygenError as exc:
                self.missing[TFLM] = str(exc)
        if TFLITE not in self.missing:
            try:
                self.tflite = TfliteReference(model_bytes)
            except TinygenError as exc:
                self.missing[TFLITE] = str(exc)
        if self.tflm is None and self.tflite is None:
            raise TinygenError(
                "neither TFLite Micro nor TensorFlow Lite can run this model, so there is "
                "nothing to compare with ("
                + "; ".join(f"{who}: {why}" for who, why in self.missing.items())
                + "). "
                "The library itself can still be generated."
            )
        self.prefer_tflm = prefer_tflm and self.tflm is not None
        self.tail: Tail | None = None
        wrong = tflite_wrong_ops(model) if model is not None and self.prefer_tflm else []
        if wrong and self.tflite is not None:
            assert model is not None
            self.tail = tail_after(model, wrong[-1])

    @property
    def judge(self) -> str:
        """Who the C is judged against."""
        if self.tail is not None:
            return f"{TFLM} up to operator {self.tail.after}, then {TFLITE}"
        return TFLITE if self.tflite is not None and not self.prefer_tflm else TFLM

    def invoke(self, inputs: list[np.ndarray]) -> tuple[list[np.ndarray], bool]:
        """The true outputs, and whether TFLM disagrees with TensorFlow Lite on them."""
        tflm_out = self.tflm.invoke(inputs) if self.tflm is not None else None
        if self.tflite is None:
            assert tflm_out is not None
            return tflm_out, False
        tflite_out = self.tflite.invoke(inputs)
        differs = tflm_out is not None and not all(
            same_values(a, b) for a, b in zip(tflm_out, tflite_out, strict=True)
        )
        if self.prefer_tflm:
            assert tflm_out is not None and self.tflm is not None
            if self.tail is None:
                return tflm_out, differs
            fed = [self.tflm.tensor(t) for t in self.tail.inputs]
            tail_out = self.tail.interpreter.invoke(fed)
            spliced = [tail_out[self.tail.outputs[i]] if i in self.tail.outputs else out
                       for i, out in enumerate(tflm_out)]
            return spliced, differs
        return tflite_out, differs

    def tensor(self, index: int) -> np.ndarray | None:
        """The true value of model tensor ``index`` after the last ``invoke``."""
        if self.tflite is not None and not self.prefer_tflm:
            return self.tflite.tensor(index)
        if self.tail is not None and self.tail.produces(index):
            return self.tail.tensor(index)
        assert self.tflm is not None
        return self.tflm.tensor(index)

    def parting(self, model: Graph) -> Parting | None:
        """Where TFLM and TensorFlow Lite first part on the last ``invoke``'s inputs.

        ``model`` is the model as read, before any rewrite, so operator indices are the
        file's. None when both agree on every tensor (or one of them is missing).
        """
        if self.tflm is None or self.tflite is None:
            return None
        for i, op in enumerate(model.ops):
            for t in op.outputs:
                micro, lite = self.tflm.tensor(t), self.tflite.tensor(t)
                if lite is not None and micro is not None and micro.dtype != lite.dtype:
                    micro = micro.astype(lite.dtype)
                if not same_values(micro, lite):
                    size = lite.size if lite is not None else model.tensors[t].size
                    return Parting(
                        i, op.kind, model.tensors[t].name, count_differing(micro, lite), size
                    )
        return None
