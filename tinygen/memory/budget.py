"""RAM and flash budgets: what a generated library takes on the device against what the chip has.

RAM = arena + DSP working buffers + a stack estimate; flash = weights and
constant tables + kernel parameter structs + kernel code + the model's own
code. Kernel code and stack come from ``kernel_costs.json``, measured with
arm-none-eabi-gcc -Os for a Cortex-M4 by ``bench/kernel_sizes.py``.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tinygen.errors import EXIT_BUDGET, EXIT_USAGE, TinygenError

_COSTS = Path(__file__).with_name("kernel_costs.json")
#: Stack of the generated invoke/step functions around a kernel call, a measured-size margin.
CALL_STACK_BYTES = 64
#: Code of one generated step (a call with its arguments) and of the fixed entry points.
STEP_CODE_BYTES = 16
ENTRY_CODE_BYTES = 96


@dataclass(frozen=True)
class Target:
    name: str
    board: str
    ram_bytes: int
    flash_bytes: int
    cpu: str  # its core, a name of tinygen.target.cpus.CPUS (generate-library --cpu)


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target("nano33ble", "Arduino Nano 33 BLE Sense (nRF52840)", 256 * 1024, 1024 * 1024,
               "cortex-m4"),
        Target("nicla-vision", "Arduino Nicla Vision (STM32H747, M7 core)", 1024 * 1024,
               2048 * 1024, "cortex-m7"),
        Target("pico", "Raspberry Pi Pico (RP2040)", 264 * 1024, 2048 * 1024, "cortex-m0plus"),
        Target("esp32", "ESP32 (320 KB data RAM, 4 MB flash module)", 320 * 1024, 4096 * 1024,
               "generic"),
        Target("cortex-m4", "generic Cortex-M4", 128 * 1024, 512 * 1024, "cortex-m4"),
    )
}

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)[iI]?[bB]?\s*$")


def parse_size(text: str, option: str) -> int:
    """Bytes in '262144', '256K', '1M' or '1.5M' (K = 1024)."""
    match = _SIZE.match(text)
    if not match:
        raise TinygenError(
            f"{option} {text!r} is not a size: write bytes, or a number with K or M "
            "(e.g. 256K, 1M)",
            EXIT_USAGE,
        )
    factor = {"": 1, "k": 1024, "m": 1024 * 1024}[match.group(2).lower()]
    return int(float(match.group(1)) * factor)


@dataclass(frozen=True)
class Budget:
    ram_bytes: int | None = None
    flash_bytes: int | None = None
    target: str = ""  # board name, when the limits come from a preset


def make_budget(ram: str | None, flash: str | None, target: str | None) -> Budget | None:
    """Budget from ``--ram``, ``--flash`` and ``--target`` (explicit limits override the preset)."""
    budget = Budget()
    if target:
        preset = TARGETS.get(target)
        if preset is None:
            raise TinygenError(
                f"unknown target {target!r}; known targets: " + ", ".join(sorted(TARGETS)),
                EXIT_USAGE,
            )
        budget = Budget(preset.ram_bytes, preset.flash_bytes, preset.board)
    if ram:
        budget = dataclasses.replace(budget, ram_bytes=parse_size(ram, "--ram"))
    if flash:
        budget = dataclasses.replace(budget, flash_bytes=parse_size(flash, "--flash"))
    if budget.ram_bytes is None and budget.flash_bytes is None:
        return None
    return budget


@cache
def _measured() -> dict[str, dict[str, dict[str, int]]]:
    return json.loads(_COSTS.read_text())


def kernel_costs() -> dict[str, dict[str, int]]:
    """Code and stack bytes of each inference kernel (runtime_c/kernels/), by file stem."""
    return _measured()["kernels"]


def dsp_costs() -> dict[str, dict[str, int]]:
    """Code and stack bytes of each DSP source (runtime_c/dsp/), by file stem."""
    return _measured()["dsp"]


def _code_and_stack(
    costs: dict[str, dict[str, int]], parts: Iterable[str], what: str
) -> tuple[int, int]:
    """Code bytes of ``parts`` together, and the stack of the deepest one plus a call's."""
    parts = list(parts)
    unknown = [p for p in parts if p not in costs]
    if unknown:
        raise TinygenError(f"no measured size for {what} {unknown} (run bench/kernel_sizes.py)")
    code = sum(costs[p]["code_bytes"] for p in parts)
    stack = max((costs[p]["stack_bytes"] for p in parts), default=0) + CALL_STACK_BYTES
    return code, stack


