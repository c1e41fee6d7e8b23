"""Helpers for tests that build generated libraries with the system compilers."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tinygen.compiler import CompiledModel, compile_file
from tinygen.package.folder import write_library

STRICT_C = ["gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2"]
STRICT_CXX = ["g++", "-Wall", "-Wextra", "-Werror", "-O2", "-x", "c++"]


def generate(model_path: Path, out: Path, name: str | None = None) -> CompiledModel:
    model = compile_file(model_path, name)
    write_library(model, out)
    return model


def compile_objects(library: Path, compiler: list[str], objdir: Path) -> list[Path]:
    """Compile every source of a generated library; fail the test on any diagnostic."""
    objdir.mkdir(parents=True, exist_ok=True)
    objects = []
    for source in sorted((library / "src").glob("*.c")):
        obj = objdir / (source.stem + ".o")
        cmd = [
            *compiler,
            "-c",
            str(source),
            f"-I{library / 'include'}",
            f"-I{library / 'src'}",
            "-o",
            str(obj),
        ]
        result = subprocess.run(cmd, capture_output=True, text=True)
        assert result.returncode == 0 and not result.stderr, result.stderr
        objects.append(obj)
    return objects


def writable_bytes(objects: list[Path]) -> int:
    """Bytes of the writable sections (.data, .bss) over ``objects``."""
    total = 0
    for obj in objects:
        out = subprocess.run(["size", "-A", str(obj)], capture_output=True, text=True, check=True)
        for line in out.stdout.splitlines():
            parts = line.split()
            # .data.rel.ro holds const data with pointers: read-only once relocated
            writable = parts and parts[0].startswith((".data", ".bss", ".sdata", ".sbss"))
            if writable and not parts[0].startswith(".data.rel.ro"):
                total += int(parts[1])
    return total


def global_symbols(objects: list[Path]) -> list[str]:
    """Names of the symbols the objects define with external linkage."""
    names = []
    for obj in objects:
        out = subprocess.run(
            ["nm", "-g", "--defined-only", str(obj)], capture_output=True, text=True, check=True
        )
        names += [line.split()[-1] for line in out.stdout.splitlines() if line.strip()]
    return names
