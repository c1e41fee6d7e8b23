"""An impulse folder is an Arduino library: library.properties, src/, an example sketch.

The sketch is built for real for an Arduino Mega 2560 with Debian's arduino-builder and
arduino-core-avr (8-bit AVR: 16-bit int, 32-bit double, const data in RAM) and run on
simavr, the library's C is compiled strictly (with -Wconversion) by avr-gcc, and the
sketch as C++ for the Cortex-M4 against a minimal Arduino.h, run on QEMU and on the host:
everywhere it prints what the library computes on the host.
Needs arduino-builder, arduino-core-avr, arduino-ctags, simavr, arm-none-eabi-g++ and
qemu-system-arm (.ci/run installs them); without them the tests fail, they are not skipped.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from device_harness import ARDUINO_H, ARDUINO_MAIN, MOTION, Folder, motion_folder, sketch_scores

from tinygen.package.examples import example_sample
from tinygen.target.cortex_m4 import CPU_FLAGS, STRICT_FLAGS, build_elf, compile_objects, run_qemu
from tinygen.target.impulse_probe import run_probe_on_host

NAME = MOTION["name"]
#: The issue's command line, as given (DECIMAL_DIG: Debian's avr-libc lacks it).
ARDUINO_BUILDER = [
    "arduino-builder", "-compile", "-hardware", "/usr/share/arduino/hardware",
    "-tools", "/usr/share/arduino-builder", "-libraries", "{libraries}",
    "-fqbn", "arduino:avr:mega:cpu=atmega2560", "-prefs", "tools.ctags.path=/usr/bin",
    "-prefs", "tools.ctags.cmd.path=/usr/bin/arduino-ctags",
    "-prefs", 'tools.ctags.pattern="{cmd.path}" -u --language-force=c++ -f - '
              '--c++-kinds=svpf --fields=KSTtzns --line-directives "{source_file}"',
    "-prefs", "compiler.cpp.extra_flags=-DDECIMAL_DIG=17", "-build-path", "{build}", "{sketch}",
]
MEGA_FLASH, MEGA_RAM = 253952, 8192
#: Seconds of simavr (real time) to let the Mega's sketch classify its window a few times.
SIMULATED_SECONDS = 8
CXX_FLAGS = ("-std=gnu++17", "-Wall", "-Wextra", "-Werror", "-fno-exceptions", "-fno-rtti")


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Folder:
    """The motion impulse written straight into a libraries folder, as libraries/NAME."""
    folder = tmp_path_factory.mktemp("arduino")
    return motion_folder(folder, folder / "libraries" / NAME)


def _sketch(library: Folder) -> Path:
    return library.out / "examples" / f"{NAME}_static" / f"{NAME}_static.ino"


def test_library_layout(library: Folder) -> None:
    out = library.out
    fields = dict(line.split("=", 1) for line in
                  (out / "library.properties").read_text().splitlines() if line)
    assert fields["name"] == NAME and fields["author"] == "tinygen"
    assert re.fullmatch(r"\d+\.\d+\.\d+", fields["version"])
    assert fields["category"] == "Data Processing" and fields["architectures"] == "*"
    for key in ("sentence", "paragraph", "url", "maintainer"):
        assert key in fields
    # user text arrives escaped: one line of printable ASCII, no trigraph
    assert fields["paragraph"].isascii() and "\\u00e9" in fields["paragraph"]
    assert "??" not in fields["paragraph"]
    # every source and header in src/, the API header among them; nothing in include/
    assert (out / "src" / f"{NAME}.h").is_file() and not (out / "include").exists()
    cmake = (out / "CMakeLists.txt").read_text()
    listed = set(re.findall(r"src/(\S+\.c)", cmake))
    assert listed == {p.name for p in (out / "src").glob("*.c")}
    for source in (out / "src").iterdir():
        for header in re.findall(r'#include "([^"]+)"', source.read_text()):
            assert (out / "src" / header).is_file(), (source.name, header)
    sketch = _sketch(library).read_text()
    assert f"#include <{NAME}.h>" in sketch
    sample = example_sample(library.impulse)
    assert sample.values.size == library.impulse.config.signal_length
    assert f"static const float {NAME}_sample[{NAME.upper()}_SIGNAL_LENGTH]" in sketch


@pytest.fixture(scope="module")
def mega(library: Folder, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The example sketch built by arduino-builder for the Mega: the build folder and what
    arduino-builder printed."""
    tmp = tmp_path_factory.mktemp("mega")
    build = tmp / "build"
    build.mkdir()
    sketch = tmp / f"{NAME}_static" / f"{NAME}_static.ino"
    sketch.parent.mkdir()
    shutil.copy(_sketch(library), sketch)
    values = {"libraries": str(library.out.parent), "build": str(build), "sketch": str(sketch)}
    command = [part.format(**values) if part.startswith("{") and part.endswith("}") else part
               for part in ARDUINO_BUILDER]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return build, result.stdout


def test_sketch_builds_for_arduino_mega(library: Folder, mega: tuple[Path, str]) -> None:
    build, printed = mega
    # the library was found by its header and compiled, every source of src/
    objects = {p.name for p in (build / "libraries" / NAME).rglob("*.o")}
    assert objects == {f"{p.name}.o" for p in (library.out / "src").glob("*.c")}
    flash = re.search(r"Sketch uses (\d+) bytes", printed)
    ram = re.search(r"Global variables use (\d+) bytes", printed)
    assert flash and ram, printed
    flash_bytes, ram_bytes = int(flash.group(1)), int(ram.group(1))
    print(f"Arduino Mega 2560: {flash_bytes:,} B of flash, {ram_bytes:,} B of RAM")
    # AVR keeps const data in RAM: the window (375 floats), the arena, the tables
    arena = library.impulse.layout.arena_bytes
    assert 4 * 375 + arena < ram_bytes < MEGA_RAM
    assert 0 < flash_bytes < MEGA_FLASH


