"""An impulse library on the emulated Cortex-M4 and on the host, on the same window.

The probe program (``templates/m4/impulse_probe.c.j2``) compiles a window in, runs the
DSP block alone, then the classifier with the glue's debug hook (the model's input
after the DSP and quantization), then the whole classifier with the board's counter as
its clock, and prints everything as hex bytes and numbers: :func:`parse_probe` reads it
back. The same source builds for the host with ``templates/m4/host_board.c``, so the two
runs are compared line for line.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinygen.codegen.c_values import array_lines
from tinygen.codegen.model_source import template_environment
from tinygen.errors import TinygenError
from tinygen.impulse.generate import Impulse
from tinygen.target.cortex_m4 import (
    DEFAULT_TIMEOUT_S,
    QEMU_MACHINE,
    STRICT_FLAGS,
    build_elf,
    compile_objects,
    run_qemu,
    status_problem,
)
from tinygen.target.m4_program import BOARD_DIR
from tinygen.target.toolchain import run_tool

HOST_BOARD = BOARD_DIR / "host_board.c"
_LINE = re.compile(r"^(\w+) ?(.*)$")


@dataclass(frozen=True)
class ProbeRun:
    """What the probe printed, typed."""

    features: np.ndarray  # the DSP block's output
    model_input: np.ndarray  # the model's input after the DSP (and quantization)
    model_output: np.ndarray  # the model's output after the whole classifier
    scores: np.ndarray  # float32, one per label
    best: int
    dsp_instructions: int  # 0 on the host
    inference_instructions: int  # 0 on the host
    stack_bytes: int  # measured on the Cortex-M4 (painted stack); 0 on the host


def _entries(impulse: Impulse) -> tuple[str, str, str, str]:
    """(C type of the window, classifier, DSP entry, length macro) the probe calls."""
    c = impulse.config
    name, upper = c.name, c.name.upper()
    if c.kind == "audio":
        return "int16_t", f"{name}_run_classifier_i16", f"{name}_dsp_run_i16", \
            f"{upper}_SIGNAL_LENGTH"
    if c.kind == "image":
        return "uint8_t", f"{name}_run_classifier_{c.image_format}", f"{name}_dsp_run", \
            f"{upper}_IMAGE_BYTES"
    return "float", f"{name}_run_classifier", f"{name}_dsp_run", f"{upper}_SIGNAL_LENGTH"


def window_dtype(impulse: Impulse) -> np.dtype:
    """The type of the window the probe takes: int16 audio, float motion, image bytes."""
    return np.dtype({"int16_t": np.int16, "uint8_t": np.uint8, "float": np.float32}[
        _entries(impulse)[0]])


def probe_source(impulse: Impulse, window: np.ndarray) -> str:
    """main.c of the probe on ``window`` (audio: int16 samples; motion: floats, the axes
    interleaved; image: the camera's bytes)."""
    sample_type, call, dsp_call, length_macro = _entries(impulse)
    dtype = window_dtype(impulse)
    values = np.asarray(window)
    expected = impulse.config.signal_length * (
        3 if impulse.config.image_format == "rgb888" else 1)
    if values.size != expected or not np.can_cast(values.dtype, dtype, "same_kind"):
        raise TinygenError(f"{impulse.name}: the probe takes {expected} values of {dtype}, "
                           f"not {values.size} of {values.dtype}")
    name = impulse.name
    return template_environment().get_template("m4/impulse_probe.c.j2").render(
        name=name, NAME=name.upper(), DSP=f"{name}_dsp".upper(),
        MODEL=impulse.model.name.upper(), sample_type=sample_type, call=call,
        dsp_call=dsp_call, length_macro=length_macro,
        sample_lines=array_lines(values.astype(dtype).reshape(-1), per_line=16),
        feature_type="float" if impulse.float_features else "int8_t",
    )


def _probe_files(impulse: Impulse, out: Path, window: np.ndarray, workdir: Path) -> list[Path]:
    workdir.mkdir(parents=True, exist_ok=True)
    main = workdir / f"{impulse.name}_probe.c"
    main.write_text(probe_source(impulse, window))
    return [*sorted((out / "src").glob("*.c")), main]


def debug_define(impulse: Impulse) -> str:
    return f"{impulse.name.upper()}_DEBUG_FEATURES"


def impulse_objects(impulse: Impulse, out: Path, workdir: Path, opt: str = "-O2") -> list[Path]:
    """The library folder ``out``'s sources compiled for the Cortex-M4 (probe builds)."""
    return compile_objects(sorted((out / "src").glob("*.c")), [out / "src"], workdir, opt,
                           [debug_define(impulse)])


def run_probe_on_m4(impulse: Impulse, out: Path, window: np.ndarray, workdir: Path,
                    opt: str = "-O2", timeout_s: float = DEFAULT_TIMEOUT_S) -> ProbeRun:
    """The probe on the emulated Cortex-M4, built from ``out`` (the impulse's folder)."""
    sources = _probe_files(impulse, out, window, workdir)
    elf = build_elf(sources, [out / "src"], workdir / "build", opt,
                    defines=[debug_define(impulse)])
    status, stdout = run_qemu(elf, timeout_s)
    if status != 0:
        raise TinygenError(f"{impulse.name}'s probe on the Cortex-M4 (QEMU {QEMU_MACHINE}) "
                           f"failed: {status_problem(status)}; it printed:\n{stdout[-2000:]}")
    return parse_probe(impulse, stdout)


def run_probe_on_host(impulse: Impulse, out: Path, window: np.ndarray, workdir: Path,
                      opt: str = "-O2", compiler: str = "gcc") -> ProbeRun:
    """The same probe built for the host (``compiler``, the strict flags, -lm)."""
    sources = [*_probe_files(impulse, out, window, workdir), HOST_BOARD]
    exe = workdir / f"{impulse.name}_probe"
    run_tool([compiler, *STRICT_FLAGS, opt, f"-D{debug_define(impulse)}", f"-I{out / 'src'}",
              f"-I{BOARD_DIR}", *map(str, sources), "-lm", "-o", str(exe)],
             f"building {impulse.name}'s probe for the host")
    result = subprocess.run([str(exe)], capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise TinygenError(f"{impulse.name}'s probe on the host exited with "
                           f"{result.returncode}:\n{(result.stdout + result.stderr)[-2000:]}")
    return parse_probe(impulse, result.stdout)


def parse_probe(impulse: Impulse, stdout: str) -> ProbeRun:
    """What the probe printed (see the template's header)."""
    fields: dict[str, str] = {}
    for line in stdout.splitlines():
        if match := _LINE.match(line.strip()):
            fields[match.group(1)] = match.group(2)
    wanted = ("dsp", "features", "input", "classify", "output", "scores", "best",
              "dsp_instructions", "inference_instructions", "stack")
    missing = [w for w in wanted if w not in fields]
    if missing or fields["dsp"] != "0" or fields["classify"] != "0":
        raise TinygenError(f"{impulse.name}'s probe printed no {', '.join(missing)} or failed; "
                           f"it printed:\n{stdout[-2000:]}")
    tensor_in, tensor_out = impulse.model_tensor(), impulse.model_tensor(output=True)

    def typed(key: str, dtype: str, count: int) -> np.ndarray:
        raw = bytes.fromhex(fields[key])
        values = np.frombuffer(raw, dtype).copy()
        if values.size != count:
            raise TinygenError(f"{impulse.name}'s probe printed {values.size} values for "
                               f"{key}; expected {count}")
        return values

    scores = np.array([float(v) for v in fields["scores"].split()], np.float32)
    if scores.size != len(impulse.config.labels):
        raise TinygenError(f"{impulse.name}'s probe printed {scores.size} scores")
    return ProbeRun(
        typed("features", "float32" if impulse.float_features else "int8",
              impulse.dsp.output_length),
        typed("input", tensor_in.dtype, tensor_in.size),
        typed("output", tensor_out.dtype, tensor_out.size),
        scores,
        int(fields["best"]),
        int(fields["dsp_instructions"]),
        int(fields["inference_instructions"]),
        int(fields["stack"]),
    )
