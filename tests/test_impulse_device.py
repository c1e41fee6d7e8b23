"""Impulses on the emulated Cortex-M4F (QEMU mps2-an386) against the host build of the same
library, one per input kind: kws_ref_model with MFCC (audio), vww_96_int8 with the image
block (image), a small model made here with spectral analysis (motion).

Each runs the probe (tinygen/target/impulse_probe.py) on a window from the shared test
data: the DSP features must lie within the DSP block's tolerance of the Python reference
on both (MFCC 1e-3, spectral analysis 1e-4 relative / 5e-4 absolute, images exact), the
model's int8 input may differ between the two only by one step where a feature lies that
close to a rounding boundary, the model's output must equal the Python reference on the
device's own input byte for byte (and the host's where the inputs agree), and the best
label must be the same. The folder's bare-metal example builds with its own CMake
toolchain file and runs; two impulses link into one firmware.

Needs arm-none-eabi-gcc with newlib, qemu-system-arm, cmake and ../shared; without them the
tests fail (CI installs them), they are not skipped.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from audio_harness import read_recording
from device_harness import (
    ARDUINO_H,
    KWS,
    MOTION_DSP,
    MOTION_RATE,
    VWW,
    Folder,
    bmp_rgb,
    generate,
    motion_folder,
    motion_window,
    sketch_scores,
)

from tinygen.dsp import image, mfcc, spectral
from tinygen.impulse.generate import Impulse
from tinygen.package.examples import BOARD_FILES, example_sample
from tinygen.reference.dsp.image import image_features
from tinygen.reference.dsp.mfcc import mfcc as reference_mfcc
from tinygen.reference.dsp.spectral import spectral_features
from tinygen.reference.interpreter import run_reference
from tinygen.target.cortex_m4 import (
    BOARD_DIR,
    CPU_FLAGS,
    build_elf,
    code_size,
    compile_objects,
    impulse_tables,
    model_tables,
    run_qemu,
)
from tinygen.target.cpus import CPUS, TOOLCHAIN_FILE, toolchain_file
from tinygen.target.impulse_probe import ProbeRun, run_probe_on_host, run_probe_on_m4

MFCC_TOLERANCE = 1e-3
SPECTRAL_RELATIVE, SPECTRAL_ABSOLUTE = 1e-4, 5e-4
KINDS = ("audio", "image", "motion")


@dataclass(frozen=True)
class Probed:
    folder: Folder
    window: np.ndarray
    reference: np.ndarray  # the Python reference of the DSP block on the window
    tolerance: np.ndarray  # per feature
    m4: ProbeRun
    host: ProbeRun


def _features(impulse: Impulse, window: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The DSP block's Python reference on ``window``, and its tolerance per feature."""
    params = impulse.dsp_document["parameters"]
    kind = impulse.config.kind
    if kind == "audio":
        ref = reference_mfcc(window.astype(np.float64), mfcc.parse_params(params),
                             int(impulse.config.sampling_freq)).reshape(-1)
        return ref, np.full(ref.size, MFCC_TOLERANCE)
    if kind == "motion":
        ref = spectral_features(window.astype(np.float64), spectral.parse_params(MOTION_DSP),
                                sampling_freq=MOTION_RATE, axes=3)
        return ref, np.maximum(SPECTRAL_ABSOLUTE, SPECTRAL_RELATIVE * np.abs(ref))
    c = impulse.config
    rgb = window.reshape(c.height, c.width, 3)
    ref = image_features(rgb, image.parse_params(params), input_width=c.width,
                         input_height=c.height).reshape(-1)
    return ref, np.zeros(ref.size)


@pytest.fixture(scope="module")
def probed(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Probed]:
    """The three impulses, written, each probed on the M4 and the host (built once)."""
    models = shared_dir / "models"
    result = {}
    for kind in KINDS:
        tmp = tmp_path_factory.mktemp(kind)
        if kind == "audio":
            folder = generate(KWS, models / "kws_ref_model.tflite", tmp)
            window = read_recording(shared_dir, "yes")[1]
        elif kind == "image":
            folder = generate(VWW, models / "vww_96_int8.tflite", tmp)
            window = np.ascontiguousarray(bmp_rgb(shared_dir / "testdata" / "person.bmp"))
        else:
            folder = motion_folder(tmp)
            window = motion_window(4)
        window = window.reshape(-1)
        reference, tolerance = _features(folder.impulse, window)
        result[kind] = Probed(
            folder, window, reference, tolerance,
            run_probe_on_m4(folder.impulse, folder.out, window, tmp / "m4"),
            run_probe_on_host(folder.impulse, folder.out, window, tmp / "host"),
        )
    return result


