"""Run mutated models through tinygen in worker processes and judge every outcome.

Each case runs ``generate-library`` and ``report`` in-process through ``tinygen.cli.main``
inside a worker process (a hang or a crash takes down only that worker, which is
replaced). Acceptable outcomes: exit 0 (compiled: the library is written), exit 2 with
one ``tinygen: error: ...`` line, exit 3 (over a budget or maximum; nothing written).
Anything else is a finding: an internal error (exit 70, with the traceback), another exit
code, a Python warning, stray output on stderr, a library written on failure, a hang, a
worker that dies.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import shutil
import tempfile
import time
import traceback
import warnings
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

import fuzz_mutants

COMMANDS = ("generate-library", "report")
#: ``report`` runs with maxima that some seed models (vww, resnet, ad01) exceed.
REPORT_LIMITS = ("--max-arena", "16K", "--max-constants", "64K")
#: Extra address space a worker may take (a runaway allocation fails instead of the machine).
WORKER_MEMORY = 4 << 30


@dataclass(frozen=True)
class Seed:
    name: str
    data: bytes


@dataclass(frozen=True)
class Case:
    number: int
    seed: str
    kind: str
    data: bytes
    what: str  # the mutation, in words


@dataclass
class Outcome:
    command: str
    code: int
    message: str  # the last line of stderr
    seconds: float
    problem: str | None = None
    detail: str = ""  # traceback of an internal error


@dataclass
class Result:
    case: Case
    outcomes: list[Outcome] = field(default_factory=list)
    problem: str | None = None  # hang or crash of the worker

    @property
    def problems(self) -> list[str]:
        found = [f"{o.command}: {o.problem}" for o in self.outcomes if o.problem]
        return ([self.problem] if self.problem else []) + found

    @property
    def verdict(self) -> str:
        """'failure', or the exit code of generate-library ('0', '2', '3')."""
        if self.problems:
            return "failure"
        return str(self.outcomes[0].code)


def built_seeds() -> list[Seed]:
    """Small models made by TensorFlow's converter, so the fuzz needs no ../shared."""
    import tf_models

    return [
        Seed("dense", tf_models.dense_model()),
        Seed("zoo", tf_models.zoo_model()),
        Seed("dead_relu_softmax", tf_models.dead_relu_softmax_model()),
    ]


def shared_seeds(shared: Path) -> list[Seed]:
    names = ("hello_world_int8", "kws_ref_model", "ad01_int8", "str_ww_ref_model",
             "pretrainedResnet_quant", "vww_96_int8")  # fmt: skip
    return [Seed(n, (shared / "models" / f"{n}.tflite").read_bytes()) for n in names]


def make_cases(
    seeds: list[Seed],
    plan: dict[str, int],
    kinds: Iterable[str],
    seed: int,
    numbers: Container[int] | None = None,
) -> Iterator[Case]:
    """``plan[name]`` cases of every kind for each seed model, interleaved, numbered from 0
    (only those in ``numbers``, when given)."""
    by_name = {s.name: s for s in seeds}
    kinds = list(kinds)
    jobs = [(name, kind) for name in plan for kind in kinds]
    rounds = max(plan.values(), default=0)
    number = 0
    for r in range(rounds):
        for name, kind in jobs:
            if r >= plan[name]:
                continue
            if numbers is None or number in numbers:
                data, what = fuzz_mutants.mutate(by_name[name].data, kind, seed, number)
                yield Case(number, name, kind, data, what)
            number += 1


def _judge(command: str, code: int, stderr: str, written: bool, warned: list[str]) -> str | None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [i for i, line in enumerate(lines) if line.startswith("tinygen: error:")]
    if warned:
        return "Python warning: " + warned[0]
    if code == 0:
        if errors:
            return "exit 0 with an error message"
        return None if written else "exit 0 but nothing written"
    if written:
        return f"exit {code} but the output was written"
    if code == 2:
        if len(errors) != 1 or errors[0] != len(lines) - 1:
            return "exit 2 without exactly one final 'tinygen: error:' line"
        stray = [line for line in lines if not line.startswith("tinygen: ")]
        return f"stray stderr line {stray[0][:80]!r}" if stray else None
    if code == 3:
        before = lines[: errors[0]] if errors else lines
        clean = errors and all(line.startswith("tinygen: ") for line in before)
        return None if clean else "exit 3 without a 'tinygen: error:' before the table"
    return f"exit {code}: {lines[-1] if lines else ''}"


