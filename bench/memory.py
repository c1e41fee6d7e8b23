"""Arena sizes: TFLite Micro's smallest arena against tinygen's plans.

Usage: python bench/memory.py [--models DIR] [--alignment 16]

For each int8 model prints: the smallest arena TFLM's interpreter accepts
(found by bisection: it must allocate and invoke), the activation lower bound
for the model's operator order, tinygen's arena with every technique, the
ratio tinygen / TFLM, and what each technique alone gives: the plain planner
(every tensor whole, model order), with reordering only, with in-place and
overlapping operators only, and both (the default).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

sys.path.insert(0, str(REPO / "bench"))

from host_latency import MODELS  # noqa: E402  (the six int8 conformance models)

from tinygen.compiler import compile_file  # noqa: E402
from tinygen.memory.planner import MemoryOptions  # noqa: E402
from tinygen.verify.native_output import quiet_native_output  # noqa: E402


def tflm_fits(data: bytes, arena: int) -> bool:
    from tflite_micro.python.tflite_micro import runtime

    with quiet_native_output():
        return _invokes(runtime, data, arena)


def _invokes(runtime: object, data: bytes, arena: int) -> bool:
    try:
        interpreter = runtime.Interpreter.from_bytes(data, arena_size=arena)
        details = interpreter.get_input_details(0)
        interpreter.set_input(np.zeros(details["shape"], dtype=details["dtype"]), 0)
        interpreter.invoke()
    except (RuntimeError, ValueError):
        return False
    return True


def tflm_smallest_arena(data: bytes) -> int:
    low, high = 0, 1 << 16  # low fails, high fits
    while not tflm_fits(data, high):
        low, high = high, high * 2
        if high > 1 << 28:
            raise RuntimeError("TFLM does not fit 256 MB")
    while high - low > 1:
        middle = (low + high) // 2
        if tflm_fits(data, middle):
            high = middle
        else:
            low = middle
    return high


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=os.environ.get("TINYGEN_SHARED", str(REPO.parent /
                                                                                "shared")))
    parser.add_argument("--alignment", type=int, default=16)
    args = parser.parse_args()
    folder = Path(args.models)
    folder = folder / "models" if (folder / "models").is_dir() else folder
    variants = {
        "plain": MemoryOptions(args.alignment, in_place=False, reorder=False),
        "reorder": MemoryOptions(args.alignment, in_place=False, reorder=True),
        "in-place": MemoryOptions(args.alignment, in_place=True, reorder=False),
        "both": MemoryOptions(args.alignment),
    }
    print(
        "| model | TFLM arena | lower bound | tinygen arena | tinygen/TFLM | plain | reorder | "
        "in-place | both | below bound |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in MODELS:
        path = folder / f"{name}.tflite"
        if not path.is_file():
            print(f"| {name} | (missing: {path}) |")
            continue
        data = path.read_bytes()
        tflm = tflm_smallest_arena(data)
        arenas = {k: compile_file(path, memory=o).plan for k, o in variants.items()}
        best = arenas["both"]
        below = best.lower_bound - best.arena_bytes
        print(
            f"| {name} | {tflm:,} | {best.lower_bound:,} | {best.arena_bytes:,} | "
            f"{best.arena_bytes / tflm:.2f} | "
            + " | ".join(f"{arenas[k].arena_bytes:,}" for k in variants)
            + f" | {below:,} ({100 * below / max(best.lower_bound, 1):.0f} %) |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