def _model_output(impulse: Impulse, model_input: np.ndarray) -> np.ndarray:
    graph = impulse.model.graph
    x = model_input.reshape(impulse.model_tensor().shape)
    return run_reference(graph, impulse.model.calls, [x])[graph.outputs[0]].reshape(-1)


def _near_boundary(impulse: Impulse, features: np.ndarray, tolerance: np.ndarray) -> np.ndarray:
    """Features within ``tolerance`` of a rounding boundary of the model input's scale."""
    scale = float(impulse.model_tensor().quant.scale0)
    ratio = features.astype(np.float64) / scale
    return np.abs(np.abs(ratio - np.trunc(ratio)) - 0.5) * scale <= 2 * tolerance


@pytest.mark.parametrize("kind", KINDS)
def test_m4_matches_host(probed: dict[str, Probed], kind: str) -> None:
    p = probed[kind]
    impulse = p.folder.impulse
    for run in (p.m4, p.host):
        if impulse.float_features:
            assert np.all(np.abs(run.features - p.reference) <= p.tolerance), kind
        else:  # the image block writes the model's int8 input itself: exact
            np.testing.assert_array_equal(run.features, p.reference)
    off = p.m4.model_input != p.host.model_input
    if off.any():  # one step, and only where the float features were that close to a bound
        steps = p.m4.model_input[off].astype(int) - p.host.model_input[off]
        assert np.all(np.abs(steps) == 1), steps
        assert np.all(_near_boundary(impulse, p.reference, p.tolerance)[off])
    for run in (p.m4, p.host):
        expected = _model_output(impulse, run.model_input)
        assert run.model_output.tobytes() == expected.tobytes(), kind
    if not off.any():
        assert p.m4.model_output.tobytes() == p.host.model_output.tobytes()
        np.testing.assert_array_equal(p.m4.scores, p.host.scores)
    assert p.m4.best == p.host.best
    assert p.m4.dsp_instructions > 0 and p.m4.inference_instructions > 0
    assert p.host.dsp_instructions == 0 and p.m4.stack_bytes > 0
    print(f"{kind}: {int(off.sum())} inputs one step off, best {impulse.config.labels[p.m4.best]}"
          f", DSP {p.m4.dsp_instructions:,} and model {p.m4.inference_instructions:,} "
          f"instructions, {p.m4.stack_bytes:,} B of stack")


def test_bare_metal_example_builds_and_runs(probed: dict[str, Probed], tmp_path: Path) -> None:
    """cmake -S OUT -B build -DCMAKE_TOOLCHAIN_FILE=OUT/cmake/arm-none-eabi.cmake adds
    m4/NAME_m4.elf; on QEMU it prints what the host computes on the same window."""
    folder = probed["motion"].folder
    out, name = folder.out, folder.impulse.name
    assert (out / "cmake" / TOOLCHAIN_FILE).read_text() == toolchain_file(CPUS["cortex-m4"])
    for board_file in BOARD_FILES:  # copies of the one home, templates/m4
        assert (out / "m4" / board_file).read_bytes() == (BOARD_DIR / board_file).read_bytes()
    build = tmp_path / "build"
    for command in (
        ["cmake", "-S", str(out), "-B", str(build),
         f"-DCMAKE_TOOLCHAIN_FILE={out / 'cmake' / TOOLCHAIN_FILE}",
         "-DCMAKE_BUILD_TYPE=Release"],
        ["cmake", "--build", str(build)],
    ):
        result = subprocess.run(command, capture_output=True, text=True)
        assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert not (build / f"{name}_classify").exists()  # the host program is the host's
    # the example's main is as strict as the library (any warning fails)
    compile_objects([out / "m4" / f"{name}_m4.c"], [out / "src"], tmp_path / "strict")
    status, printed = run_qemu(build / f"{name}_m4.elf", 60)
    assert status == 0, printed
    labels = list(folder.impulse.config.labels)
    scores, prediction = sketch_scores(printed, labels)
    host = run_probe_on_host(folder.impulse, out, example_sample(folder.impulse).values,
                             tmp_path / "host")
    np.testing.assert_allclose(scores, host.scores, atol=5.1e-6)
    assert prediction == labels[host.best]
    counts = dict(line.split(": ") for line in printed.splitlines()[len(labels) + 1:])
    assert int(counts["dsp instructions"]) > 0 and int(counts["inference instructions"]) > 0


