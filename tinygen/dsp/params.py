"""Checks shared by the blocks' parameter parsers: names, types, input geometry.

Parameter names are those of the Edge Impulse block's parameters.json with ``_`` for
``-`` (``scale_axes``); the hyphenated spelling is accepted as well.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from tinygen.errors import EXIT_USAGE, TinygenError

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def fail(block: str, message: str) -> None:
    raise TinygenError(f"{block} block: {message}", EXIT_USAGE)


def known_values(block: str, obj: object, known: Iterable[str]) -> dict:
    """``obj``'s items with ``-`` in names read as ``_``; an error names unknown ones."""
    if not isinstance(obj, dict):
        fail(block, f"the parameters must be a JSON object, got {type(obj).__name__}")
    known = list(known)
    values = {str(k).replace("-", "_"): v for k, v in obj.items()}
    unknown = sorted(str(k) for k in obj if str(k).replace("-", "_") not in known)
    if unknown:
        fail(block, f"unknown parameter {', '.join(map(repr, unknown))}; known: {', '.join(known)}")
    return values


def number(block: str, key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        fail(block, f"{key} must be a number, got {value!r}")
    if not math.isfinite(value):
        fail(block, f"{key} must be finite, got {value!r}")
    return float(value)


def integer(block: str, key: str, value: object) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        fail(block, f"{key} must be an integer, got {value!r}")
    return value


def boolean(block: str, key: str, value: object) -> bool:
    if not isinstance(value, bool):
        fail(block, f"{key} must be true or false, got {value!r}")
    return value


def choice(block: str, key: str, value: object, valid: tuple) -> object:
    if value not in valid:
        fail(block, f"{key} must be one of {', '.join(map(repr, valid))}, got {value!r}")
    return value


def check_name(block: str, name: str) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        fail(block, f"the block name must be a C identifier, got {name!r}")


def samples_per_axis(block: str, input_length: int, axes: int) -> int:
    """Samples of each axis in ``input_length`` interleaved values (at least one)."""
    if isinstance(axes, bool) or not isinstance(axes, int) or axes < 1:
        fail(block, f"axes must be a positive integer, got {axes!r}")
    if isinstance(input_length, bool) or not isinstance(input_length, int) or input_length < 1:
        fail(block, f"the input must hold at least one sample, got input_length {input_length!r}")
    if input_length % axes:
        fail(block, f"input_length {input_length} is not a multiple of the {axes} axes")
    return input_length // axes
