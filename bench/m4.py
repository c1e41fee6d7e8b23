"""Generated libraries on an emulated Cortex-M4F: instructions per inference, code and memory.

Usage: python bench/m4.py [--models NAME|FILE.tflite|DIR ...] [--impulses NAME ...] [--opt -O2]

For each of the six int8 conformance models (../shared/models, or $TINYGEN_SHARED/models;
--models takes names of those, .tflite files, or folders holding the six) prints a
markdown table row: MACs (as `tinygen report` counts them), instructions of one
inference on QEMU's mps2-an386 (-icount shift=0, exact) at --opt, instructions per MAC,
the library's code at -Os without its weights and tables (machine code, and the other
constants: kernel parameter structs, switch tables), the weights and tables, the arena, and
tinygen's stack estimate. Needs arm-none-eabi-gcc with newlib and qemu-system-arm.

Then a row per impulse (--impulses, default kws and vww: the conformance models with the
DSP blocks of tests/test_impulse_device.py, on testdata/yes_1000ms.wav and person.bmp),
run by the probe of tinygen/target/impulse_probe.py: the model's instructions (the
classifier's clock hook, given the board's counter), the DSP block's with the
quantization of its features, code at -Os without the weights and the DSP tables, the
shared arena, the DSP buffers inside it, and the stack the call used (painted, measured)
beside tinygen's estimate.

A row is a :class:`Row`; `model_row` makes one for a model, `impulse_row` for an impulse.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import wave
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

sys.path.insert(0, str(REPO / "tests"))

from device_harness import KWS, VWW, bmp_rgb  # noqa: E402  (the impulses of the device tests)
from host_latency import MODELS  # noqa: E402  (the six int8 conformance models)

from tinygen.compiler import compile_file  # noqa: E402
from tinygen.errors import TinygenError  # noqa: E402
from tinygen.impulse.generate import build_impulse  # noqa: E402
from tinygen.package.impulse_folder import write_impulse  # noqa: E402
from tinygen.report.operators import macs  # noqa: E402
from tinygen.target.cortex_m4 import (  # noqa: E402
    code_size,
    compile_library,
    compile_objects,
    impulse_tables,
    model_tables,
    run_model_on_m4,
)
from tinygen.target.impulse_probe import run_probe_on_m4  # noqa: E402
from tinygen.verify.inputs import random_inputs  # noqa: E402

#: Code size is measured at -Os, as the flash budget's kernel sizes (bench/kernel_sizes.py).
SIZE_OPT = "-Os"
#: Impulse rows: (impulse.json without its model, the model's file stem, the window's file).
IMPULSES = {
    "kws": (KWS, "kws_ref_model", "yes_1000ms.wav"),
    "vww": (VWW, "vww_96_int8", "person.bmp"),
}


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
    dsp_instructions: int | None = None  # impulses: the DSP block and the quantization
    dsp_buffer_bytes: int | None = None  # impulses: DSP buffers (inside the arena)
    stack_measured: int | None = None  # impulses: painted stack on the device


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


def _window(path: Path) -> np.ndarray:
    """int16 samples of a mono 16-bit .wav, or the RGB bytes of an 8-bit .bmp."""
    if path.suffix == ".bmp":
        return np.ascontiguousarray(bmp_rgb(path)).reshape(-1)
    with wave.open(str(path)) as f:
        return np.frombuffer(f.readframes(f.getnframes()), "<i2")


def impulse_row(name: str, shared: Path, opt: str, workdir: Path) -> Row:
    config, model, window = IMPULSES[name]
    workdir.mkdir(parents=True)
    path = workdir / f"{name}.json"
    path.write_text(json.dumps({"model": str(shared / "models" / f"{model}.tflite"), **config}))
    impulse = build_impulse(path)
    out = workdir / "out"
    write_impulse(impulse, out)
    run = run_probe_on_m4(impulse, out, _window(shared / "testdata" / window), workdir / "m4",
                          opt)
    objects = compile_objects(sorted((out / "src").glob("*.c")), [out / "src"],
                              workdir / "size", SIZE_OPT)
    size = code_size(objects, impulse_tables(impulse.model.name, impulse.dsp.name,
                                             impulse.dsp.source))
    stack = sum(v for label, v in impulse.usage.ram if label.startswith("stack"))
    return Row(
        f"impulse {name} ({impulse.config.block} + {model})",
        sum(macs(call) for call in impulse.model.calls),
        run.inference_instructions,
        size.text_bytes,
        size.other_const_bytes,
        size.table_bytes,
        impulse.layout.arena_bytes,
        stack,
        dsp_instructions=run.dsp_instructions,
        dsp_buffer_bytes=impulse.layout.buffer_bytes,
        stack_measured=run.stack_bytes,
    )


def table(rows: list[Row], opt: str) -> str:
    lines = [
        f"| library | MACs | instructions ({opt}) | instructions / MAC | DSP instructions "
        f"| code B ({SIZE_OPT}) | other const B | weights + tables B | arena B "
        "| DSP buffers B (in the arena) | stack B (estimate) | stack B (measured) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def number(value: int | None) -> str:
        return "-" if value is None else f"{value:,}"

    for r in rows:
        per_mac = f"{r.instructions / r.macs:.2f}" if r.macs else "-"
        lines.append(
            f"| {r.name} | {number(r.macs)} | {r.instructions:,} | {per_mac} "
            f"| {number(r.dsp_instructions)} | {r.code_bytes:,} | {r.other_const_bytes:,} "
            f"| {r.table_bytes:,} | {r.arena_bytes:,} | {number(r.dsp_buffer_bytes)} "
            f"| {r.stack_bytes:,} | {number(r.stack_measured)} |"
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
    parser.add_argument(
        "--impulses", nargs="*", default=list(IMPULSES), choices=list(IMPULSES),
        help="impulses to add (none: --impulses alone)",
    )
    parser.add_argument("--opt", default="-O2", help="optimization of the timed build")
    args = parser.parse_args()
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="tinygen-m4-") as tmp:
            for i, path in enumerate(model_files(args.models, shared / "models")):
                rows.append(model_row(path, args.opt, Path(tmp) / f"{i}_{path.stem}"))
            for name in args.impulses:
                rows.append(impulse_row(name, shared, args.opt, Path(tmp) / f"impulse_{name}"))
    except TinygenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(table(rows, args.opt))
    return 0


if __name__ == "__main__":
    sys.exit(main())
