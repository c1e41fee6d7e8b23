"""TensorFlow Lite Micro's own interpreter: the truth for int8 inference where TensorFlow Lite's
reference kernels agree with it (``truth.py``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygen.errors import TinygenError


def _runtime() -> Any:
    try:
        from tflite_micro.python.tflite_micro import runtime
    except ImportError as exc:
        raise TinygenError(
            "TFLite Micro's Python package is not installed: pip install 'tinygen[verify]'"
        ) from exc
    return runtime


class TflmModel:
    """A TFLM interpreter that keeps every tensor, so layers can be compared."""

    def __init__(
        self, model_bytes: bytes, output_count: int, arena_size: int | None = None
    ) -> None:
        runtime = _runtime()
        self.output_count = output_count
        size = arena_size or max(len(model_bytes) * 4, 1 << 20)
        try:
            self.interpreter = runtime.Interpreter.from_bytes(
                model_bytes,
                arena_size=size,
                intrepreter_config=runtime.InterpreterConfig.kPreserveAllTensors,
            )
        except RuntimeError as exc:
            raise TinygenError(f"TFLite Micro cannot load the model: {exc}") from exc

    def invoke(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        for i, data in enumerate(inputs):
            self.interpreter.set_input(data, i)
        self.interpreter.invoke()
        return [self.interpreter.get_output(i) for i in range(self.output_count)]

    def tensor(self, index: int) -> np.ndarray:
        """Value of tensor ``index`` after the last invoke (index must be valid)."""
        return np.asarray(self.interpreter.GetTensor(index, 0)["tensor_data"])
