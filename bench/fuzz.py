"""The long fuzz run: mutated models through generate-library and report, a sample through verify.

Usage: python bench/fuzz.py [--cases 100000] [--seed 0] [--jobs 2] [--failures DIR]
                            [--models DIR] [--kinds bit_flip,shape,...] [--verify N]

Mutates the conformance models in ``../shared/models`` (``--models``, or TINYGEN_SHARED)
and small models built with TensorFlow's converter (``tests/tf_models.py``) with every
kind of ``tests/fuzz_mutants.py``, runs each mutant in-process through ``generate-library``
and ``report`` in ``--jobs`` worker processes (``tests/fuzz_harness.py``), and sends
``--verify`` of them through ``tinygen verify`` in a subprocess. Progress goes to stderr;
the summary table (cases per mutation kind and outcome of generate-library, and how
many ``report`` refused over its maxima of 16K arena and 64K constants) to stdout. Every
failing case is saved to ``--failures`` as ``case-N.tflite`` with ``case-N.json``
(mutation, outcomes, tracebacks). Exit status 1 when any case failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import fuzz_harness  # noqa: E402
import fuzz_mutants  # noqa: E402
from fuzz_harness import Case, Result, Seed  # noqa: E402

#: Relative share of the cases each seed model gets (small models compile fastest).
WEIGHTS = {
    "hello_world_int8": 3, "dense": 3, "zoo": 3, "dead_relu_softmax": 1, "kws_ref_model": 2,
    "ad01_int8": 1, "str_ww_ref_model": 1, "pretrainedResnet_quant": 1, "vww_96_int8": 1,
}  # fmt: skip
VERDICTS = ("0", "2", "3", "failure")  # of generate-library; one per case
OUTCOMES = (*VERDICTS, "report 3")


def case_plan(seeds: list[Seed], kinds: list[str], total: int) -> dict[str, int]:
    """Cases per kind for each seed, by weight, adding up to about ``total``."""
    weight = sum(WEIGHTS.get(s.name, 1) for s in seeds) * len(kinds)
    return {s.name: max(1, round(total * WEIGHTS.get(s.name, 1) / weight)) for s in seeds}


def save_failure(result: Result, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    case = result.case
    stem = folder / f"case-{case.number}"
    stem.with_suffix(".tflite").write_bytes(case.data)
    record = {
        "case": case.number, "seed_model": case.seed, "kind": case.kind, "mutation": case.what,
        "problems": result.problems,
        "outcomes": [vars(o) for o in result.outcomes],
    }  # fmt: skip
    stem.with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n")


def verify_case(case: Case, timeout: float) -> str | None:
    """Run ``tinygen verify`` on one mutant in a subprocess; the problem, or None if clean."""
    with tempfile.TemporaryDirectory(prefix="tinygen-fuzz-verify-") as tmp:
        model = Path(tmp) / "model.tflite"
        model.write_bytes(case.data)
        try:
            run = subprocess.run(
                [sys.executable, "-m", "tinygen", "verify", str(model), "--runs", "2"],
                capture_output=True, text=True, timeout=timeout, cwd=tmp,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return f"verify: no answer within {timeout:g} s"
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    if "Traceback" in run.stderr:
        return "verify: traceback on stderr"
    if run.returncode in (0, 1):
        return None
    if run.returncode == 2 and lines and lines[-1].startswith("tinygen: error:"):
        return None
    return f"verify: exit {run.returncode}: {lines[-1] if lines else ''}"


def _table(counts: dict[str, Counter[str]], seconds: dict[str, float]) -> str:
    names = [o if not o[0].isdigit() else f"exit {o}" for o in OUTCOMES]
    head = f"{'mutation':20s} {'cases':>8s} " + " ".join(f"{n:>8s}" for n in names) + "  s/case"
    rows = [head, "-" * len(head)]
    total: Counter[str] = Counter()
    for kind in sorted(counts):
        c = counts[kind]
        total.update(c)
        n = sum(c[o] for o in VERDICTS)
        rows.append(f"{kind:20s} {n:8,d} " + " ".join(f"{c[o]:8,d}" for o in OUTCOMES)
                    + f" {seconds[kind] / max(n, 1):7.3f}")
    n = sum(total[o] for o in VERDICTS)
    rows.append("-" * len(head))
    rows.append(f"{'all':20s} {n:8,d} " + " ".join(f"{total[o]:8,d}" for o in OUTCOMES)
                + f" {sum(seconds.values()) / max(n, 1):7.3f}")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a hang")
    parser.add_argument("--failures", type=Path, default=Path("fuzz-failures"))
    shared = Path(os.environ.get("TINYGEN_SHARED", REPO.parent / "shared"))
    parser.add_argument("--models", type=Path, default=shared, help="folder holding models/")
    parser.add_argument("--kinds", help="comma-separated mutation kinds (default: all)")
    parser.add_argument("--verify", type=int, default=40, help="cases also sent to verify")
    args = parser.parse_args()

    kinds = args.kinds.split(",") if args.kinds else sorted(fuzz_mutants.MUTATIONS)
    unknown = set(kinds) - set(fuzz_mutants.MUTATIONS)
    if unknown:
        parser.error(f"unknown kinds {sorted(unknown)}; known: {sorted(fuzz_mutants.MUTATIONS)}")
    print("fuzz: building the seed models", file=sys.stderr, flush=True)
    seeds = fuzz_harness.built_seeds()
    if (args.models / "models").is_dir():
        seeds += fuzz_harness.shared_seeds(args.models)
    else:
        print(f"fuzz: no conformance models under {args.models}; built models only",
              file=sys.stderr)
    plan = case_plan(seeds, kinds, args.cases)
    total = sum(plan.values()) * len(kinds)
    counts: dict[str, Counter[str]] = {k: Counter() for k in kinds}
    seconds: dict[str, float] = dict.fromkeys(kinds, 0.0)
    slowest: list[tuple[float, int, str]] = []
    failures: list[Result] = []
    start = last = time.monotonic()
    cases = fuzz_harness.make_cases(seeds, plan, kinds, args.seed)
    done = 0
    for result in fuzz_harness.run_cases(cases, args.jobs, args.timeout):
        done += 1
        case = result.case
        counts[case.kind][result.verdict] += 1
        if len(result.outcomes) == 2 and result.outcomes[1].code == 3:
            counts[case.kind]["report 3"] += 1
        spent = sum(o.seconds for o in result.outcomes)
        seconds[case.kind] += spent
        slowest = sorted([*slowest, (spent, case.number, f"{case.seed}/{case.kind}")])[-5:]
        if result.problems:
            failures.append(result)
            save_failure(result, args.failures)
            print(f"fuzz: case {case.number} ({case.seed}, {case.kind}: {case.what}): "
                  + "; ".join(result.problems), file=sys.stderr, flush=True)
        now = time.monotonic()
        if now - last > 10 or done == total:
            last = now
            rate = done / (now - start)
            print(f"fuzz: {done:,}/{total:,} cases, {len(failures)} failing, {rate:.1f}/s, "
                  f"{(total - done) / rate / 60:.0f} min left", file=sys.stderr, flush=True)
    elapsed = time.monotonic() - start

    step = max(total // max(args.verify, 1), 1)
    numbers = set(range(0, total, step)[: args.verify])
    sample = list(fuzz_harness.make_cases(seeds, plan, kinds, args.seed, numbers))
    print(f"fuzz: verify on {len(sample)} cases", file=sys.stderr, flush=True)
    with ThreadPoolExecutor(args.jobs) as pool:
        verdicts = list(pool.map(lambda c: verify_case(c, 900.0), sample))
    verify_failures = [(c, v) for c, v in zip(sample, verdicts, strict=True) if v]
    for case, problem in verify_failures:
        failures.append(Result(case, [], problem))
        save_failure(failures[-1], args.failures)

    print(_table(counts, seconds))
    print(f"\n{done:,} cases in {elapsed / 60:.1f} min with {args.jobs} jobs "
          f"(seed {args.seed}); verify: {len(sample)} cases, {len(verify_failures)} failing")
    print("slowest: " + ", ".join(f"case {n} {w} {s:.1f} s" for s, n, w in reversed(slowest)))
    if failures:
        print(f"{len(failures)} failing cases saved to {args.failures}/")
        return 1
    print("no failures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
