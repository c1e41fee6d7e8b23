"""Generated libraries on an emulated Cortex-M4F: instructions per inference, code and memory.

Usage: python bench/m4.py [--models NAME|FILE.tflite|DIR ...] [--opt -O2]

For each of the six int8 conformance models (../shared/models, or $TINYGEN_SHARED/models;
--models takes names of those, .tflite files, or folders holding the six) prints a
markdown table row: MACs (as `tinygen report` counts them), instructions of one
inference on QEMU's mps2-an386 (-icount shift=0, exact) at --opt, instructions per MAC,
the library's code at -Os without its weights and tables (machine code, and the other
constants: kernel parameter structs, switch tables), the weights and tables, the arena, and
tinygen's stack estimate. Needs arm-none-eabi-gcc with newlib and qemu-system-arm.

A row is a :class:`Row`; `model_row` makes one for a model. Another kind of library (a DSP
block, a whole impulse) adds a function that builds and runs it and returns a Row, with
``macs`` None where MACs mean nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from host_latency import MODELS  # noqa: E402  (the six int8 conformance models)

from tinygen.compiler import compile_file  # noqa: E402
from tinygen.errors import TinygenError  # noqa: E402
from tinygen.report.operators import macs  # noqa: E402
from tinygen.target.cortex_m4 import (  # noqa: E402
    code_size,
    compile_library,
    model_tables,
    run_model_on_m4,
)
from tinygen.verify.inputs import random_inputs  # noqa: E402

#: Code size is measured at -Os, as the flash budget's kernel sizes (bench/kernel_sizes.py).
SIZE_OPT = "-Os"


@dataclass(frozen=True)
class Row:
    name: str  # the model's file stem
    macs: int | None  # None for libraries without multiply-accumulate work (DSP)
    instructions: int  # one inference (the first random input set)
    code_bytes: int  # machine code at -Os
    other_const_bytes: int  # read-only data that is not weights or tables, at -Os
    table_bytes: int  # weights, bias and tables
    arena_bytes: int  # writable memory (the arena, DSP buffers)
    stack_bytes: int  # tinygen's estimate


def model_row(path: Path, opt: str, workdir: Path) -> Row:
    model = compile_file(path)
    inputs = list(islice(random_inputs(model.graph, 1, seed=0), 1))
    run = run_model_on_m4(model, inputs, workdir, opt)
    objects = compile_library(workdir / "library", workdir / "size", SIZE_OPT)
    size = code_size(objects, model_tables(model.name))
    stack = sum(v for label, v in model.usage().ram if label.startswith("stack"))
    return Row(
        path.stem,
        sum(macs(call) for call in model.calls),
        run.instructions[0],
        size.text_bytes,
        size.other_const_bytes,
        size.table_bytes,
        model.plan.arena_bytes,
        stack,
    )


def table(rows: list[Row], opt: str) -> str:
    lines = [
        f"| library | MACs | instructions ({opt}) | instructions / MAC | code B ({SIZE_OPT}) "
        "| other const B | weights + tables B | arena B | stack B (estimate) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        per_mac = f"{r.instructions / r.macs:.2f}" if r.macs else "-"
        total_macs = f"{r.macs:,}" if r.macs is not None else "-"
        lines.append(
            f"| {r.name} | {total_macs} | {r.instructions:,} | {per_mac} | {r.code_bytes:,} "
            f"| {r.other_const_bytes:,} | {r.table_bytes:,} | {r.arena_bytes:,} "
            f"| {r.stack_bytes:,} |"
        )
    return "\n".join(lines)


def model_files(given: list[str], models_dir: Path) -> list[Path]:
    """The .tflite files named by --models: names in ``models_dir``, files, or folders."""
    files = []
    for item in given:
        path = Path(item)
        if path.is_dir():
            files += [path / f"{name}.tflite" for name in MODELS]
        elif path.suffix == ".tflite":
            files.append(path)
        else:
            files.append(models_dir / f"{item}.tflite")
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise TinygenError(
            f"no model at {', '.join(missing)} (set TINYGEN_SHARED to the folder holding "
            "models/, or give .tflite files to --models)"
        )
    return files


def main() -> int:
    shared = Path(os.environ.get("TINYGEN_SHARED", REPO.parent / "shared"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models", nargs="+", default=MODELS, help="model names, .tflite files or folders"
    )
    parser.add_argument("--opt", default="-O2", help="optimization of the timed build")
    args = parser.parse_args()
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="tinygen-m4-") as tmp:
            for i, path in enumerate(model_files(args.models, shared / "models")):
                rows.append(model_row(path, args.opt, Path(tmp) / f"{i}_{path.stem}"))
    except TinygenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(table(rows, args.opt))
    return 0


if __name__ == "__main__":
    sys.exit(main())
