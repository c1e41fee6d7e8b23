"""TensorFlow Lite's interpreter running its reference kernels: the second truth.

Where TFLite Micro and TensorFlow Lite's reference kernels (``BUILTIN_REF``) agree,
both are the truth; where they part, TFLM has a bug and TensorFlow Lite is the truth.
TensorFlow Lite resizes tensors as its kernels compute shapes (a dynamic batch
through SPACE_TO_BATCH_ND, for instance), which TFLM does not.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np

from tinygen.errors import TinygenError
from tinygen.verify.native_output import quiet_native_output


def _interpreter_class() -> tuple[Any, Any]:
    """TensorFlow's ``tf.lite.Interpreter``, or ``ai_edge_litert``'s where that is installed."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        from ai_edge_litert.interpreter import Interpreter, OpResolverType

        return Interpreter, OpResolverType
    except ImportError:
        pass
    try:
        with quiet_native_output():
            import tensorflow as tf
    except ImportError as exc:
        raise TinygenError(
            "TensorFlow Lite's interpreter is not installed: pip install 'tinygen[verify]'"
        ) from exc
    return tf.lite.Interpreter, tf.lite.experimental.OpResolverType


class TfliteReference:
    """A model in TensorFlow Lite's interpreter with reference kernels, every tensor kept."""

    def __init__(self, model_bytes: bytes) -> None:
        interpreter, resolver = _interpreter_class()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # tf.lite.Interpreter's deprecation notice
                self.interpreter = interpreter(
                    model_content=model_bytes,
                    experimental_op_resolver_type=resolver.BUILTIN_REF,
                    experimental_preserve_all_tensors=True,
                )
                self.interpreter.allocate_tensors()
        except (RuntimeError, ValueError) as exc:
            raise TinygenError(f"TensorFlow Lite cannot load the model: {exc}") from exc
        self._inputs = self.interpreter.get_input_details()
        self._outputs = self.interpreter.get_output_details()

    def invoke(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        for detail, data in zip(self._inputs, inputs, strict=True):
            value = np.asarray(data, dtype=detail["dtype"]).reshape(detail["shape"])
            self.interpreter.set_tensor(detail["index"], value)
        try:
            self.interpreter.invoke()
        except RuntimeError as exc:
            raise TinygenError(f"TensorFlow Lite cannot run the model: {exc}") from exc
        return [self.interpreter.get_tensor(d["index"]).copy() for d in self._outputs]

    def tensor(self, index: int) -> np.ndarray | None:
        """Value of tensor ``index`` after the last invoke; None if TFLite kept none."""
        try:
            return np.asarray(self.interpreter.get_tensor(index)).copy()
        except ValueError:
            return None
