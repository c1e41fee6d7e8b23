"""generate-library --cpu: each Arm core's toolchain file builds the library for that core
(the ELF attributes say which), the DSP-extension path is compiled in exactly where the core
has it, presets pick their core, and a generic library carries no toolchain file."""

from __future__ import annotations

import json
import subprocess
from functools import cache
from pathlib import Path

import pytest
import tf_models

from tinygen.cli import main
from tinygen.target.cpus import CPUS, TOOLCHAIN_FILE

#: What arm-none-eabi-readelf -A says of a library built for each core.
ATTRIBUTES = {
    "cortex-m0plus": ["Tag_CPU_arch: v6S-M", "Tag_CPU_arch_profile: Microcontroller"],
    "cortex-m4": ["Tag_CPU_arch: v7E-M", "Tag_FP_arch: VFPv4-D16",
                  "Tag_ABI_VFP_args: VFP registers"],
    "cortex-m7": ["Tag_CPU_arch: v7E-M", "Tag_FP_arch: FPv5/FP-D16 for ARMv8",
                  "Tag_ABI_VFP_args: VFP registers"],
    "cortex-m33": ["Tag_CPU_arch: v8-M.mainline", "Tag_DSP_extension: Allowed",
                   "Tag_ABI_VFP_args: VFP registers"],
}


@cache
def _model() -> bytes:
    return tf_models.zoo_model()  # convolution, depthwise, fully connected: fast kernels


def _generate(tmp_path: Path, name: str, *options: str) -> Path:
    model = tmp_path / "zoo.tflite"
    model.write_bytes(_model())
    out = tmp_path / name
    assert main(["generate-library", str(model), "-o", str(out), "--name", "zoo", *options]) == 0
    return out


def _cpu_in_report(out: Path) -> str:
    return str(json.loads((out / "report.json").read_text())["cpu"]["name"])


@pytest.mark.parametrize("cpu", sorted(ATTRIBUTES))
def test_toolchain_file_builds_for_the_core(cpu: str, tmp_path: Path) -> None:
    out = _generate(tmp_path, cpu, "--cpu", cpu)
    toolchain = (out / "cmake" / TOOLCHAIN_FILE).read_text()
    assert f'set(TINYGEN_CPU_FLAGS "{" ".join(CPUS[cpu].flags)}")' in toolchain
    assert _cpu_in_report(out) == cpu
    build = tmp_path / f"build-{cpu}"
    for command in (
        ["cmake", "-S", str(out), "-B", str(build),
         f"-DCMAKE_TOOLCHAIN_FILE={out / 'cmake' / TOOLCHAIN_FILE}", "-DCMAKE_BUILD_TYPE=Release",
         "-DCMAKE_C_FLAGS_RELEASE=-O2 -Wall -Wextra -Werror -pedantic"],
        ["cmake", "--build", str(build)],
    ):
        result = subprocess.run(command, capture_output=True, text=True)
        assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    library = build / "libzoo.a"
    attributes = subprocess.run(["arm-none-eabi-readelf", "-A", str(library)],
                                capture_output=True, text=True, check=True).stdout
    for attribute in ATTRIBUTES[cpu]:
        assert attribute in attributes, attributes
    code = subprocess.run(["arm-none-eabi-objdump", "-d", str(library)],
                          capture_output=True, text=True, check=True).stdout
    assert "<zoo_conv2d_fast_s8>:" in code
    # the specialized kernels' SIMD path where the core has the DSP extension, else C loops
    assert ("smlad" in code) == CPUS[cpu].dsp
    assert ("sxtb16" in code) == CPUS[cpu].dsp


def test_generic_library_has_no_toolchain_file(tmp_path: Path) -> None:
    out = _generate(tmp_path, "generic", "--cpu", "generic")
    assert not (out / "cmake").exists()
    assert _cpu_in_report(out) == "generic"


def test_default_and_presets(tmp_path: Path) -> None:
    assert _cpu_in_report(_generate(tmp_path, "default")) == "cortex-m4"
    assert _cpu_in_report(_generate(tmp_path, "pico", "--target", "pico")) == "cortex-m0plus"
    nicla = _generate(tmp_path, "nicla", "--target", "nicla-vision")
    assert "-mcpu=cortex-m7" in (nicla / "cmake" / TOOLCHAIN_FILE).read_text()
    # --cpu overrides the preset's core, not its budget
    both = _generate(tmp_path, "both", "--target", "pico", "--cpu", "cortex-m33")
    assert _cpu_in_report(both) == "cortex-m33"


def test_unknown_cpu_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = tmp_path / "zoo.tflite"
    model.write_bytes(_model())
    with pytest.raises(SystemExit) as exit_info:
        main(["generate-library", str(model), "-o", str(tmp_path / "out"), "--cpu", "z80"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'z80'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
