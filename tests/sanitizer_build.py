"""Generated C built into small programs under AddressSanitizer and UndefinedBehaviorSanitizer.

A model program reads input sets from stdin (each input's bytes in turn), runs the
model, checks the guard bytes around the arena when built with ``NAME_ARENA_GUARD``
and writes the outputs to stdout. A DSP program first checks that NULL pointers give
``NAME_ERROR_NULL`` and write nothing, then reads inputs from stdin and writes the
status (int32) and the output of each.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinygen.compiler import CompiledModel
from tinygen.dsp.sources import DspSources, dsp_files
from tinygen.package.folder import library_files

SANITIZE = [
    "-fsanitize=address,undefined",
    "-fsanitize=float-cast-overflow",  # not part of "undefined" in gcc
    "-fno-sanitize-recover=all",
    "-fno-omit-frame-pointer",
    "-g",
    "-O1",
]
STRICT = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"]
ENV = {
    **os.environ,
    "ASAN_OPTIONS": "detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
}
#: Exit code of the model program when the guard bytes changed.
GUARDS_DAMAGED = 5
REPORTS = ("AddressSanitizer", "runtime error:", "LeakSanitizer", "guard bytes")


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: bytes
    stderr: str

    @property
    def clean(self) -> bool:
        """Exit 0 and no sanitizer or guard report."""
        return self.returncode == 0 and not any(r in self.stderr for r in REPORTS)


def build(
    sources: list[Path], includes: list[Path], exe: Path, defines: Sequence[str] = ()
) -> Path:
    command = ["gcc", *STRICT, *SANITIZE, *(f"-D{d}" for d in defines)]
    command += [f"-I{d}" for d in includes] + [str(s) for s in sources] + ["-o", str(exe), "-lm"]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0 and not result.stderr, result.stderr[-3000:]
    return exe


def run(exe: Path, data: bytes) -> Run:
    result = subprocess.run([str(exe)], input=data, capture_output=True, env=ENV, timeout=300)
    return Run(result.returncode, result.stdout, result.stderr.decode(errors="replace"))


def _write(folder: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def model_main(model: CompiledModel) -> str:
    name, upper, graph = model.name, model.name.upper(), model.graph
    ins = ", ".join(f"{upper}_INPUT{i}_BYTES" for i in range(len(graph.inputs)))
    outs = ", ".join(f"{upper}_OUTPUT{i}_BYTES" for i in range(len(graph.outputs)))
    return f"""#include <stdio.h>
#include <stddef.h>
#include "{name}.h"

#ifdef {upper}_ARENA_GUARD
int {name}_debug_guards_intact(void);
#endif

static const size_t input_bytes[{upper}_INPUT_COUNT] = {{{ins}}};
static const size_t output_bytes[{upper}_OUTPUT_COUNT] = {{{outs}}};

int main(void)
{{
    int i;
    if ({name}_input({upper}_INPUT_COUNT) != NULL || {name}_input(-1) != NULL ||
        {name}_output({upper}_OUTPUT_COUNT) != NULL || {name}_output(-1) != NULL) {{
        return 2;
    }}
    for (;;) {{
        for (i = 0; i < {upper}_INPUT_COUNT; ++i) {{
            const size_t got = fread({name}_input(i), 1, input_bytes[i], stdin);
            if (got == 0 && i == 0) {{
                return 0;
            }}
            if (got != input_bytes[i]) {{
                return 3;
            }}
        }}
        if ({name}_invoke() != 0) {{
            return 4;
        }}
#ifdef {upper}_ARENA_GUARD
        if (!{name}_debug_guards_intact()) {{
            fprintf(stderr, "guard bytes around the arena damaged\\n");
            return {GUARDS_DAMAGED};
        }}
#endif
        for (i = 0; i < {upper}_OUTPUT_COUNT; ++i) {{
            fwrite({name}_output(i), 1, output_bytes[i], stdout);
        }}
    }}
}}
"""


def write_model_program(model: CompiledModel, folder: Path) -> tuple[list[Path], list[Path]]:
    """The library and its main.c in ``folder``: (sources, include folders)."""
    _write(folder, library_files(model))
    (folder / "main.c").write_text(model_main(model))
    return [*sorted((folder / "src").glob("*.c")), folder / "main.c"], [
        folder / "include", folder / "src"
    ]


def model_input_bytes(inputs: list[np.ndarray]) -> bytes:
    return b"".join(np.ascontiguousarray(x).tobytes() for x in inputs)


def model_outputs(model: CompiledModel, data: bytes, runs: int) -> list[list[np.ndarray]]:
    """The outputs that a model program wrote for ``runs`` input sets."""
    tensors = [model.graph.tensors[t] for t in model.graph.outputs]
    per_run = sum(t.nbytes for t in tensors)
    assert len(data) == runs * per_run
    result, at = [], 0
    for _ in range(runs):
        outputs = []
        for t in tensors:
            outputs.append(np.frombuffer(data[at : at + t.nbytes], t.dtype).reshape(t.shape))
            at += t.nbytes
        result.append(outputs)
    return result


def dsp_main(block: DspSources, in_type: str, out_type: str) -> str:
    name, upper = block.name, block.name.upper()
    return f"""#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "{name}.h"

static {in_type} input[{upper}_INPUT_LENGTH];
static {out_type} output[{upper}_OUTPUT_LENGTH];

int main(void)
{{
    static unsigned char untouched[sizeof output];
    memset(output, 0x5a, sizeof output);
    memcpy(untouched, output, sizeof output);
    if ({name}_run(NULL, output) != {upper}_ERROR_NULL ||
        {name}_run(input, NULL) != {upper}_ERROR_NULL ||
        {name}_run(NULL, NULL) != {upper}_ERROR_NULL || memcmp(output, untouched, sizeof output)) {{
        return 2;
    }}
    while (fread(input, sizeof input[0], {upper}_INPUT_LENGTH, stdin) == {upper}_INPUT_LENGTH) {{
        const int32_t status = {name}_run(input, output);
        fwrite(&status, sizeof status, 1, stdout);
        fwrite(output, sizeof output[0], {upper}_OUTPUT_LENGTH, stdout);
    }}
    return 0;
}}
"""


def build_dsp_program(block: DspSources, folder: Path, in_type: str, out_type: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    files = dsp_files(block)
    _write(folder, files)
    (folder / "main.c").write_text(dsp_main(block, in_type, out_type))
    sources = [folder / n for n in files if n.endswith(".c")] + [folder / "main.c"]
    return build(sources, [folder], folder / "block")


def dsp_results(
    block: DspSources, data: bytes, runs: int, dtype: type
) -> list[tuple[int, np.ndarray]]:
    """(status, output) of each run of a DSP program."""
    size = 4 + block.output_length * np.dtype(dtype).itemsize
    assert len(data) == runs * size, (len(data), runs, size)
    results = []
    for i in range(runs):
        chunk = data[i * size : (i + 1) * size]
        status = int(np.frombuffer(chunk[:4], np.int32)[0])
        results.append((status, np.frombuffer(chunk[4:], dtype).copy()))
    return results