def kernel_code_and_stack(kernels: Iterable[str]) -> tuple[int, int]:
    """Code bytes and stack estimate of the inference kernels ``kernels`` (``tg_*``)."""
    return _code_and_stack(kernel_costs(), kernels, "kernels")


def dsp_code_and_stack(sources: Iterable[str]) -> tuple[int, int]:
    """Code bytes and stack estimate of the DSP runtime files ``sources`` (``tg_*.c``)."""
    return _code_and_stack(dsp_costs(), (Path(s).stem for s in sources), "DSP sources")


@dataclass(frozen=True)
class Usage:
    ram: tuple[tuple[str, int], ...]
    flash: tuple[tuple[str, int], ...]

    @property
    def ram_bytes(self) -> int:
        return sum(v for _, v in self.ram)

    @property
    def flash_bytes(self) -> int:
        return sum(v for _, v in self.flash)


def estimate_usage(
    arena_bytes: int,
    constant_bytes: int,
    params_bytes: int,
    kernels: list[str],
    steps: int,
    dsp_bytes: int = 0,
    state_bytes: int = 0,
) -> Usage:
    """What the library takes; ``kernels`` are the C functions it links (``tg_*``);
    ``state_bytes``: the recurrent layers' persistent state beside the arena."""
    code, stack = kernel_code_and_stack(kernels)
    plural = "" if len(kernels) == 1 else "s"
    ram = [("arena", arena_bytes), ("DSP buffers", dsp_bytes), ("stack (estimate)", stack)]
    if state_bytes:
        ram.insert(1, ("recurrent state", state_bytes))
    flash = [
        ("weights and tables", constant_bytes),
        ("kernel parameters", params_bytes),
        (f"kernel code ({len(kernels)} kernel{plural}, Cortex-M4 -Os)", code),
        ("model code (estimate)", ENTRY_CODE_BYTES + STEP_CODE_BYTES * steps),
    ]
    return Usage(tuple(ram), tuple(flash))


def usage_table(usage: Usage, budget: Budget | None) -> str:
    """A readable table of RAM and flash use, with the budget and the margin or excess."""
    lines = []
    for title, rows, total, limit in (
        ("RAM", usage.ram, usage.ram_bytes, budget.ram_bytes if budget else None),
        ("flash", usage.flash, usage.flash_bytes, budget.flash_bytes if budget else None),
    ):
        lines.append(f"  {title}")
        lines += [f"    {name:44s} {value:>11,} B" for name, value in rows]
        verdict = ""
        if limit is not None:
            margin = limit - total
            verdict = (
                f"   budget {limit:,} B: {margin:,} B free"
                if margin >= 0
                else f"   budget {limit:,} B: OVER by {-margin:,} B"
            )
        lines.append(f"    {'total':44s} {total:>11,} B{verdict}")
    return "\n".join(lines)


def check_budget(usage: Usage, budget: Budget | None) -> None:
    """Raise (exit code 3) with the table when the library does not fit."""
    if budget is None:
        return
    over = [
        what
        for what, total, limit in (
            ("RAM", usage.ram_bytes, budget.ram_bytes),
            ("flash", usage.flash_bytes, budget.flash_bytes),
        )
        if limit is not None and total > limit
    ]
    if over:
        where = f" of {budget.target}" if budget.target else ""
        raise TinygenError(
            f"the library does not fit the {' and '.join(over)} budget{where}; "
            "nothing was written\n" + usage_table(usage, budget),
            EXIT_BUDGET,
        )