def test_two_impulses_in_one_firmware(probed: dict[str, Probed], tmp_path: Path) -> None:
    """kws and the motion impulse, each compiled with its own include folder, linked into
    one program that runs both: each gives what it gives alone."""
    audio, motion = probed["audio"], probed["motion"]
    objects = []
    for p in (audio, motion):
        src = p.folder.out / "src"
        objects += compile_objects(sorted(src.glob("*.c")), [src],
                                   tmp_path / p.folder.impulse.name)
    kws, gesture = audio.folder.impulse.name, motion.folder.impulse.name
    windows = {kws: ("int16_t", audio.window, "_i16"), gesture: ("float", motion.window, "")}
    body = ["#include <stdint.h>", "#include <stdio.h>", f'#include "{kws}.h"',
            f'#include "{gesture}.h"']
    for name, (c_type, window, _) in windows.items():
        values = ", ".join(str(v) + ("f" if c_type == "float" else "")
                           for v in window.tolist())
        body.append(f"static const {c_type} {name}_window[] = {{{values}}};")
    body.append("int main(void)\n{")
    for name, (_, _, suffix) in windows.items():
        body += [f"    {name}_result_t {name}_result;",
                 f"    if ({name}_run_classifier{suffix}({name}_window, "
                 f"sizeof {name}_window / sizeof {name}_window[0], &{name}_result) != 0) "
                 "{ return 1; }",
                 f'    printf("{name} %d\\n", {name}_result.best);']
    body += ["    return 0;", "}"]
    main = tmp_path / "both.c"
    main.write_text("\n".join(body) + "\n")
    include = [audio.folder.out / "src", motion.folder.out / "src"]
    elf = build_elf([main], include, tmp_path / "elf", objects=objects)
    status, printed = run_qemu(elf, 60)
    assert status == 0, printed
    assert printed.split() == [kws, str(audio.m4.best), gesture, str(motion.m4.best)]


@pytest.mark.parametrize("kind", KINDS)
def test_example_sketch_compiles_as_cpp_for_m4(probed: dict[str, Probed], kind: str,
                                               tmp_path: Path) -> None:
    folder = probed[kind].folder
    (tmp_path / "Arduino.h").write_text(ARDUINO_H)
    name = folder.impulse.name
    sketch = folder.out / "examples" / f"{name}_static" / f"{name}_static.ino"
    result = subprocess.run(
        ["arm-none-eabi-g++", "-std=gnu++17", *CPU_FLAGS, "-Wall", "-Wextra", "-Werror",
         "-fno-exceptions", "-fno-rtti", "-Os", f"-I{tmp_path}", f"-I{folder.out / 'src'}",
         "-x", "c++", "-include", "Arduino.h", "-c", str(sketch), "-o", str(tmp_path / "s.o")],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]


def test_code_size_counts_model_and_dsp_tables(probed: dict[str, Probed], tmp_path: Path) -> None:
    """bench/m4.py's split of an impulse's flash: the model's weights exactly as the
    generator counts them, the DSP block's arrays within its count (which adds the
    parameter structs that point at them), the rest code and parameters."""
    for kind in ("audio", "motion"):
        impulse = probed[kind].folder.impulse
        src = probed[kind].folder.out / "src"
        objects = compile_objects(sorted(src.glob("*.c")), [src], tmp_path / kind, "-Os")
        size = code_size(objects, impulse_tables(impulse.model.name, impulse.dsp.name,
                                                 impulse.dsp.source))
        weights = code_size(objects, model_tables(impulse.model.name)).table_bytes
        assert weights == impulse.model.sources.constant_bytes, kind
        dsp_tables = size.table_bytes - weights
        assert 0 < dsp_tables <= impulse.dsp.constant_bytes <= dsp_tables + 128, kind
        assert size.text_bytes > 0 and size.other_const_bytes > 0
        assert size.bss_bytes >= impulse.layout.arena_bytes


def test_audio_library_is_strict_for_avr(probed: dict[str, Probed], tmp_path: Path) -> None:
    """The audio path (framing, FFT, mel, MFCC, the glue) on an 8-bit AVR's 16-bit int and
    32-bit double: any constant it overflows or loop bound it cannot reach warns. (The
    image impulse's 96x96 arrays exceed what AVR's 16-bit size_t can index.)"""
    src = probed["audio"].folder.out / "src"
    for source in sorted(src.glob("*.c")):
        result = subprocess.run(
            ["avr-gcc", "-mmcu=atmega2560", "-std=c99", "-Wall", "-Wextra", "-Werror",
             "-pedantic", "-Os", "-c", str(source), "-o", str(tmp_path / f"{source.stem}.o")],
            capture_output=True, text=True)
        assert result.returncode == 0, result.stderr[-3000:]
