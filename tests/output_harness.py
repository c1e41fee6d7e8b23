"""Helpers for the output-folder tests: snapshots of folders, and tinygen killed on cue."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

#: Run as ``python -c KILL_AT_EVENT N SIGNAL FALLBACK PARENT ARGS...``: tinygen's CLI, which
#: sends itself SIGNAL just before its N-th file system operation under PARENT (counted
#: from 1; N = 0 never) and lists those operations on stderr (``event I NAME PATH``).
#: FALLBACK 1 makes the swap use two renames (as where the system cannot exchange).
KILL_AT_EVENT = r"""
import os, runpy, sys
cue, signum, fallback = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
parent = os.path.realpath(sys.argv[4]) + os.sep
EVENTS = {"open", "os.mkdir", "os.rename", "os.remove", "os.rmdir", "os.unlink",
          "shutil.rmtree", "tempfile.mkdtemp", "os.scandir", "os.listdir"}
seen = 0

def hook(event, args):
    global seen
    if event in EVENTS and args and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.fsdecode(args[0])
        if os.path.realpath(path).startswith(parent) or path.startswith(parent):
            seen += 1
            print(f"event {seen} {event} {path}", file=sys.stderr, flush=True)
            if seen == cue:
                os.kill(os.getpid(), signum)

if fallback:
    import tinygen.package.staging as staging
    staging.exchange = lambda a, b: False
sys.addaudithook(hook)
sys.argv = ["tinygen", *sys.argv[5:]]
runpy.run_module("tinygen", run_name="__main__", alter_sys=True)
"""


def tree(root: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under ``root``, by relative path."""
    result: dict[str, bytes | None] = {}
    for folder, dirs, files in os.walk(root):
        base = Path(folder)
        for d in dirs:
            result[(base / d).relative_to(root).as_posix()] = None
        for f in files:
            result[(base / f).relative_to(root).as_posix()] = (base / f).read_bytes()
    return result


def tinygen(
    args: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m tinygen ARGS``."""
    return subprocess.run(
        [sys.executable, "-m", "tinygen", *args],
        capture_output=True, text=True, cwd=cwd, env=env,
    )


def tinygen_signalled(
    args: list[str], parent: Path, cue: int, signum: int = signal.SIGKILL, fallback: bool = False
) -> tuple[subprocess.CompletedProcess[str], list[tuple[str, str]]]:
    """tinygen ARGS sent ``signum`` before its ``cue``-th file operation under ``parent``;
    the process and the operations (name, path) it began, the cue's included."""
    result = subprocess.run(
        [sys.executable, "-c", KILL_AT_EVENT, str(cue), str(int(signum)), str(int(fallback)),
         str(parent), *args],
        capture_output=True, text=True,
    )
    events = [
        tuple(line.split(" ", 3)[2:])
        for line in result.stderr.splitlines() if line.startswith("event ")
    ]
    return result, events


def staging_folders(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".tinygen-" in p.name)
