"""Host latency of one inference: generated C (gcc -O2) vs TFLite Micro's invoke().

Usage: python bench/host_latency.py [--models DIR] [--runs N]
Prints a table: model, C time, TFLM time (fastest of N runs each), TFLM / C.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tinygen.compiler import compile_file  # noqa: E402
from tinygen.verify.c_model import CModel  # noqa: E402
from tinygen.verify.tflm import TflmModel  # noqa: E402

MODELS = [
    "hello_world_int8",
    "ad01_int8",
    "kws_ref_model",
    "str_ww_ref_model",
    "pretrainedResnet_quant",
    "vww_96_int8",
]


def _best_seconds(fn, runs: int) -> float:
    """Fastest of ``runs`` calls: on a shared machine the minimum is the least noisy figure."""
    fn()  # warm up
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return min(samples)


def main() -> None:
    shared = Path(os.environ.get("TINYGEN_SHARED", REPO.parent / "shared"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, default=shared / "models")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    print(f"{'model':<24} {'C (ms)':>10} {'TFLM (ms)':>10} {'TFLM/C':>8}")
    for name in MODELS:
        path = args.models / f"{name}.tflite"
        model = compile_file(path)
        graph = model.graph
        rng = np.random.default_rng(0)
        inputs = [
            rng.integers(-128, 128, size=graph.tensors[t].shape, dtype=np.int8)
            for t in graph.inputs
        ]
        with tempfile.TemporaryDirectory() as tmp:
            cmodel = CModel(model, Path(tmp))
            cmodel.set_inputs(inputs)
            invoke = cmodel._fn["invoke"]
            c_time = _best_seconds(invoke, args.runs)
        tflm = TflmModel(path.read_bytes(), len(graph.outputs))
        interpreter = tflm.interpreter
        for i, x in enumerate(inputs):
            interpreter.set_input(x, i)
        tflm_time = _best_seconds(interpreter.invoke, args.runs)
        print(
            f"{name:<24} {c_time * 1e3:>10.3f} {tflm_time * 1e3:>10.3f} {tflm_time / c_time:>8.2f}"
        )


if __name__ == "__main__":
    main()
