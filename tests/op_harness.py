"""The operator tests' check: a converted model through ``tinygen verify``, which must find
every output byte equal to TFLite Micro's and TensorFlow Lite's."""

from __future__ import annotations

from pathlib import Path

import pytest

from tinygen.cli import main

BOTH = "every output byte equal to TFLite Micro's and TensorFlow Lite's"


def assert_verified(data: bytes, path: Path, capsys: pytest.CaptureFixture[str],
                    runs: int = 12, seed: int = 0) -> None:
    """Write ``data`` to ``path`` and verify it against both interpreters."""
    path.write_bytes(data)
    capsys.readouterr()
    assert main(["verify", str(path), "--runs", str(runs), "--seed", str(seed)]) == 0
    out = capsys.readouterr().out
    assert BOTH in out, out
