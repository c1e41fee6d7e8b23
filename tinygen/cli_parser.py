"""The command line's arguments: every subcommand, its options and their help."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping

#: A subcommand: runs on the parsed arguments, returns the exit code.
Command = Callable[[argparse.Namespace], int]


def _range_arguments(parser: argparse.ArgumentParser) -> None:
    """How the quantization pass chooses its scales (quantize, generate-library)."""
    parser.add_argument(
        "--per-channel-fc", action="store_true",
        help="FULLY_CONNECTED weights per output channel (default: per tensor)",
    )
    parser.add_argument(
        "--ranges", choices=("minmax", "percentile", "mse"), default="minmax",
        help="activation ranges: calibrated min/max (default, as TensorFlow), a percentile of "
        "|values|, or the range of least mean squared quantization error",
    )
    parser.add_argument(
        "--percentile", type=float, default=99.99,
        help="percentile of |values| kept by --ranges percentile (default 99.99)",
    )


def _budget_arguments(parser: argparse.ArgumentParser) -> None:
    from tinygen.memory.budget import TARGETS

    group = parser.add_argument_group("device budget (over budget: exit code 3)")
    group.add_argument("--ram", help="RAM available to the library, e.g. 256K")
    group.add_argument("--flash", help="flash available to the library, e.g. 1M")
    group.add_argument(
        "--target",
        help="board preset: "
        + "; ".join(f"{t.name} = {t.board}" for t in TARGETS.values())
        + " (--ram/--flash override it)",
    )
    group.add_argument(
        "--max-arena",
        help="largest arena to accept, whatever the budget (default 256M; at most 2147483647 "
        "bytes, the 32-bit sizes of the generated C)",
    )
    group.add_argument(
        "--max-constants",
        help="largest constant data (weights, tables, parameter arrays) to accept "
        "(default 256M; at most 2147483647 bytes)",
    )


def _cpu_argument(parser: argparse.ArgumentParser) -> None:
    from tinygen.target.cpus import CPUS, DEFAULT_CPU

    parser.add_argument(
        "--optimize", choices=("speed", "size"), default="speed",
        help="speed (default): convolutions over 64 pixels or more keep their weights as "
        "int16 for the Arm DSP path (twice their flash; generation falls back to size when "
        "that exceeds the --flash or --target budget); size: every weight one byte",
    )
    parser.add_argument(
        "--cpu", choices=sorted(CPUS),
        help="the core the library is for: the flags of its cmake/arm-none-eabi.cmake and "
        "whether the kernels' Arm DSP-extension path runs (default: the --target preset's "
        f"core, else {DEFAULT_CPU}; generic: portable C, no toolchain file)",
    )


def _memory_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("memory planning")
    group.add_argument(
        "--alignment", type=int, default=16, choices=(4, 8, 16),
        help="byte alignment of every tensor in the arena (default 16)",
    )
    group.add_argument(
        "--no-in-place", action="store_true",
        help="give every tensor its own bytes (no aliases, in-place or overlapping operators)",
    )
    group.add_argument(
        "--no-reorder", action="store_true", help="keep the model's operator order"
    )


def _force_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force", action="store_true",
        help="replace the output folder even if tinygen did not write it (it has no .tinygen "
        "marker); never the current folder, your home folder, a folder holding either or "
        "one holding the input",
    )


_NAME_RULE = "used exactly as given: a C identifier of at most 63 characters"
_STEM = "the file stem made into one"


def build_parser(commands: Mapping[str, Command]) -> argparse.ArgumentParser:
    """The command line; ``commands`` runs each subcommand (tinygen.cli's)."""
    parser = argparse.ArgumentParser(
        prog="tinygen", description="Compile int8 TFLite models into dependency-free C99."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser(
        "generate-library",
        help="write a C library for a .tflite model, or a CMake project for an impulse.json",
    )
    gen.add_argument(
        "model",
        help="int8 .tflite model, or impulse.json: an input window, a DSP block, a model and "
        "its labels behind one classifier call (README: Impulses)",
    )
    gen.add_argument("-o", "--output", required=True, help="library folder to write")
    gen.add_argument(
        "--name",
        help=f"C prefix of the library, {_NAME_RULE} (default: {_STEM}; for an impulse, "
        'its "name")',
    )
    gen.add_argument(
        "--calibration", metavar="CAL",
        help="the model is a float one: quantize it first (as `tinygen quantize`) with CAL, a "
        ".npy/.npz of model inputs or, for an impulse.json, a folder of its WAV, CSV or image "
        "files run through its DSP block",
    )
    _range_arguments(gen)
    gen.add_argument(
        "--slices", type=int, metavar="N",
        help="audio impulses: continuous mode classifies the last window after every "
        "window/N samples (default 4; N must divide the window's samples; 0: no continuous "
        "mode, which saves its state's RAM)",
    )
    _force_argument(gen)
    _budget_arguments(gen)
    _cpu_argument(gen)
    _memory_arguments(gen)
    gen.set_defaults(run=commands["generate-library"])

    ver = sub.add_parser(
        "verify",
        help="compare the generated C with TFLite Micro and TensorFlow Lite, byte for byte",
    )
    ver.add_argument("model", help="int8 .tflite model")
    ver.add_argument("--inputs", help=".npy file of inputs (one, or a stack)")
    ver.add_argument("--runs", type=int, default=20, help="random input sets (default 20)")
    ver.add_argument("--seed", type=int, default=0, help="seed of the random inputs")
    ver.add_argument("--name", help=f"C prefix used while building, {_NAME_RULE}")
    ver.add_argument(
        "--portable", action="store_true",
        help="build the portable C loops (what cores without SIMD run) instead of the "
             "host's SSE2 ones",
    )
    _memory_arguments(ver)
    ver.set_defaults(run=commands["verify"])

    dsp = sub.add_parser(
        "generate-dsp", help="write the C of a DSP block (MFCC, MFE, spectrogram, ...) from JSON"
    )
    dsp.add_argument(
        "config",
        help='JSON: {"block": "mfcc", "sampling_freq": 16000, "input_length": 16000, '
        '"parameters": {...}} (see tinygen/dsp/blocks.py)',
    )
    dsp.add_argument("-o", "--output", required=True, help="folder to write")
    dsp.add_argument(
        "--name", help=f"C prefix, {_NAME_RULE} (default: the JSON's \"name\", or {_STEM})"
    )
    _force_argument(dsp)
    dsp.set_defaults(run=commands["generate-dsp"])

    rep = sub.add_parser(
        "report", help="memory plan and per-operator table of a model, with a plan picture"
    )
    rep.add_argument("model", help="int8 .tflite model")
    rep.add_argument("--name", help=f"C prefix, {_NAME_RULE} (default: {_STEM})")
    rep.add_argument("--picture", help="SVG file of the memory plan (default: NAME-plan.svg)")
    _budget_arguments(rep)
    _memory_arguments(rep)
    rep.set_defaults(run=commands["report"])

    qua = sub.add_parser(
        "quantize",
        help="quantize a float .tflite to int8 from calibration samples, with a per-layer report",
    )
    qua.add_argument(
        "model", help="float32 .tflite model, or an impulse.json whose model is a float one"
    )
    qua.add_argument(
        "--calibration", required=True,
        help=".npy of N samples of the input's shape (batch dimension optional); .npz for "
        "several inputs (keys: input names or arr_0, arr_1 ...); for an impulse.json also a "
        "folder of its WAV, CSV or image files, run through its DSP block",
    )
    qua.add_argument("-o", "--output", required=True, help="int8 .tflite file to write")
    qua.add_argument(
        "--io", choices=("int8", "float"), default="int8",
        help="int8 inputs and outputs (default), or float32 ones with QUANTIZE / DEQUANTIZE",
    )
    _range_arguments(qua)
    qua.add_argument(
        "--report", help="per-layer SQNR report, JSON (default: OUTPUT.report.json)"
    )
    qua.set_defaults(run=commands["quantize"])
    return parser
