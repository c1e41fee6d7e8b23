"""`tinygen generate-library` killed or interrupted while it writes: OUT is never half-written.

The library ``first`` is in OUT; a run that writes ``second`` over it is sent SIGKILL,
SIGTERM or SIGINT after random delays and just before each of its file operations in
OUT's parent. Afterwards OUT is exactly ``first`` or exactly ``second``; SIGTERM and
SIGINT also leave no staging folder, and after SIGKILL the next run removes it.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tf_models
from output_harness import staging_folders, tinygen, tinygen_signalled, tree

from tinygen.package import staging

#: Cue every STEP-th file operation for these signals, and each of the last TAIL (the
#: swap and the clean-up).
STEP = {signal.SIGKILL: 3, signal.SIGTERM: 4, signal.SIGINT: 5}
TAIL = 10


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict]:
    """The model, and the trees of the libraries ``first`` and ``second`` of it."""
    folder = tmp_path_factory.mktemp("versions")
    model = folder / "m.tflite"
    model.write_bytes(tf_models.dense_model())
    trees = []
    for name in ("first", "second"):
        result = tinygen(["generate-library", str(model), "-o", str(folder / name),
                          "--name", name])
        assert result.returncode == 0, result.stderr
        trees.append(tree(folder / name))
    return model, trees[0], trees[1]


def _setup(tmp_path: Path, model: Path) -> tuple[Path, list[str]]:
    """OUT holding ``first``; the arguments of the run that writes ``second``."""
    (tmp_path / "m.tflite").write_bytes(model.read_bytes())
    out = tmp_path / "out"
    result = tinygen(["generate-library", str(tmp_path / "m.tflite"), "-o", str(out),
                      "--name", "first"])
    assert result.returncode == 0, result.stderr
    return out, ["generate-library", str(tmp_path / "m.tflite"), "-o", str(out),
                 "--name", "second"]


def _finish(tmp_path: Path, args: list[str], second: dict) -> None:
    """A run to the end writes ``second`` and leaves beside OUT only what was there."""
    result = tinygen(args)
    assert result.returncode == 0, result.stderr
    assert tree(tmp_path / "out") == second
    assert sorted(os.listdir(tmp_path)) == ["m.tflite", "out"]


@pytest.mark.parametrize("signum", list(STEP), ids=lambda s: signal.Signals(s).name)
def test_signal_before_every_file_operation(
    versions: tuple[Path, dict, dict], tmp_path: Path, signum: int
) -> None:
    model, first, second = versions
    out, args = _setup(tmp_path, model)
    total = len(tinygen_signalled(args, tmp_path, cue=0)[1])  # count the operations
    assert total > 20
    _setup(tmp_path, model)
    results = set()
    tail = range(total - TAIL if signum == signal.SIGKILL else total, total + 1)
    for cue in sorted({*range(1, total + 1, STEP[signum]), *tail}):
        result, _ = tinygen_signalled(args, tmp_path, cue, signum)
        expected_code = {signal.SIGINT: 130}.get(signum, -signum)
        assert result.returncode == expected_code, (cue, result.returncode, result.stderr)
        assert "Traceback" not in result.stderr, result.stderr
        now = tree(out)
        assert now in (first, second), f"half-written OUT after {signum} at operation {cue}"
        results.add("second" if now == second else "first")
        if signum != signal.SIGKILL:
            assert staging_folders(tmp_path) == [], (cue, os.listdir(tmp_path))
        staging.recover(out)  # what the next run does first (so that the cues stay put)
        assert staging_folders(tmp_path) == [] and tree(out) == now
        if now == second:  # put the old library back for the next cue
            _setup(tmp_path, model)
    assert results == {"first", "second"}  # the cues reach both sides of the swap
    _finish(tmp_path, args, second)


def test_sigkill_in_the_two_rename_window_is_recovered(
    versions: tuple[Path, dict, dict], tmp_path: Path
) -> None:
    """Without the one-step exchange, a kill between moving the old OUT aside and moving
    the new one in leaves the complete old OUT in the staging folder; the next run puts
    it back first, even a run that fails."""
    model, first, second = versions
    out, args = _setup(tmp_path, model)
    _, events = tinygen_signalled(args, tmp_path, cue=0, fallback=True)
    renames = [i for i, (name, _) in enumerate(events, 1) if name == "os.rename"]
    assert len(renames) == 2 and events[renames[0] - 1][1] == str(out)
    _setup(tmp_path, model)
    result, _ = tinygen_signalled(args, tmp_path, renames[1], fallback=True)  # between them
    assert result.returncode == -signal.SIGKILL and not out.exists()
    (held,) = staging_folders(tmp_path)
    assert tree(tmp_path / held / "old") == first
    failed = tinygen(["generate-library", str(tmp_path / "none.tflite"), "-o", str(out)])
    assert failed.returncode == 2 and "no such file" in failed.stderr
    assert tree(out) == first and staging_folders(tmp_path) == []
    _finish(tmp_path, args, second)


def test_kills_after_random_delays(versions: tuple[Path, dict, dict], tmp_path: Path) -> None:
    model, first, second = versions
    out, args = _setup(tmp_path, model)
    start = time.monotonic()
    _finish(tmp_path, args, second)
    full = time.monotonic() - start
    _setup(tmp_path, model)
    rng = random.Random(20240611)
    for signum in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT) * 3:
        process = subprocess.Popen(
            [sys.executable, "-m", "tinygen", *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.3, 1.1) * full)
        process.send_signal(signum)
        process.communicate()
        assert tree(out) in (first, second), (signum, process.returncode)
        if signum != signal.SIGKILL:  # its own staging folder is gone (a SIGKILLed one's
            # stays until a run gets as far as removing it)
            mine = [p for p in staging_folders(tmp_path) if f".tinygen-{process.pid}-" in p]
            assert mine == [], (signum, process.returncode)
    _finish(tmp_path, args, second)
