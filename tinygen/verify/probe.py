"""Can TFLite Micro and TensorFlow Lite run a model at all? Asked in child processes.

Both interpreters abort the whole process on some models (a requantization multiplier
out of range after a layer whose output is constant, for instance); a child process per
interpreter keeps that from taking tinygen down, and one interpreter's abort from hiding
whether the other can run the model.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from tinygen.verify.truth import TFLITE, TFLM

_TFLM_PROBE = """
import sys
import numpy as np
from tflite_micro.python.tflite_micro import runtime
interpreter = runtime.Interpreter.from_bytes(open(sys.argv[1], "rb").read(),
                                            arena_size=int(sys.argv[2]))
for i in range(int(sys.argv[3])):
    detail = interpreter.get_input_details(i)
    interpreter.set_input(np.zeros(detail["shape"], dtype=detail["dtype"]), i)
interpreter.invoke()
"""

_TFLITE_PROBE = """
import sys
import numpy as np
from tinygen.verify.tflite_ref import TfliteReference
reference = TfliteReference(open(sys.argv[1], "rb").read())
reference.invoke([np.zeros(d["shape"], d["dtype"]) for d in reference._inputs])
"""


def _run_probe(script: str, path: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(
            [sys.executable, "-c", script, str(path), *args],
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


def interpreter_failures(
    model_bytes: bytes, input_count: int, arena_size: int | None = None
) -> dict[str, str]:
    """Why TFLM and TensorFlow Lite cannot load and run this model, for those that cannot."""
    size = arena_size or max(len(model_bytes) * 4, 1 << 20)
    failures: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="tinygen-probe-") as tmp:
        path = Path(tmp) / "model.tflite"
        path.write_bytes(model_bytes)
        for who, script, args in (
            (TFLM, _TFLM_PROBE, (str(size), str(input_count))),
            (TFLITE, _TFLITE_PROBE, ()),
        ):
            why = _run_probe(script, path, *args)
            if why is not None:
                failures[who] = why
    return failures
