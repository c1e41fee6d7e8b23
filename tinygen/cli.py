"""Command line: argument parsing only; the stages do the work."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tinygen.errors import EXIT_MISMATCH, TinygenError

if TYPE_CHECKING:
    from tinygen.compiler import CompiledModel
    from tinygen.memory.planner import MemoryOptions

EXIT_INTERNAL = 70


def _progress(message: str) -> None:
    print(f"tinygen: {message}", file=sys.stderr, flush=True)


def _memory_options(args: argparse.Namespace) -> MemoryOptions:
    from tinygen.memory.planner import MemoryOptions

    return MemoryOptions(
        alignment=args.alignment, in_place=not args.no_in_place, reorder=not args.no_reorder
    )


def _compile(args: argparse.Namespace) -> CompiledModel:
    from tinygen.compiler import compile_file

    return compile_file(args.model, args.name, _memory_options(args), progress=_progress)


def _generate_library(args: argparse.Namespace) -> int:
    from tinygen.memory.budget import check_budget, make_budget
    from tinygen.package.folder import write_library

    budget = make_budget(args.ram, args.flash, args.target)
    model = _compile(args)
    usage = model.usage()
    check_budget(usage, budget)  # over budget: exit 3 before anything is written
    write_library(model, Path(args.output))
    report = model.report()
    print(
        f"wrote {args.output}: library '{model.name}', {len(report['ops'])} operators, "
        f"arena {model.plan.arena_bytes:,} B (activation lower bound "
        f"{model.plan.lower_bound:,} B), constants {report['constant_bytes']:,} B, "
        f"RAM {usage.ram_bytes:,} B, flash {usage.flash_bytes:,} B (estimates)"
    )
    return 0


def _generate_dsp(args: argparse.Namespace) -> int:
    from tinygen.codegen.c_values import library_name
    from tinygen.dsp.blocks import generate_block, read_config
    from tinygen.package.dsp_folder import write_dsp_library

    config = Path(args.config)
    doc = read_config(config)
    given, source = args.name, "--name"
    if given is None and isinstance(doc, dict) and doc.get("name") is not None:
        given, source = doc["name"], f'"name" in {config}'
    block = generate_block(doc, library_name(given, config.stem, source))
    write_dsp_library(block, Path(args.output))
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


_NAME_RULE = "used exactly as given: a C identifier of at most 63 characters"
_STEM = "the file stem made into one"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tinygen", description="Compile int8 TFLite models into dependency-free C99."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate-library", help="write a C library for a .tflite model")
    gen.add_argument("model", help="int8 .tflite model")
    gen.add_argument("-o", "--output", required=True, help="library folder to write")
    gen.add_argument("--name", help=f"C prefix of the library, {_NAME_RULE} (default: {_STEM})")
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
