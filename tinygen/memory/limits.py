"""What the generated C can hold: 32-bit sizes, and the largest arena and constants allowed.

Every size, offset, index and loop bound the generated C uses is an ``int32_t`` (the
parameter structs of ``runtime_c/include/tg_kernels.h``, arena offsets, array lengths).
tinygen computes them with Python integers and checks them here before any C is
emitted. ``Limits`` bounds the arena and the constant data (weights, tables, parameter
arrays) further, by default to 256 MiB each, which a 32-bit target can address: a model
over a maximum is refused (exit code 3) before it is planned or written.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from tinygen.errors import EXIT_BUDGET, TinygenError, quoted
from tinygen.ir import NO_TENSOR, Graph
from tinygen.lowering.call import KernelCall
from tinygen.memory.budget import parse_size

INT32_MIN = -(1 << 31)
INT32_MAX = (1 << 31) - 1
DEFAULT_MAX_ARENA = 256 << 20
DEFAULT_MAX_CONSTANTS = 256 << 20


@dataclass(frozen=True)
class Limits:
    max_arena: int = DEFAULT_MAX_ARENA  # bytes
    max_constants: int = DEFAULT_MAX_CONSTANTS  # bytes of const data in flash

    def __post_init__(self) -> None:
        for option, value in (("--max-arena", self.max_arena),
                              ("--max-constants", self.max_constants)):  # fmt: skip
            if not 1 <= value <= INT32_MAX:
                raise TinygenError(
                    f"{option} {value:,} is outside 1 ... {INT32_MAX:,} bytes: the generated "
                    "C's sizes and offsets are 32-bit"
                )


def make_limits(max_arena: str | None, max_constants: str | None) -> Limits:
    """Limits from ``--max-arena`` and ``--max-constants`` (bytes, or a number with K or M)."""
    limits = Limits()
    if max_arena:
        limits = dataclasses.replace(limits, max_arena=parse_size(max_arena, "--max-arena"))
    if max_constants:
        limits = dataclasses.replace(
            limits, max_constants=parse_size(max_constants, "--max-constants")
        )
    return limits


def _over(what: str, need: int, option: str, limit: int) -> TinygenError:
    return TinygenError(
        f"{what} needs {need:,} bytes, more than {option} allows ({limit:,} bytes); "
        f"nothing was written (raise {option}, at most {INT32_MAX:,}, if the target has room)",
        EXIT_BUDGET,
    )


def _fits(value: Any) -> bool:
    if isinstance(value, float | np.floating):
        return math.isfinite(float(value))
    return INT32_MIN <= int(value) <= INT32_MAX


def check_parameters(graph: Graph, calls: list[KernelCall]) -> None:
    """Every parameter of every kernel call fits its C type (``int32_t``, float, double)."""
    for index, call in enumerate(calls):
        if call.params is None:
            continue
        for field in dataclasses.fields(call.params):
            value = getattr(call.params, field.name)
            if isinstance(value, np.ndarray):
                values = value.reshape(-1)
                bad = values.size > INT32_MAX or (
                    values.dtype.kind == "f" and not bool(np.all(np.isfinite(values)))
                )
                shown = f"an array of {values.size:,} {values.dtype} values"
            else:
                items = value if isinstance(value, tuple) else (value,)
                bad = not all(_fits(v) for v in items)
                shown = str(value)
            if bad:
                op = graph.ops[index]
                raise TinygenError(
                    f"operator {index} ({op.kind}): its kernel parameter {field.name} = "
                    f"{shown} does not fit the C kernel's 32-bit field; the model's shapes "
                    "or options are out of range"
                )


def check_sizes(graph: Graph, calls: list[KernelCall], limits: Limits) -> None:
    """Each arena tensor below the arena maximum, the constants below theirs (before planning)."""
    for t in graph.activation_tensors():
        tensor = graph.tensors[t]
        if tensor.nbytes > INT32_MAX:
            raise TinygenError(
                f"tensor {t} {quoted(tensor.name)} of shape {list(tensor.shape)} takes "
                f"{tensor.nbytes:,} bytes, more than the generated C's 32-bit sizes hold"
            )
        if tensor.nbytes > limits.max_arena:
            raise _over(f"tensor {t} {quoted(tensor.name)} alone", tensor.nbytes, "--max-arena",
                        limits.max_arena)  # fmt: skip
    constants = {t for call in calls for t in call.inputs if t != NO_TENSOR}
    total = sum(int(d.nbytes) for t in constants if (d := graph.tensors[t].data) is not None)
    for call in calls:
        if call.params is not None:
            total += sum(
                v.nbytes for f in dataclasses.fields(call.params)
                if isinstance(v := getattr(call.params, f.name), np.ndarray)
            )  # fmt: skip
    if total > limits.max_constants:
        raise _over("the model's constant data", total, "--max-constants", limits.max_constants)


def check_arena(arena_bytes: int, limits: Limits) -> None:
    if arena_bytes > limits.max_arena:
        raise _over("the arena", arena_bytes, "--max-arena", limits.max_arena)
