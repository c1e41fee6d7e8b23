"""The error every DSP block raises for a parameter or an input it cannot take."""

from __future__ import annotations

from typing import NoReturn

from tinygen.errors import EXIT_USAGE, TinygenError


def fail(block: str, message: str) -> NoReturn:
    """Raise the usage error ``"<block> block: <message>"`` (exit code 2)."""
    raise TinygenError(f"{block} block: {message}", EXIT_USAGE)
