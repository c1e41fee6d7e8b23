"""Command line: argument parsing only; the stages do the work."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tinygen.errors import EXIT_MISMATCH, TinygenError

EXIT_INTERNAL = 70


def _generate_library(args: argparse.Namespace) -> int:
    from tinygen.compiler import compile_file
    from tinygen.package.folder import write_library

    model = compile_file(args.model, args.name)
    write_library(model, Path(args.output))
    report = model.report()
    print(
        f"wrote {args.output}: library '{model.name}', {len(report['ops'])} operators, "
        f"arena {report['arena_bytes']:,} bytes, constants {report['constant_bytes']:,} bytes"
    )
    return 0


def _verify(args: argparse.Namespace) -> int:
    from tinygen.compiler import compile_file
    from tinygen.verify.compare import VerifyResult, verify
    from tinygen.verify.inputs import load_inputs, random_inputs

    if args.runs < 0:
        raise TinygenError("--runs must be 0 or more")
    model = compile_file(args.model, args.name)
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

    result = verify(model, data, input_sets, progress)
    if result.ok:
        print(f"{model.name}: {result.runs} runs, every output byte equal to TFLite Micro's")
        return 0
    print(
        f"{model.name}: {result.mismatched_runs} of {result.runs} runs differ from TFLite Micro"
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tinygen", description="Compile int8 TFLite models into dependency-free C99."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate-library", help="write a C library for a .tflite model")
    gen.add_argument("model", help="int8 .tflite model")
    gen.add_argument("-o", "--output", required=True, help="library folder to write")
    gen.add_argument("--name", help="C prefix of the library (default: the model's file stem)")
    gen.set_defaults(run=_generate_library)

    ver = sub.add_parser("verify", help="compare the generated C with TFLite Micro, byte for byte")
    ver.add_argument("model", help="int8 .tflite model")
    ver.add_argument("--inputs", help=".npy file of inputs (one, or a stack)")
    ver.add_argument("--runs", type=int, default=20, help="random input sets (default 20)")
    ver.add_argument("--seed", type=int, default=0, help="seed of the random inputs")
    ver.add_argument("--name", help="C prefix used while building")
    ver.set_defaults(run=_verify)
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