def test_sketch_runs_on_a_simulated_mega(library: Folder, mega: tuple[Path, str],
                                         tmp_path: Path) -> None:
    """The Mega's firmware on simavr (ATmega2560 at 16 MHz): its Serial output gives the
    host's prediction, and its scores within two steps of the model's output (AVR's float
    libm may move a feature across a rounding boundary of the model's int8 input)."""
    elf = mega[0] / f"{NAME}_static.ino.elf"
    # The sketch loops for ever: stop the simulator after a few seconds, with SIGTERM, on
    # which it flushes what the UART printed.
    simulator = subprocess.Popen(["simavr", "-m", "atmega2560", "-f", "16000000", str(elf)],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        simulator.wait(timeout=SIMULATED_SECONDS)
    except subprocess.TimeoutExpired:
        simulator.terminate()
    printed = simulator.communicate(timeout=30)[0]
    # simavr shows each UART line in color, its CR LF as ".."
    text = re.sub(rb"\x1b\[[0-9;]*m", b"", printed).decode("utf-8", "replace")
    lines = [line.removesuffix("..") for line in text.splitlines() if line.strip()]
    labels = list(MOTION["labels"])
    assert len(lines) >= 2 * (len(labels) + 1), text[-2000:]  # two rounds at least
    assert lines[: len(labels) + 1] == lines[len(labels) + 1: 2 * (len(labels) + 1)]
    scores = [float(line.rpartition(": ")[2]) for line in lines[: len(labels)]]
    probe = run_probe_on_host(library.impulse, library.out,
                              example_sample(library.impulse).values, tmp_path / "probe")
    step = float(library.impulse.model_tensor(output=True).quant.scale0)
    np.testing.assert_allclose(scores, probe.scores, atol=2 * step + 5.1e-6)
    assert lines[len(labels)] == f"prediction: {labels[probe.best]}"
    print("simulated Mega:", lines[: len(labels) + 1], "host:", probe.scores)


def test_library_c_is_strict_for_avr(library: Folder, tmp_path: Path) -> None:
    """16-bit int: any constant that overflows it, any loop bound it cannot reach, warns."""
    for source in sorted((library.out / "src").glob("*.c")):
        result = subprocess.run(
            ["avr-gcc", "-mmcu=atmega2560", *STRICT_FLAGS, "-Wconversion", "-Os", "-c",
             str(source), "-o", str(tmp_path / f"{source.stem}.o")],
            capture_output=True, text=True)
        assert result.returncode == 0, result.stderr[-3000:]


def _run_sketch_on(library: Folder, workdir: Path, target: str) -> str:
    """The sketch as C++ with the test's Arduino.h, the library as C; what it printed."""
    shim = workdir / "shim"
    shim.mkdir(parents=True)
    (shim / "Arduino.h").write_text(ARDUINO_H)
    (shim / "main.cpp").write_text(ARDUINO_MAIN)
    src = library.out / "src"
    sources = sorted(src.glob("*.c"))
    if target == "m4":
        cxx = ["arm-none-eabi-g++", *CXX_FLAGS, *CPU_FLAGS, "-O2", f"-I{shim}", f"-I{src}"]
    else:
        cxx = ["g++", *CXX_FLAGS, "-O2", f"-I{shim}", f"-I{src}"]
    objects = []
    for name, source, language in (("sketch", _sketch(library), ["-x", "c++", "-include",
                                                                  "Arduino.h"]),
                                   ("main", shim / "main.cpp", [])):
        obj = workdir / f"{name}.o"
        result = subprocess.run([*cxx, *language, "-c", str(source), "-o", str(obj)],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr[-3000:]
        objects.append(obj)
    if target == "m4":
        library_objects = compile_objects(sources, [src], workdir / "lib")
        elf = build_elf([], [], workdir / "elf", objects=[*objects, *library_objects])
        status, printed = run_qemu(elf, 60)
        assert status == 0, printed
        return printed
    exe = workdir / "sketch"
    lib = workdir / "lib"
    lib.mkdir()
    subprocess.run(["gcc", *STRICT_FLAGS, "-O2", f"-I{src}", "-c", *map(str, sources)],
                   cwd=lib, check=True)
    lib_objects = [lib / f"{s.stem}.o" for s in sources]
    subprocess.run(["g++", *map(str, objects), *map(str, lib_objects), "-lm", "-o", str(exe)],
                   check=True)
    return subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout


def test_sketch_runs_as_cpp_on_m4_and_host(library: Folder, tmp_path: Path) -> None:
    labels = list(MOTION["labels"])
    probe = run_probe_on_host(library.impulse, library.out,
                              example_sample(library.impulse).values, tmp_path / "probe")
    printed = {}
    for target in ("m4", "host"):
        out = _run_sketch_on(library, tmp_path / target, target)
        assert out.splitlines()[len(labels) + 1] == "baud 115200 delay 2000", out
        printed[target] = sketch_scores(out, labels)
    # the sketch prints what the library computes, on either machine
    assert printed["m4"] == printed["host"]
    scores, prediction = printed["host"]
    np.testing.assert_allclose(scores, probe.scores, atol=5.1e-6)
    assert prediction == labels[probe.best]
    assert len(set(np.round(probe.scores, 5))) > 1, "the model should tell the labels apart"
