"""The CPUs generate-library targets (--cpu): compiler flags and what the kernels may use.

The kernels are the same C on every CPU. The specialized kernels (tinygen/lowering/fast*.py)
are chosen at generation time for every CPU: their re-laid-out weights and folded offsets
pay everywhere. Which of their two paths runs is chosen by the compiler: the Arm DSP
extension's (SMLAD, SXTB16, SSAT; ``__ARM_FEATURE_DSP``, set by the -mcpu of the Cortex-M4,
M7 and M33) or the portable C99 loops (Cortex-M0+, every other target). The generated
library's ``cmake/arm-none-eabi.cmake`` passes the CPU's flags; a ``generic`` library gets
no toolchain file and builds with whatever compiler the user's project has.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.codegen.model_source import template_environment


@dataclass(frozen=True)
class Cpu:
    name: str
    description: str
    flags: tuple[str, ...]  # arm-none-eabi-gcc's; empty for a generic target
    dsp: bool  # the Arm DSP extension: the specialized kernels' SIMD path


CPUS: dict[str, Cpu] = {
    c.name: c
    for c in (
        Cpu("cortex-m0plus", "a Cortex-M0+ (Armv6-M, no FPU, no DSP extension)",
            ("-mcpu=cortex-m0plus", "-mthumb", "-mfloat-abi=soft"), False),
        Cpu("cortex-m4", "a Cortex-M4F (single-precision FPU, hard-float calling convention)",
            ("-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"), True),
        Cpu("cortex-m7", "a Cortex-M7 (double-precision FPU, hard-float calling convention)",
            ("-mcpu=cortex-m7", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv5-d16"), True),
        Cpu("cortex-m33", "a Cortex-M33 (Armv8-M mainline, single-precision FPU, DSP "
            "extension)", ("-mcpu=cortex-m33", "-mthumb", "-mfloat-abi=hard",
                           "-mfpu=fpv5-sp-d16"), True),
        Cpu("generic", "any C99 compiler (the portable kernels)", (), False),
    )
}

#: What --cpu means when neither it nor a --target preset names a CPU.
DEFAULT_CPU = "cortex-m4"
TOOLCHAIN_FILE = "arm-none-eabi.cmake"


def toolchain_file(cpu: Cpu) -> str | None:
    """The CMake toolchain file building a library for ``cpu``; None for a generic target."""
    if not cpu.flags:
        return None
    template = template_environment().get_template(f"{TOOLCHAIN_FILE}.j2")
    return template.render(cpu=cpu.name, description=cpu.description, flags=" ".join(cpu.flags))


def cpu_report(cpu: Cpu) -> dict[str, object]:
    """The CPU as report.json records it."""
    return {"name": cpu.name, "flags": " ".join(cpu.flags), "dsp_extension": cpu.dsp}
