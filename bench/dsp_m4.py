"""DSP blocks on an emulated Cortex-M4F: instructions of one run of each block.

Usage: python bench/dsp_m4.py [--opt -Os] [--blocks mfcc mfe ...]

Each block is generated standalone with its default parameters (as `generate-dsp`
writes it) and runs once on QEMU's mps2-an386 (-icount shift=0: exact, the same on every
run) on a deterministic input: 1 s of 16 kHz audio (a chirp in noise; MFCC, MFE,
spectrogram), a 2 s 3-axis window at 62.5 Hz (spectral analysis), a 320x240 RGB888
frame resized to 96x96 (image). Prints a markdown table: instructions, code bytes of the
block and its runtime functions at the same -O level, const tables, working RAM.
Needs arm-none-eabi-gcc with newlib and qemu-system-arm.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tinygen.dsp.blocks import generate_block  # noqa: E402
from tinygen.dsp.sources import DspSources, dsp_files  # noqa: E402
from tinygen.target.cortex_m4 import build_elf, code_size, run_qemu, status_problem  # noqa: E402

#: (block, generate-dsp document without its parameters, C that fills `input`)
CASES = {
    "mfcc": ({"block": "mfcc", "sampling_freq": 16000, "input_length": 16000}, "audio"),
    "mfe": ({"block": "mfe", "sampling_freq": 16000, "input_length": 16000}, "audio"),
    "spectrogram": ({"block": "spectrogram", "sampling_freq": 16000, "input_length": 16000},
                    "audio"),
    "spectral_analysis": ({"block": "spectral_analysis", "sampling_freq": 62.5,
                           "input_length": 375, "axes": 3}, "motion"),
    "image": ({"block": "image", "input_width": 320, "input_height": 240,
               "input_format": "rgb888", "parameters": {"width": 96, "height": 96}}, "image"),
}
FILL = {
    # A chirp plus pseudo-random noise, int16 sample values as floats.
    "audio": """    uint32_t seed = 1u;
    for (i = 0; i < N; ++i) {
        seed = seed * 1664525u + 1013904223u;
        input[i] = (float)((int32_t)(seed >> 20) - 2048) +
                   8000.0f * sinf(0.0001f * (float)i * (float)i);
    }""",
    "motion": """    for (i = 0; i < N; ++i) {
        input[i] = 9.81f * sinf(0.05f * (float)i) + (float)(i % 7) * 0.1f;
    }""",
    "image": """    for (i = 0; i < N; ++i) {
        input[i] = (uint8_t)((i * 7u) ^ (i >> 5));
    }""",
}


def _main(block: DspSources, kind: str) -> str:
    name, upper = block.name, block.name.upper()
    in_type = "uint8_t" if kind == "image" else "float"
    out_type = "int8_t" if "int8_t *output" in block.header else "float"
    return f"""#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include "board.h"
#include "{name}.h"

#define N {upper}_INPUT_LENGTH
static {in_type} input[N];
static {out_type} output[{upper}_OUTPUT_LENGTH];

int main(void)
{{
    uint32_t i, ticks;
    int status;
{FILL[kind]}
    board_counter_start();
    status = {name}_run(input, output);
    ticks = board_counter_ticks();
    printf("status %d instructions %lu\\n", status,
           (unsigned long)(ticks * BOARD_INSTRUCTIONS_PER_TICK));
    return status;
}}
"""


def measure(case: str, opt: str, workdir: Path) -> dict[str, int]:
    doc, kind = CASES[case]
    block = generate_block(doc, f"bench_{case}")
    folder = workdir / case
    folder.mkdir(parents=True)
    files = dsp_files(block)
    files["main.c"] = _main(block, kind)
    for file, text in files.items():
        (folder / file).write_text(text)
    sources = [folder / f for f in files if f.endswith(".c")]
    elf = build_elf(sources, [folder], folder / "build", opt)
    status, out = run_qemu(elf)
    if status != 0:
        raise SystemExit(f"{case}: {status_problem(status)}\n{out}")
    instructions = int(out.split("instructions ")[1].split()[0])
    objects = [o for o in (folder / "build" / "obj").glob("*.o")
               if o.stem not in ("main", "startup", "board")]
    size = code_size(objects)
    return {"instructions": instructions, "code": size.text_bytes,
            "tables": block.constant_bytes, "ram": block.working_bytes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opt", default="-Os", help="optimization level (default -Os)")
    parser.add_argument("--blocks", nargs="*", default=list(CASES), choices=list(CASES))
    args = parser.parse_args()
    print(f"| block | instructions ({args.opt}) | machine code | const tables | working RAM |")
    print("|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for case in args.blocks:
            m = measure(case, args.opt, Path(tmp))
            print(f"| {case} | {m['instructions']:,} | {m['code']:,} | {m['tables']:,} | "
                  f"{m['ram']:,} |", flush=True)


if __name__ == "__main__":
    main()
