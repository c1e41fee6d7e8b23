"""TensorFlow Lite Micro's own interpreter, the external truth for int8 inference."""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
from pathlib import Path
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


_PROBE = """
import sys
import numpy as np
from tflite_micro.python.tflite_micro import runtime
interpreter = runtime.Interpreter.from_bytes(open(sys.argv[1], "rb").read(),
                                            arena_size=int(sys.argv[2]))
for i, detail in enumerate(interpreter.get_input_details(k) for k in range(int(sys.argv[3]))):
    interpreter.set_input(np.zeros(detail["shape"], dtype=detail["dtype"]), i)
interpreter.invoke()
"""


def tflm_failure(model_bytes: bytes, input_count: int, arena_size: int | None = None) -> str | None:
    """Why TFLM cannot load and run this model, found in a child process, or None.

    TFLM aborts the process on some models (for instance a requantization multiplier
    out of range after a layer whose output is constant); a child process keeps that
    from taking tinygen down with it.
    """
    size = arena_size or max(len(model_bytes) * 4, 1 << 20)
    with tempfile.TemporaryDirectory(prefix="tinygen-tflm-") as tmp:
        path = Path(tmp) / "model.tflite"
        path.write_bytes(model_bytes)
        try:
            result = subprocess.run(
                [sys.executable, "-c", _PROBE, str(path), str(size), str(input_count)],
                capture_output=True,
                text=True,
                timeout=600,
            )
        except subprocess.TimeoutExpired:
            return "it does not finish one inference within 10 minutes"
    if result.returncode == 0:
        return None
    said = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    if result.returncode < 0:
        name = signal.Signals(-result.returncode).name
        return f"it stops with {name}" + (f" ({said[-1]})" if said else "")
    return said[-1] if said else f"it exits with status {result.returncode}"


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
