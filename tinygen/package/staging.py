"""Staging folders beside an output folder, the swap into place, and recovery after a kill.

A run that writes ``OUT`` works in ``.OUT.tinygen-PID-XXXXXXXX`` beside it (PID: the
writing process), which holds

- ``.tinygen``: the staging marker (``tinygen staging of COMMAND``, ``pid``, ``host``),
  written first and removed last;
- ``new/``: the complete new ``OUT`` before it is moved into place;
- ``old/``: only between the two renames of the fallback swap, the previous ``OUT``.

The swap exchanges ``new`` and ``OUT`` in one ``renameat2(RENAME_EXCHANGE)`` (Linux 3.15+
on ext4, xfs, btrfs, tmpfs, ...): ``OUT`` is the complete old folder until that call and
the complete new one after it. Where the system cannot exchange, ``OUT`` is renamed to
``old`` and ``new`` to ``OUT``; a kill between these two renames leaves no ``OUT`` for
that moment and the complete previous one in ``old``, which :func:`recover` moves back.

:func:`recover` finishes what killed runs left: a staging folder whose marker names a
process of this host that no longer runs (or an empty one whose name does) is removed,
after its ``old`` is moved back to ``OUT`` if ``OUT`` is missing. Folders without the
marker are never removed, nor those of a live process (another run writing now).
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import re
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

#: The marker file, in every folder tinygen writes and in its staging folders.
MARKER = ".tinygen"
STAGING_TITLE = "tinygen staging of "

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
#: errno values by which renameat2 says the system or file system cannot exchange.
_CANNOT_EXCHANGE = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP}


def _staging_pattern(out: Path) -> re.Pattern[str]:
    return re.compile(re.escape(f".{out.name}.tinygen-") + r"(\d+)-[A-Za-z0-9_]+")


def _host() -> str:
    return socket.gethostname()


def write_file(path: Path, text: str) -> None:
    """``text`` as the new file ``path``, on the disk before this returns."""
    with open(path, "x", encoding="utf-8", newline="") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def sync_folder(path: Path) -> None:
    """Make the entries of folder ``path`` (new names, renames) durable."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def create(out: Path, command: str) -> Path:
    """A new staging folder for ``out`` (beside it) holding its marker."""
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tinygen-{os.getpid()}-", dir=out.parent))
    try:
        write_file(
            staging / MARKER,
            f"{STAGING_TITLE}{command}\npid {os.getpid()}\nhost {_host()}\n"
            "A tinygen run writes its output here first; a later run removes this folder "
            "once that process is gone.\n",
        )
    except BaseException:
        remove(staging)
        raise
    return staging


def write_files(root: Path, files: dict[str, str]) -> None:
    """``files`` (relative path → text) as the new folder ``root``, synced to the disk."""
    root.mkdir()
    for rel, text in files.items():
        if Path(rel).is_absolute() or ".." in Path(rel).parts:
            raise ValueError(f"{rel!r}: not a path inside the output folder")
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        write_file(path, text)
    for folder, _, _ in os.walk(root):
        sync_folder(Path(folder))


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    if sys.platform != "linux":
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def exchange(a: Path, b: Path) -> bool:
    """Swap the folders ``a`` and ``b`` in one step; False where the system cannot."""
    function = _renameat2()
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _CANNOT_EXCHANGE:
        return False
    raise OSError(code, os.strerror(code), str(b))


def swap_in(staging: Path, out: Path) -> None:
    """Put ``staging/new`` in place of ``out`` (a folder, or nothing)."""
    new = staging / "new"
    if not os.path.lexists(out):
        os.rename(new, out)
    elif not exchange(new, out):
        old = staging / "old"
        os.rename(out, old)
        try:
            os.rename(new, out)
        except BaseException:
            os.rename(old, out)
            raise
    sync_folder(out.parent)


def remove(staging: Path) -> None:
    """Delete a staging folder, its marker last (so that a kill leaves it recognisable)."""
    for entry in staging.iterdir():
        if entry.name == MARKER:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    marker = staging / MARKER
    if os.path.lexists(marker):
        marker.unlink()
    staging.rmdir()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's process, or no such number: not ours to judge
    return True


def _owner(staging: Path) -> tuple[int, str] | None:
    """(pid, host) that the staging marker names, or None without a valid marker."""
    marker = staging / MARKER
    if marker.is_symlink() or not marker.is_file():
        return None
    try:
        lines = marker.read_text(encoding="utf-8").splitlines()
        fields = dict(line.split(" ", 1) for line in lines[1:3])
        if not lines[0].startswith(STAGING_TITLE):
            return None
        return int(fields["pid"]), fields["host"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, IndexError):
        return None


def stale(out: Path) -> list[Path]:
    """Staging folders of ``out`` that killed runs left, newest first."""
    if not out.parent.is_dir():
        return []
    pattern = _staging_pattern(out)
    found = []
    for entry in out.parent.iterdir():
        match = pattern.fullmatch(entry.name)
        if not match or entry.is_symlink() or not entry.is_dir():
            continue
        pid = int(match.group(1))
        owner = _owner(entry)
        if owner is None:
            if not any(entry.iterdir()) and not _alive(pid):
                found.append(entry)  # killed before its marker was written, or after removal
        elif owner == (pid, _host()) and not _alive(pid):
            found.append(entry)
    return sorted(found, key=_mtime, reverse=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def recover(out: Path) -> None:
    """Move back a previous ``out`` that a killed run had moved aside; remove stale staging."""
    for staging in stale(out):
        old = staging / "old"
        try:
            if old.is_dir() and not old.is_symlink() and not os.path.lexists(out):
                os.rename(old, out)
                sync_folder(out.parent)
            remove(staging)
        except FileNotFoundError:
            continue  # another run recovered it at the same time
