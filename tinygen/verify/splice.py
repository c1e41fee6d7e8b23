"""A truth spliced from both interpreters, for a model that holds an operator TensorFlow
Lite's reference kernels get wrong (``truth.TFLITE_WRONG``, judged by TFLite Micro) and,
after it, one TFLite Micro gets wrong (its double-rounding FULLY_CONNECTED after an int8
LSTM, say): TFLite Micro up to and including the last such operator, then TensorFlow
Lite's reference kernels on TFLite Micro's tensors for the rest of the model.

The rest is written as a model of its own (``tflite_writer``) whose inputs are the
tensors it reads from the first part, fed with TFLite Micro's values after every invoke.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinygen.errors import TinygenError
from tinygen.frontend.tflite_writer import kept_tensors, write_tflite
from tinygen.ir import NO_TENSOR, Graph
from tinygen.verify.tflite_ref import TfliteReference


@dataclass
class Tail:
    """The operators after ``after`` in TensorFlow Lite, on TFLite Micro's tensors."""

    after: int  # the last operator judged by TFLite Micro
    interpreter: TfliteReference
    inputs: list[int]  # model tensors the tail reads from before it, in its input order
    index_of: dict[int, int]  # model tensor -> the tail model's tensor
    outputs: dict[int, int]  # model output position -> the tail's output position

    def produces(self, tensor: int) -> bool:
        return tensor in self.index_of and tensor not in self.inputs

    def tensor(self, tensor: int) -> np.ndarray | None:
        return self.interpreter.tensor(self.index_of[tensor])


def tail_after(model: Graph, after: int) -> Tail | None:
    """The tail of ``model`` after operator ``after``, or None where there is nothing to
    splice (no model output after it, state in it) or TensorFlow Lite cannot run it."""
    ops = model.ops[after + 1:]
    produced = {t for op in ops for t in op.outputs}
    read = {t for op in ops for t in op.inputs if t != NO_TENSOR}
    inputs = sorted(t for t in read - produced if not model.tensors[t].is_constant)
    outputs = {i: t for i, t in enumerate(model.outputs) if t in produced}
    if not outputs or any(model.tensors[t].variable for t in read | produced):
        return None
    tail = Graph(model.tensors, list(ops), inputs, list(outputs.values()))
    try:
        interpreter = TfliteReference(write_tflite(tail, "tail"))
    except TinygenError:
        return None
    index_of = {old: new for new, old in enumerate(kept_tensors(tail))}
    return Tail(after, interpreter, inputs, index_of,
                {i: k for k, i in enumerate(outputs)})
