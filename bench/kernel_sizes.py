"""Measure the code size and stack use of each C runtime kernel for a Cortex-M4.

Compiles every file of runtime_c/kernels/ and runtime_c/dsp/ with arm-none-eabi-gcc -Os
-mcpu=cortex-m4 -mthumb -mfloat-abi=hard and writes tinygen/memory/kernel_costs.json, which
the flash and RAM budgets read: code bytes, and the stack of the deepest call chain inside
the file.
Run it again after changing a kernel:  python bench/kernel_sizes.py
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tinygen.target.cortex_m4 import CPU_FLAGS

ROOT = Path(__file__).resolve().parent.parent
KERNELS = ROOT / "runtime_c" / "kernels"
DSP = ROOT / "runtime_c" / "dsp"
INCLUDE = ROOT / "runtime_c" / "include"
OUT = ROOT / "tinygen" / "memory" / "kernel_costs.json"
FLAGS = ["-std=c99", "-Os", *CPU_FLAGS, "-ffunction-sections", "-fstack-usage",
         "-fcallgraph-info=su"]


def measure(gcc: str, source: Path, workdir: Path) -> dict[str, int]:
    (workdir / "tg_names.h").write_text("")
    obj = workdir / (source.stem + ".o")
    subprocess.run([gcc, *FLAGS, f"-I{INCLUDE}", f"-I{workdir}", "-c", str(source), "-o",
                    str(obj)], check=True, cwd=workdir)
    size = subprocess.run([gcc.replace("gcc", "size"), "-A", str(obj)], check=True,
                          capture_output=True, text=True).stdout
    code = sum(int(line.split()[1]) for line in size.splitlines()
               if line.startswith((".text", ".rodata")))
    return {"code_bytes": code, "stack_bytes": deepest_chain(workdir / (source.stem + ".ci"))}


_NODE = re.compile(r'node: \{ title: "([^"]+)" label: "[^"]*\\n(\d+) bytes')
_EDGE = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')


def deepest_chain(callgraph: Path) -> int:
    """The most stack any call chain inside the file takes (gcc's -fcallgraph-info=su):
    a function's frame plus its deepest callee's, from each function; calls out of the file
    (memcpy, logf) count nothing here, the budget's call margins cover them."""
    text = callgraph.read_text()
    frames = {name: int(size) for name, size in _NODE.findall(text)}
    callees: dict[str, set[str]] = {}
    for caller, callee in _EDGE.findall(text):
        callees.setdefault(caller, set()).add(callee)

    @functools.cache
    def depth(name: str) -> int:
        below = [depth(c) for c in callees.get(name, ()) if c in frames and c != name]
        return frames.get(name, 0) + max(below, default=0)

    return max((depth(name) for name in frames), default=0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gcc", default="arm-none-eabi-gcc")
    args = parser.parse_args()
    if not shutil.which(args.gcc):
        print(f"{args.gcc} not found (Debian: apt-get install gcc-arm-none-eabi)", file=sys.stderr)
        return 2
    costs, dsp = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for source in sorted(KERNELS.glob("tg_*.c")):
            costs[source.stem] = measure(args.gcc, source, Path(tmp))
        for source in sorted(DSP.glob("tg_*.c")):
            dsp[source.stem] = measure(args.gcc, source, Path(tmp))
    print(f"{'function':36s} {'code (B)':>9s} {'stack (B)':>9s}")
    for name, c in {**costs, **dsp}.items():
        print(f"{name:36s} {c['code_bytes']:9d} {c['stack_bytes']:9d}")
    version = subprocess.run([args.gcc, "-dumpversion"], capture_output=True, text=True)
    document = {"compiler": f"{args.gcc} {version.stdout.strip()} {' '.join(FLAGS)}",
                "kernels": costs, "dsp": dsp}
    OUT.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