def _traceback(argv: list[str]) -> str:
    from tinygen.cli import build_parser

    args = build_parser().parse_args(argv)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            args.run(args)
    except Exception:
        return traceback.format_exc()
    return ""


def run_command(command: str, model: Path, work: Path) -> Outcome:
    from tinygen.cli import main

    if command == "generate-library":
        target = work / "out"
        argv = [command, str(model), "-o", str(target)]
    else:  # with maxima that large mutants exceed: exit 3 must be clean too
        target = work / "plan.svg"
        argv = [command, str(model), "--picture", str(target), *REPORT_LIMITS]
    err = io.StringIO()
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except BaseException as exc:  # main itself must never raise
                code = -1
                print(f"main raised {type(exc).__name__}: {exc}", file=err)
    seconds = time.perf_counter() - start
    text = err.getvalue()
    leftovers = [p.name for p in work.iterdir() if p.name.startswith(".out.")]
    warned = [f"{w.category.__name__}: {w.message}" for w in caught]
    problem = _judge(command, code, text, target.exists(), warned)
    if leftovers and problem is None:
        problem = f"staging folder left behind: {leftovers[0]}"
    lines = text.strip().splitlines()
    detail = _traceback(argv) if code == 70 else ""
    return Outcome(command, code, lines[-1] if lines else "", seconds, problem, detail)


def run_case(case: Case, root: Path) -> Result:
    work = Path(tempfile.mkdtemp(prefix=f"case{case.number}-", dir=root))
    try:
        model = work / "model.tflite"
        model.write_bytes(case.data)
        return Result(case, [run_command(c, model, work) for c in COMMANDS])
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _limit_memory() -> None:
    import resource

    pages = int(Path("/proc/self/statm").read_text().split()[0])
    limit = pages * os.sysconf("SC_PAGE_SIZE") + WORKER_MEMORY
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _worker(conn: Connection) -> None:
    import tinygen.cli
    import tinygen.compiler
    import tinygen.package.folder
    import tinygen.report.plan_svg

    del tinygen  # imported for their modules, before the address space is limited

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    _limit_memory()
    root = Path(tempfile.mkdtemp(prefix="tinygen-fuzz-"))
    try:
        while True:
            case = conn.recv()
            if case is None:
                return
            conn.send(run_case(case, root))
    finally:
        shutil.rmtree(root, ignore_errors=True)


class _Slot:
    def __init__(self, context: Any) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child,), daemon=True)
        self.process.start()
        child.close()
        self.case: Case | None = None
        self.started = 0.0
        self.done = 0

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            with contextlib.suppress(OSError):
                self.conn.send(None)
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def run_cases(
    cases: Iterable[Case], jobs: int = 2, timeout: float = 60.0, recycle: int = 400
) -> Iterator[Result]:
    """Results of ``cases`` (in completion order) from ``jobs`` worker processes.

    A case that runs longer than ``timeout`` seconds is a hang and a worker that dies is a
    crash; either worker is replaced. Workers are also replaced every ``recycle`` cases.
    """
    context = multiprocessing.get_context("spawn")
    pending = iter(cases)
    slots = [_Slot(context) for _ in range(jobs)]
    exhausted = False
    try:
        while True:
            for i, slot in enumerate(slots):
                if slot.case is None and not exhausted:
                    if slot.done >= recycle:
                        slot.stop()
                        slot = slots[i] = _Slot(context)
                    case = next(pending, None)
                    if case is None:
                        exhausted = True
                        break
                    slot.conn.send(case)
                    slot.case, slot.started = case, time.monotonic()
            busy = [s for s in slots if s.case is not None]
            if not busy:
                return
            ready = wait([s.conn for s in busy] + [s.process.sentinel for s in busy], 1.0)
            for i, slot in enumerate(slots):
                if slot.case is None:
                    continue
                failure = None
                if slot.conn in ready:
                    try:
                        result = slot.conn.recv()
                    except (EOFError, OSError):
                        failure = f"worker died (exit {slot.process.exitcode})"
                    else:
                        slot.case, slot.done = None, slot.done + 1
                        yield result
                        continue
                elif not slot.process.is_alive():
                    failure = f"worker died (exit {slot.process.exitcode})"
                elif time.monotonic() - slot.started > timeout:
                    failure = f"hang: no answer within {timeout:g} s"
                if failure is not None:
                    yield Result(slot.case, [], failure)
                    slot.stop(kill=True)
                    slots[i] = _Slot(context)
    finally:
        for slot in slots:
            slot.stop(kill=slot.case is not None)
