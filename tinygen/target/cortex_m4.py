"""Compile, link and run C on a Cortex-M4F emulated by QEMU (board mps2-an386), and measure it.

The board files live in ``templates/m4/``: the vector table and reset handler
(``startup.c``), the instruction counter (``board.c``, ``board.h``), the memory map
(``mps2_an386.ld``); the CPU flags are tinygen.target.cpus's cortex-m4. QEMU runs with
``-icount shift=0`` (one instruction per nanosecond of virtual time), so counts are
exact and the same on every run; output and the exit status travel over semihosting.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinygen.compiler import CompiledModel
from tinygen.errors import TinygenError
from tinygen.package.folder import library_files
from tinygen.target.cpus import CPUS
from tinygen.target.m4_program import BOARD_DIR, M4Run, main_source, parse_run
from tinygen.target.toolchain import arm_tool, check_newlib, qemu_system_arm, run_tool

#: The Cortex-M4F with its single-precision FPU, hard-float calling convention.
CPU_FLAGS = CPUS["cortex-m4"].flags
#: The same strictness as the host builds: any diagnostic fails the build.
STRICT_FLAGS = ("-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic")
SECTION_FLAGS = ("-ffunction-sections", "-fdata-sections")
LINKER_SCRIPT = BOARD_DIR / "mps2_an386.ld"
BOARD_SOURCES = (BOARD_DIR / "startup.c", BOARD_DIR / "board.c")
QEMU_MACHINE = "mps2-an386"
#: startup.c ends a program that took a fault with this status + the exception number.
FAULT_STATUS = 100
DEFAULT_TIMEOUT_S = 120.0


def _object_names(sources: Sequence[Path]) -> list[str]:
    """One object file name per source, unique even where two sources share a stem."""
    names, seen = [], set()
    for source in sources:
        name, n = f"{source.stem}.o", 1
        while name in seen:
            n += 1
            name = f"{source.stem}_{n}.o"
        seen.add(name)
        names.append(name)
    return names


def compile_objects(
    sources: Iterable[Path],
    include_dirs: Iterable[Path],
    out_dir: Path,
    opt: str = "-O2",
    defines: Iterable[str] = (),
) -> list[Path]:
    """Compile each source for the Cortex-M4 into ``out_dir`` (in parallel), with the
    macros ``defines`` (``NAME`` or ``NAME=VALUE``); any warning fails."""
    gcc = arm_tool("gcc")
    sources = [Path(s) for s in sources]
    out_dir.mkdir(parents=True, exist_ok=True)
    includes = [f"-I{d}" for d in (*include_dirs, BOARD_DIR)]
    macros = [f"-D{d}" for d in defines]
    objects = [out_dir / name for name in _object_names(sources)]

    def compile_one(source: Path, obj: Path) -> Path:
        command = [gcc, *STRICT_FLAGS, opt, *CPU_FLAGS, *SECTION_FLAGS, *includes, *macros,
                   "-c"]
        what = f"compiling {source.name} for the Cortex-M4"
        run_tool([*command, str(source), "-o", str(obj)], what)
        return obj

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(compile_one, sources, objects))


def build_elf(
    sources: Iterable[Path],
    include_dirs: Iterable[Path],
    out_dir: Path,
    opt: str = "-O2",
    *,
    defines: Iterable[str] = (),
    objects: Iterable[Path] = (),
) -> Path:
    """Link ``sources`` (one of them defines ``main``) and ``objects`` (compiled already,
    e.g. by :func:`compile_objects` with include folders of their own) with the board
    files into an ELF for QEMU's mps2-an386, at ``out_dir``/program.elf."""
    gcc = arm_tool("gcc")
    check_newlib(gcc, CPU_FLAGS)
    objects = [
        *compile_objects([*sources, *BOARD_SOURCES], include_dirs, out_dir / "obj", opt, defines),
        *objects,
    ]
    elf = out_dir / "program.elf"
    run_tool(
        [
            gcc,
            *CPU_FLAGS,
            opt,
            "--specs=rdimon.specs",
            "-T",
            str(LINKER_SCRIPT),
            "-Wl,--gc-sections",
            f"-Wl,-Map={out_dir / 'program.map'}",
            *map(str, objects),
            "-lm",
            "-o",
            str(elf),
        ],
        "linking for the Cortex-M4",
    )
    return elf


def _text(raw: bytes) -> str:
    """Bytes a program printed, as text with universal newlines (``text=True``'s)."""
    return raw.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")


def run_qemu(elf: Path, timeout_s: float = DEFAULT_TIMEOUT_S) -> tuple[int, str]:
    """Run ``elf`` on QEMU's mps2-an386 until it exits: its exit status and what it printed
    (its stdout, then its stderr)."""
    command = [
        qemu_system_arm(),
        "-M",
        QEMU_MACHINE,
        "-nographic",
        "-semihosting-config",
        "enable=on,target=native",
        "-icount",
        "shift=0",
        "-kernel",
        str(elf),
    ]
    # Into files, not pipes: with -nographic QEMU makes its stdout non-blocking, and a
    # semihosting write into a full pipe (a reader slowed by a loaded machine) is lost.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            result = subprocess.run(
                command, stdin=subprocess.DEVNULL, stdout=out, stderr=err, timeout=timeout_s
            )
        except subprocess.TimeoutExpired as exc:
            raise TinygenError(
                f"{elf.name} did not finish on QEMU's {QEMU_MACHINE} within {timeout_s:g} s: it "
                "hangs, or needs a longer timeout"
            ) from exc
        out.seek(0)
        err.seek(0)
        stdout, stderr = (_text(f.read()) for f in (out, err))
    if result.returncode != 0 and stderr.startswith("qemu-system-arm:"):
        raise TinygenError(f"QEMU could not run {elf.name}:\n{stderr[-2000:]}")
    return result.returncode, stdout + stderr


