"""The one exception type users see.

Every error a user can cause (bad file, unsupported model, budget exceeded) is a
``TinygenError`` carrying a sentence they can act on and the exit code the CLI
returns. Anything else escaping the compiler is a bug in tinygen.
"""

from __future__ import annotations

EXIT_USAGE = 2
EXIT_BUDGET = 3
EXIT_MISMATCH = 1


class TinygenError(Exception):
    """An error with an actionable message and a process exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


def quoted(text: str, limit: int = 60) -> str:
    """``text`` from a model (a tensor name) for an error message: quoted, on one line of
    printable ASCII (other characters escaped), cut to ``limit`` characters."""
    return ascii(text if len(text) <= limit else text[:limit] + "...")
