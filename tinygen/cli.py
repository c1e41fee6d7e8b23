"""Command line: argument parsing only; the stages do the work."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tinygen import cli_parser
from tinygen.cli_parser import Command
from tinygen.errors import EXIT_MISMATCH, EXIT_USAGE, TinygenError

if TYPE_CHECKING:
    from tinygen.compiler import CompiledModel
    from tinygen.ir import Graph
    from tinygen.memory.budget import Budget, Usage
    from tinygen.memory.planner import MemoryOptions
    from tinygen.quantize import QuantizeOptions
    from tinygen.target.cpus import Cpu

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
    elif args.command == "generate-library" and any(
        graph.tensors[t].dtype == "float32" for t in graph.inputs
    ):
        print("tinygen: a float model: compiling it in float32 (4 bytes an activation); "
              "give --calibration CAL to quantize it to int8 on the way", file=sys.stderr)
    return _compile_graph(args, graph, library_name(args.name, Path(args.model).stem))


def _compile_graph(args: argparse.Namespace, graph: Graph, name: str) -> CompiledModel:
    from tinygen.compiler import compile_graph
    from tinygen.memory.limits import make_limits

    limits = make_limits(getattr(args, "max_arena", None), getattr(args, "max_constants", None))
    return compile_graph(graph, name, _memory_options(args), progress=_progress, limits=limits,
                         optimize=getattr(args, "optimize", "speed"))


def _quantize_options(args: argparse.Namespace, io: str = "int8") -> QuantizeOptions:
    from tinygen.quantize import QuantizeOptions

    return QuantizeOptions(io=io, per_channel_fc=args.per_channel_fc, ranges=args.ranges,
                           percentile=args.percentile)


def _narrower_fits(args: argparse.Namespace, usage: Usage, budget: Budget | None) -> bool:
    """Over the flash budget with int16 weights (--optimize speed): switch ``args`` to
    --optimize size, whose one-byte weights may fit, and say so; whether it switched."""
    if (budget is None or budget.flash_bytes is None or usage.flash_bytes <= budget.flash_bytes
            or args.optimize != "speed"):
        return False
    print(f"flash {usage.flash_bytes:,} B is over the budget's {budget.flash_bytes:,} B with "
          "int16 convolution weights: generating with --optimize size (int8 weights)")
    args.optimize = "size"
    return True


def _cpu(args: argparse.Namespace) -> Cpu:
    """--cpu, else the --target preset's core, else the default."""
    from tinygen.memory.budget import TARGETS
    from tinygen.target.cpus import CPUS, DEFAULT_CPU

    if args.cpu:
        return CPUS[args.cpu]
    preset = TARGETS.get(args.target) if args.target else None
    return CPUS[preset.cpu if preset else DEFAULT_CPU]


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
    if _narrower_fits(args, usage, budget):
        model = _compile(args)
        usage = model.usage()
    check_budget(usage, budget)  # over budget: exit 3 before anything is written
    write_library(model, Path(args.output), force=args.force, inputs=inputs, cpu=_cpu(args))
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
    if _narrower_fits(args, impulse.usage, budget):
        impulse = build_impulse(config, args.name, compile_model, args.slices, calibration,
                                _quantize_options(args), _progress)
    if impulse.quantization is not None:
        print(impulse.quantization.report.table())
    check_budget(impulse.usage, budget)  # over budget: exit 3 before anything is written
    inputs = [config, impulse.config.model, *([calibration] if calibration else [])]
    write_impulse(impulse, Path(args.output), budget, force=args.force, inputs=inputs,
                  cpu=_cpu(args))
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
    result = verify(model, data, input_sets, progress, failures, portable=args.portable)
    for who, why in result.missing.items():
        print(f"{who} cannot run this model ({why}); judged against the other", file=sys.stderr)
    if result.tflm_disagreements:
        where = f", {result.parting.describe()}" if result.parting is not None else ""
        print(
            f"TFLite Micro disagrees with TensorFlow Lite's reference kernels on "
            f"{result.tflm_disagreements} of {result.runs} runs{where}; "
            + (f"tinygen follows TFLite Micro ({'; '.join(result.tflite_wrong)})"
               if result.tflite_wrong else
               "tinygen follows TensorFlow Lite (the README lists where and why)"),
            file=sys.stderr,
        )
    if result.ok:
        judged = (
            "TFLite Micro's and TensorFlow Lite's"
            if not result.missing and result.tflm_disagreements == 0
            else f"{result.judge}'s"
        )
        if result.floating:
            from tinygen.verify.tolerance import FLOAT_TOLERANCE

            print(
                f"{model.name}: {result.runs} runs, every output within {FLOAT_TOLERANCE:g} of "
                f"the largest magnitude of {judged} ({result.identical_runs} of {result.runs} "
                "bit for bit)"
            )
            return 0
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


COMMANDS: dict[str, Command] = {
    "generate-library": _generate_library,
    "verify": _verify,
    "generate-dsp": _generate_dsp,
    "report": _report,
    "quantize": _quantize,
}


def build_parser() -> argparse.ArgumentParser:
    return cli_parser.build_parser(COMMANDS)


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
