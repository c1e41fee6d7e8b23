"""Command line: argument parsing only; the stages do the work."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tinygen.errors import EXIT_MISMATCH, EXIT_USAGE, TinygenError

if TYPE_CHECKING:
    from tinygen.compiler import CompiledModel
    from tinygen.ir import Graph
    from tinygen.memory.planner import MemoryOptions
    from tinygen.quantize import QuantizeOptions

EXIT_INTERNAL = 70


def _progress(message: str) -> None:
    print(f"tinygen: {message}", file=sys.stderr, flush=True)


def _memory_options(args: argparse.Namespace) -> MemoryOptions:
    from tinygen.memory.planner import MemoryOptions

    return MemoryOptions(
        alignment=args.alignment, in_place=not args.no_in_place, reorder=not args.no_reorder
    )


def _compile(args: argparse.Namespace) -> CompiledModel:
    """The model ``args.model`` compiled; a float one quantized first with
    ``args.calibration`` when it is given (generate-library)."""
    from tinygen.codegen.c_values import library_name
    from tinygen.frontend.tflite import parse_tflite, read_tflite

    graph = read_tflite(args.model)
    if getattr(args, "calibration", None):
        from tinygen.quantize import quantize_graph

        quantized = quantize_graph(graph, Path(args.calibration), _quantize_options(args))
        print(quantized.report.table())
        graph = parse_tflite(quantized.model, f"{args.model}, quantized")
    return _compile_graph(args, graph, library_name(args.name, Path(args.model).stem))


def _compile_graph(args: argparse.Namespace, graph: Graph, name: str) -> CompiledModel:
    from tinygen.compiler import compile_graph
    from tinygen.memory.limits import make_limits

    limits = make_limits(getattr(args, "max_arena", None), getattr(args, "max_constants", None))
    return compile_graph(graph, name, _memory_options(args), progress=_progress, limits=limits)


def _quantize_options(args: argparse.Namespace, io: str = "int8") -> QuantizeOptions:
    from tinygen.quantize import QuantizeOptions

    return QuantizeOptions(io=io, per_channel_fc=args.per_channel_fc, ranges=args.ranges,
                           percentile=args.percentile)


def _generate_library(args: argparse.Namespace) -> int:
    from tinygen.memory.budget import check_budget, make_budget
    from tinygen.package.folder import check_output, write_library

    if Path(args.model).suffix.lower() == ".json":
        return _generate_impulse(args)
    if args.slices is not None:
        raise TinygenError("--slices is for an impulse.json (audio continuous mode), not a "
                           "model", EXIT_USAGE)
    budget = make_budget(args.ram, args.flash, args.target)
    inputs = [args.model, *([args.calibration] if args.calibration else [])]
    check_output(Path(args.output), force=args.force, inputs=inputs)  # before the work
    model = _compile(args)
    usage = model.usage()
    check_budget(usage, budget)  # over budget: exit 3 before anything is written
    write_library(model, Path(args.output), force=args.force, inputs=inputs)
    report = model.report()
    print(
        f"wrote {args.output}: library '{model.name}', {len(report['ops'])} operators, "
        f"arena {model.plan.arena_bytes:,} B (activation lower bound "
        f"{model.plan.lower_bound:,} B), constants {report['constant_bytes']:,} B, "
        f"RAM {usage.ram_bytes:,} B, flash {usage.flash_bytes:,} B (estimates)"
    )
    return 0


def _generate_impulse(args: argparse.Namespace) -> int:
    """generate-library on an impulse.json: DSP block + model + labels, a CMake project."""
    from tinygen.impulse.generate import build_impulse
    from tinygen.memory.budget import check_budget, make_budget
    from tinygen.package.folder import check_output
    from tinygen.package.impulse_folder import write_impulse

    budget = make_budget(args.ram, args.flash, args.target)
    config = Path(args.model)
    check_output(Path(args.output), force=args.force, inputs=[config])  # before the work

    def compile_model(graph: Graph, name: str) -> CompiledModel:
        return _compile_graph(args, graph, name)

    calibration = Path(args.calibration) if args.calibration else None
    impulse = build_impulse(config, args.name, compile_model, args.slices, calibration,
                            _quantize_options(args), _progress)
    if impulse.quantization is not None:
        print(impulse.quantization.report.table())
    check_budget(impulse.usage, budget)  # over budget: exit 3 before anything is written
    inputs = [config, impulse.config.model, *([calibration] if calibration else [])]
    write_impulse(impulse, Path(args.output), budget, force=args.force, inputs=inputs)
    layout, usage = impulse.layout, impulse.usage
    print(
        f"wrote {args.output}: impulse '{impulse.name}' ({impulse.config.kind}, "
        f"{impulse.config.block}, {len(impulse.config.labels)} labels), arena "
        f"{layout.arena_bytes:,} B shared by the model ({layout.model_arena:,} B) and the DSP "
        f"({layout.dsp_peak:,} B), RAM {usage.ram_bytes:,} B, flash {usage.flash_bytes:,} B "
        "(estimates)"
    )
    return 0


def _generate_dsp(args: argparse.Namespace) -> int:
    from tinygen.codegen.c_values import library_name
    from tinygen.dsp.blocks import generate_block, read_config
    from tinygen.package.dsp_folder import write_dsp_library
    from tinygen.package.folder import check_output

    config = Path(args.config)
    check_output(Path(args.output), force=args.force, inputs=[config])  # before the work
    doc = read_config(config)
    given, source = args.name, "--name"
    if given is None and isinstance(doc, dict) and doc.get("name") is not None:
        given, source = doc["name"], f'"name" in {config}'
    block = generate_block(doc, library_name(given, config.stem, source))
    write_dsp_library(block, Path(args.output), force=args.force, inputs=[config])
    print(
        f"wrote {args.output}: DSP block '{block.name}', {block.input_length:,} inputs -> "
        f"{block.output_length:,} features, working RAM {block.working_bytes:,} B, "
        f"constants {block.constant_bytes:,} B"
    )
    return 0


def _report(args: argparse.Namespace) -> int:
    from tinygen.memory.budget import check_budget, make_budget, usage_table
    from tinygen.report.operators import operator_table, plan_summary
    from tinygen.report.picture import plan_picture
    from tinygen.report.plan_svg import write_plan_svg

    budget = make_budget(args.ram, args.flash, args.target)
    model = _compile(args)
    picture = Path(args.picture or f"{model.name}-plan.svg")
    try:
        write_plan_svg(plan_picture(model), picture)
    except OSError as exc:
        raise TinygenError(f"{picture}: cannot write the picture ({exc.strerror})") from exc
    print(plan_summary(model))
    print()
    print(operator_table(model))
    print()
    print("device estimate" + (f" against {budget.target}" if budget and budget.target else ""))
    usage = model.usage()
    print(usage_table(usage, budget))
    print(f"\nmemory plan picture: {picture}")
    check_budget(usage, budget)
    return 0


def _verify(args: argparse.Namespace) -> int:
    from tinygen.verify.compare import VerifyResult, verify
    from tinygen.verify.inputs import load_inputs, random_inputs

    if args.runs < 0:
        raise TinygenError("--runs must be 0 or more")
    model = _compile(args)
    data = Path(args.model).read_bytes()
    if args.inputs:
        input_sets = load_inputs(model.graph, Path(args.inputs))
        total = len(input_sets)
    else:
        input_sets = list(random_inputs(model.graph, args.runs, args.seed))
        total = len(input_sets)

    def progress(done: int, result: VerifyResult) -> None:
        if sys.stderr.isatty() or done == total:
            end = "\n" if done == total else "\r"
            print(
                f"verify: {done}/{total} runs, {result.mismatched_runs} mismatched",
                end=end,
                file=sys.stderr,
                flush=True,
            )

    from tinygen.verify.probe import interpreter_failures

    failures = interpreter_failures(data, len(model.graph.inputs))
    result = verify(model, data, input_sets, progress, failures)
    for who, why in result.missing.items():
        print(f"{who} cannot run this model ({why}); judged against the other", file=sys.stderr)
    if result.tflm_disagreements:
        where = f", {result.parting.describe()}" if result.parting is not None else ""
        print(
            f"TFLite Micro disagrees with TensorFlow Lite's reference kernels on "
            f"{result.tflm_disagreements} of {result.runs} runs{where}; "
            "tinygen follows TensorFlow Lite (the README lists where and why)",
            file=sys.stderr,
        )
    if result.ok:
        judged = (
            "TFLite Micro's and TensorFlow Lite's"
            if not result.missing and result.tflm_disagreements == 0
            else f"{result.judge}'s"
        )
        print(f"{model.name}: {result.runs} runs, every output byte equal to {judged}")
        return 0
    print(
        f"{model.name}: {result.mismatched_runs} of {result.runs} runs differ from {result.judge}"
        + (
            f", the numpy reference differs on {result.reference_mismatches}"
            if result.reference_mismatches
            else ""
        ),
        file=sys.stderr,
    )
    if result.first_divergence is not None:
        print(result.first_divergence.describe(), file=sys.stderr)
    return EXIT_MISMATCH


def _quantize(args: argparse.Namespace) -> int:
    from tinygen.quantize import quantize_file, report_path

    options = _quantize_options(args, args.io)
    output = Path(args.output)
    report = Path(args.report) if args.report else report_path(output)
    if Path(args.model).suffix.lower() == ".json":
        from tinygen.impulse.quantized_model import quantize_impulse_file

        result = quantize_impulse_file(Path(args.model), Path(args.calibration), output,
                                       options, report, _progress)
    else:
        result = quantize_file(Path(args.model), Path(args.calibration), output, options,
                               report)
    print(result.report.table())
    print(
        f"wrote {output}: {len(result.graph.ops)} int8 operators, {len(result.model):,} bytes, "
        f"{args.io} inputs and outputs, ranges {args.ranges}; report {report}"
    )
    return 0


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


def build_parser() -> argparse.ArgumentParser:
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
    _memory_arguments(gen)
    gen.set_defaults(run=_generate_library)

    ver = sub.add_parser(
        "verify",
        help="compare the generated C with TFLite Micro and TensorFlow Lite, byte for byte",
    )
    ver.add_argument("model", help="int8 .tflite model")
    ver.add_argument("--inputs", help=".npy file of inputs (one, or a stack)")
    ver.add_argument("--runs", type=int, default=20, help="random input sets (default 20)")
    ver.add_argument("--seed", type=int, default=0, help="seed of the random inputs")
    ver.add_argument("--name", help=f"C prefix used while building, {_NAME_RULE}")
    _memory_arguments(ver)
    ver.set_defaults(run=_verify)

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
    dsp.set_defaults(run=_generate_dsp)

    rep = sub.add_parser(
        "report", help="memory plan and per-operator table of a model, with a plan picture"
    )
    rep.add_argument("model", help="int8 .tflite model")
    rep.add_argument("--name", help=f"C prefix, {_NAME_RULE} (default: {_STEM})")
    rep.add_argument("--picture", help="SVG file of the memory plan (default: NAME-plan.svg)")
    _budget_arguments(rep)
    _memory_arguments(rep)
    rep.set_defaults(run=_report)

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
    qua.set_defaults(run=_quantize)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except TinygenError as exc:
        print(f"tinygen: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("tinygen: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug in tinygen: say so in one line
        print(
            f"tinygen: internal error ({type(exc).__name__}: {exc}); please report it",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
