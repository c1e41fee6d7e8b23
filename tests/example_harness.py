"""The examples' tests: a committed impulse generated, built with CMake, and its classify
program's output read back."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from tinygen.cli import main
from tinygen.impulse.generate import Impulse, build_impulse

#: The generated C compiles without a warning in the examples' builds too.
STRICT = "-DCMAKE_C_FLAGS=-Wall -Wextra -Werror -pedantic"


@dataclass(frozen=True)
class Built:
    impulse: Impulse
    out: Path  # the generated folder
    exe: Path  # its NAME_classify


def build_example(impulse_json: Path, folder: Path) -> Built:
    """``generate-library impulse_json`` into ``folder``/out, built in ``folder``/build."""
    out, build = folder / "out", folder / "build"
    assert main(["generate-library", str(impulse_json), "-o", str(out)]) == 0
    subprocess.run(["cmake", "-S", str(out), "-B", str(build), STRICT], check=True,
                   capture_output=True)
    subprocess.run(["cmake", "--build", str(build)], check=True, capture_output=True)
    impulse = build_impulse(impulse_json)
    exe = build / f"{impulse.name}_classify"
    assert exe.is_file()
    return Built(impulse, out, exe)


def classify(exe: Path, sample: Path) -> tuple[dict[str, float], str]:
    """The scores per label and the prediction ``NAME_classify`` prints for ``sample``."""
    result = subprocess.run([str(exe), str(sample)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("prediction: "), result.stdout
    scores = {}
    for line in lines[:-1]:
        label, _, value = line.rpartition(": ")
        scores[label] = float(value)
    return scores, lines[-1].removeprefix("prediction: ")