def status_problem(status: int) -> str:
    """What a non-zero exit status of a program built by :func:`build_elf` means."""
    if FAULT_STATUS < status < FAULT_STATUS + 16:  # the Cortex-M4's system exceptions
        return f"it took a fault (exception {status - FAULT_STATUS}; 3 is a HardFault)"
    return f"it exited with status {status}"


@dataclass(frozen=True)
class CodeSize:
    """Bytes by kind over some object files (or one linked ELF)."""

    text_bytes: int  # machine code
    table_bytes: int  # read-only arrays named by the tables pattern: weights, bias, tables
    other_const_bytes: int  # the rest of the read-only data: parameter structs, literals
    data_bytes: int  # initialised writable data
    bss_bytes: int  # zeroed writable data (the arena)


def model_tables(name: str) -> re.Pattern[str]:
    """Names of a model library's constant arrays: NAME_t<i> (tensors), NAME_op<i>_<field>."""
    return re.compile(rf"{re.escape(name)}_(?:t\d+|op\d+_\w+)")


def impulse_tables(model_name: str, dsp_name: str, dsp_source: str) -> re.Pattern[str]:
    """Names of an impulse's constant arrays: its model's (:func:`model_tables`) and those
    its DSP block's source defines (twiddles, filter banks, windows; not the parameter
    structs that point at them)."""
    arrays = re.findall(rf"\bconst\s+\w+\s+({re.escape(dsp_name)}_\w+)\s*\[", dsp_source)
    names = "|".join(map(re.escape, sorted(set(arrays)))) or "(?!)"
    return re.compile(rf"{model_tables(model_name).pattern}|{names}")


def code_size(files: Iterable[Path], tables: re.Pattern[str] | None = None) -> CodeSize:
    """Section bytes of ``files`` (``arm-none-eabi-size -A``); read-only symbols whose names
    match ``tables`` (``arm-none-eabi-nm -S``) count as tables instead of other constants."""
    size, nm = arm_tool("size"), arm_tool("nm")
    totals = {"text": 0, "rodata": 0, "data": 0, "bss": 0}
    table_bytes = 0
    for path in files:
        listing = run_tool([size, "-A", str(path)], f"reading the sections of {path.name}")
        for line in listing.stdout.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1].isdigit():
                kind = _section_kind(parts[0])
                if kind:
                    totals[kind] += int(parts[1])
        if tables is None:
            continue
        symbols = run_tool([nm, "-S", "--defined-only", str(path)], f"reading {path.name}")
        for line in symbols.stdout.splitlines():
            parts = line.split()
            if len(parts) == 4 and parts[2] in "rR" and tables.fullmatch(parts[3]):
                table_bytes += int(parts[1], 16)
    return CodeSize(
        totals["text"], table_bytes, totals["rodata"] - table_bytes, totals["data"], totals["bss"]
    )


def _section_kind(section: str) -> str | None:
    if section.startswith((".text", ".vectors", ".init", ".fini")):
        return "text"
    if section.startswith(
        (".rodata", ".ARM.extab", ".ARM.exidx", ".preinit_array", ".init_array", ".fini_array")
    ):
        return "rodata"
    if section.startswith(".data"):
        return "data"
    if section.startswith((".bss", "COMMON")):
        return "bss"
    return None


def compile_library(library: Path, out_dir: Path, opt: str = "-Os") -> list[Path]:
    """Compile the sources of a library folder (as written by ``write_library``)."""
    sources = sorted((library / "src").glob("*.c"))
    return compile_objects(sources, _library_includes(library), out_dir, opt)


def _library_includes(library: Path) -> list[Path]:
    return [library / "include", library / "src"]


def write_model_program(
    model: CompiledModel, input_sets: Sequence[Sequence[np.ndarray]], workdir: Path
) -> tuple[list[Path], list[Path]]:
    """Write the library (``workdir``/library) and a main.c that runs it on ``input_sets``
    (``workdir``/main.c); the sources to build and their include folders.

    ``workdir`` is scratch space: files are written in place, and only those of this model
    are built, whatever an earlier run left there."""
    library = workdir / "library"
    sources = []
    for rel, text in library_files(model).items():
        path = library / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        if path.suffix == ".c":
            sources.append(path)
    main = workdir / "main.c"
    main.write_text(main_source(model, input_sets))
    return [*sorted(sources), main], _library_includes(library)


def run_model_on_m4(
    model: CompiledModel,
    input_sets: Sequence[Sequence[np.ndarray]],
    workdir: Path,
    opt: str = "-O2",
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> M4Run:
    """Run the generated library of ``model`` on the emulated Cortex-M4, once per input set.

    ``workdir`` keeps the library (library/), main.c and the build (build/program.elf)."""
    workdir = Path(workdir)
    sources, include_dirs = write_model_program(model, input_sets, workdir)
    elf = build_elf(sources, include_dirs, workdir / "build", opt)
    status, stdout = run_qemu(elf, timeout_s)
    if status != 0:
        raise TinygenError(
            f"{model.name} on the Cortex-M4 (QEMU {QEMU_MACHINE}) failed: "
            f"{status_problem(status)}; it printed:\n{stdout[-2000:]}"
        )
    return parse_run(model, stdout, len(input_sets))
