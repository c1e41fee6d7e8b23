"""The host tools a Cortex-M4 build needs, and running them with a clear error."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from functools import cache

from tinygen.errors import TinygenError

#: Debian packages: the Arm GNU toolchain with newlib (rdimon), and the emulator.
ARM_PACKAGES = ("gcc-arm-none-eabi", "libnewlib-arm-none-eabi")
QEMU_PACKAGES = ("qemu-system-arm",)


def _install_hint(packages: Sequence[str]) -> str:
    return f"apt-get install {' '.join(packages)}"


def arm_tool(tool: str) -> str:
    """Path of ``arm-none-eabi-<tool>`` (gcc, size, nm, ...)."""
    name = f"arm-none-eabi-{tool}"
    path = shutil.which(name)
    if path is None:
        raise TinygenError(
            f"{name} is not installed: building for the Cortex-M4 needs the Arm GNU "
            f"toolchain and newlib (on Debian: {_install_hint(ARM_PACKAGES)})"
        )
    return path


def qemu_system_arm() -> str:
    path = shutil.which("qemu-system-arm")
    if path is None:
        raise TinygenError(
            "qemu-system-arm is not installed: running on the emulated Cortex-M4 "
            f"(mps2-an386) needs it (on Debian: {_install_hint(QEMU_PACKAGES)})"
        )
    return path


@cache
def check_newlib(gcc: str, cpu_flags: tuple[str, ...]) -> None:
    """Stop unless newlib's semihosting library (rdimon) is there for these CPU flags."""
    found = subprocess.run(
        [gcc, *cpu_flags, "-print-file-name=rdimon-crt0.o"], capture_output=True, text=True
    ).stdout.strip()
    if found in ("", "rdimon-crt0.o"):
        raise TinygenError(
            f"{gcc} has no newlib for {' '.join(cpu_flags)} (rdimon-crt0.o is missing; "
            f"on Debian: {_install_hint(ARM_PACKAGES)})"
        )


def run_tool(command: Sequence[str], what: str) -> subprocess.CompletedProcess[str]:
    """Run a compiler or binary tool; on failure say ``what`` failed, with its messages."""
    result = subprocess.run(list(command), capture_output=True, text=True)
    if result.returncode != 0 or result.stderr.strip():
        raise TinygenError(f"{what} failed:\n{(result.stderr or result.stdout)[-4000:]}")
    return result
