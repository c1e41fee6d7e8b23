"""Termination signals while an output folder is written: clean up first, then obey them.

Inside :class:`SignalGuard`, SIGINT, SIGTERM and SIGHUP raise :class:`Interrupted`
(so ``finally`` blocks remove the staging folder), except inside
:meth:`SignalGuard.deferred` sections (the swap of the old and new folder, the
clean-up), where they are remembered and raised at the section's end. When the
guard is left by such a signal, the handler that was installed before it gets the
signal: Python's SIGINT handler raises KeyboardInterrupt, the default action of
SIGTERM and SIGHUP ends the process by that signal, as it would have without the
guard, only later. SIGKILL cannot be caught; the staging folder it leaves is
removed by the next run (:mod:`tinygen.package.staging`).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType, TracebackType
from typing import Any

from tinygen.errors import TinygenError

SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Interrupted(BaseException):
    """A termination signal arrived while an output folder was written."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"signal {signum}")
        self.signum = signum


class SignalGuard:
    """Installs the handlers on entry (main thread only; elsewhere it does nothing)."""

    def __init__(self) -> None:
        self._previous: dict[int, Any] = {}
        self._depth = 0  # nesting of deferred sections
        self._pending: int | None = None

    def __enter__(self) -> SignalGuard:
        if threading.current_thread() is threading.main_thread():
            for signum in SIGNALS:
                previous = signal.getsignal(signum)
                if previous is signal.SIG_IGN or previous is None:
                    continue  # ignored (or set outside Python): leave it so
                self._previous[signum] = previous
                signal.signal(signum, self._handle)
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self._depth:
            self._pending = self._pending or signum
        else:
            raise Interrupted(signum)

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """A section that a signal does not interrupt; it is raised when the section ends."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
        if self._depth == 0 and self._pending is not None:
            signum, self._pending = self._pending, None
            raise Interrupted(signum)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        signum = error.signum if isinstance(error, Interrupted) else self._pending
        self._pending = None
        if signum is None or signum not in self._previous:
            return
        previous = self._previous[signum]
        if callable(previous):
            previous(signum, None)  # e.g. Python's SIGINT handler: KeyboardInterrupt
        else:
            signal.raise_signal(signum)  # the default action: the process ends by it
        # The earlier handler returned: the program goes on without the finished write.
        raise TinygenError(f"interrupted by signal {signum} while writing") from error
