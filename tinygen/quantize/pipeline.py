"""The quantization pass end to end: float .tflite + calibration samples → int8 .tflite + report.

read → canonicalize (static shapes, folded shape operators) → check every operator →
load and check the calibration samples → run the float graph on them → choose ranges →
quantize tensors → write. Every check happens before anything is written; the model and
its report are written to temporary files beside their destinations and renamed into
place, so an error leaves both untouched.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinygen.errors import TinygenError
from tinygen.frontend.tflite import parse_tflite, read_tflite
from tinygen.frontend.tflite_writer import write_tflite
from tinygen.ir import Graph
from tinygen.lowering import lower_graph
from tinygen.passes.canonicalize import canonicalize
from tinygen.quantize.build import BuildOptions, build_int8_graph
from tinygen.quantize.calibrate import collect_stats, load_calibration
from tinygen.quantize.ranges import METHODS
from tinygen.quantize.report import QuantizationReport, build_report
from tinygen.quantize.rules import check_quantizable
from tinygen.quantize.scales import plan_quantization

IO_TYPES = ("int8", "float")
#: Calibration samples computed for a canonical float graph (checked, one array per input).
Samples = Callable[[Graph], list[np.ndarray]]


@dataclass(frozen=True)
class QuantizeOptions:
    io: str = "int8"  # "int8": int8 inputs and outputs; "float": QUANTIZE / DEQUANTIZE edges
    per_channel_fc: bool = False
    ranges: str = "minmax"
    percentile: float = 99.99

    def check(self) -> None:
        if self.io not in IO_TYPES:
            raise TinygenError(f"--io must be one of {', '.join(IO_TYPES)}, not '{self.io}'")
        if self.ranges not in METHODS:
            raise TinygenError(
                f"--ranges must be one of {', '.join(METHODS)}, not '{self.ranges}'"
            )
        if not 50.0 < self.percentile <= 100.0:
            raise TinygenError(
                f"--percentile must be above 50 and at most 100 (it is {self.percentile}); "
                "99.99 keeps all but the largest 0.01 % of |values|"
            )


@dataclass(frozen=True)
class Quantized:
    float_graph: Graph  # canonical
    graph: Graph  # int8
    model: bytes
    report: QuantizationReport


def quantize_graph(
    graph: Graph, calibration: Path | Samples, options: QuantizeOptions
) -> Quantized:
    """Quantize a float graph as read from a file, with the samples in ``calibration``
    (a .npy/.npz file, or a function of the canonical graph giving one array per input,
    checked as a file's would be)."""
    options.check()
    canonical, _ = canonicalize(graph)
    check_quantizable(canonical)
    samples = (load_calibration(calibration, canonical) if isinstance(calibration, Path)
               else calibration(canonical))
    stats = collect_stats(canonical, samples)
    plan = plan_quantization(canonical, stats, options.ranges, options.percentile)
    build = BuildOptions(float_io=options.io == "float", per_channel_fc=options.per_channel_fc)
    int8 = build_int8_graph(canonical, plan, build)
    try:
        calls = lower_graph(int8)
    except TinygenError as exc:
        raise TinygenError(f"cannot quantize this model: the int8 model would not compile: "
                           f"{exc}") from exc
    model = write_tflite(int8)
    parse_tflite(model, "the written int8 model")  # what was written reads back
    report = build_report(canonical, int8, samples, options.ranges, calls)
    return Quantized(canonical, int8, model, report)


def report_path(output: Path) -> Path:
    """Where the report goes without ``--report``: ``OUTPUT.report.json``."""
    return output.with_name(output.name + ".report.json")


def _check_paths(model: Path, output: Path, report: Path) -> None:
    folder = output.parent
    if not folder.is_dir():
        raise TinygenError(f"{output}: the folder {folder} does not exist")
    if output.is_dir():
        raise TinygenError(f"{output}: is a folder; give the .tflite file to write")
    if model.exists() and output.exists() and os.path.samefile(model, output):
        raise TinygenError(f"{output}: is the float model itself; write the int8 model elsewhere")
    if report.resolve() == output.resolve():
        raise TinygenError(f"{report}: the report would overwrite the int8 model")
    if report.is_dir() or not report.parent.is_dir():
        raise TinygenError(f"{report}: cannot write the report there")


def _staged(path: Path, data: bytes) -> Path:
    """``data`` in a new file beside ``path``, with the permissions the umask gives."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(name, 0o666 & ~umask)
    except OSError as exc:
        Path(name).unlink(missing_ok=True)
        raise TinygenError(f"{path}: cannot write ({exc.strerror})") from exc
    return Path(name)


def quantize_file(
    model: Path,
    calibration: Path,
    output: Path,
    options: QuantizeOptions,
    report: Path | None = None,
) -> Quantized:
    """Quantize ``model`` into ``output`` and write the report (``OUTPUT.report.json``)."""
    return write_quantized(
        model, output, report, lambda: quantize_graph(read_tflite(model), calibration, options)
    )


def write_quantized(
    model: Path, output: Path, report: Path | None, quantize: Callable[[], Quantized]
) -> Quantized:
    """``quantize()``'s model written to ``output`` and its report to ``report`` (default
    ``OUTPUT.report.json``), both or neither; the paths are checked before it runs."""
    report = report or report_path(output)
    _check_paths(model, output, report)
    result = quantize()
    document = json.dumps(
        {"model": str(model), "output": str(output), **result.report.to_json()}, indent=1
    )
    staged = [(_staged(output, result.model), output)]
    try:
        staged.append((_staged(report, document.encode()), report))
        for temp, final in staged:
            os.replace(temp, final)
    except (OSError, TinygenError) as exc:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        if isinstance(exc, TinygenError):
            raise
        raise TinygenError(f"{output}: cannot write ({exc.strerror})") from exc
    return result
