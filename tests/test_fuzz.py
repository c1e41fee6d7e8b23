"""Damaged and hostile models: every outcome is a clean exit (a short, deterministic fuzz run).

Mutants of small models built here (no ../shared needed) and of the conformance models go
through ``generate-library`` and ``report`` in-process, in two worker processes
(``fuzz_harness``); a few go through ``verify`` in a subprocess. Acceptable: exit 0, exit 2
with one ``tinygen: error:`` line, exit 3; never an internal error, a traceback, a
warning, a hang or a crash. ``python bench/fuzz.py`` is the long run of the same cases.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import fuzz_harness
import fuzz_mutants
import pytest

SEED = 2024
KINDS = sorted(fuzz_mutants.MUTATIONS)
#: Cases per mutation kind for each seed model (17 kinds): 1,700 and 1,020 cases.
BUILT_PLAN = {"dense": 40, "zoo": 40, "dead_relu_softmax": 20}
SHARED_PLAN = {"hello_world_int8": 28, "kws_ref_model": 12, "ad01_int8": 6,
               "str_ww_ref_model": 8, "pretrainedResnet_quant": 4, "vww_96_int8": 2}  # fmt: skip
#: Every kind must reject at least this many mutants with exit 2 (it really mutates).
MIN_REJECTED = 3


@pytest.fixture(scope="module")
def built_seeds() -> list[fuzz_harness.Seed]:
    return fuzz_harness.built_seeds()


def _describe(result: fuzz_harness.Result) -> str:
    case = result.case
    lines = [f"case {case.number} ({case.seed}, {case.kind}: {case.what}): "
             + "; ".join(result.problems)]  # fmt: skip
    lines += [o.detail.strip().splitlines()[-1] for o in result.outcomes if o.detail]
    return "\n".join(lines)


def _fuzz(seeds: list[fuzz_harness.Seed], plan: dict[str, int]) -> list[fuzz_harness.Result]:
    cases = fuzz_harness.make_cases(seeds, plan, KINDS, SEED)
    results = list(fuzz_harness.run_cases(cases, jobs=2, timeout=60))
    assert len(results) == sum(plan.values()) * len(KINDS)
    failures = [r for r in results if r.problems]
    assert not failures, f"{len(failures)} failing cases:\n" + "\n".join(
        _describe(r) for r in failures[:20]
    )
    rejected = Counter(r.case.kind for r in results if r.verdict == "2")
    assert all(rejected[k] >= MIN_REJECTED for k in KINDS), rejected
    return results


def test_fuzz_built_models(built_seeds: list[fuzz_harness.Seed]) -> None:
    results = _fuzz(built_seeds, BUILT_PLAN)
    verdicts = Counter(r.verdict for r in results)
    assert verdicts["0"] > 0, "no mutant compiled: the mutations destroy everything"


def test_fuzz_conformance_models(shared_dir: Path) -> None:
    _fuzz(fuzz_harness.shared_seeds(shared_dir), SHARED_PLAN)


def _verify(case: fuzz_harness.Case, folder: Path) -> tuple[int, str]:
    model = folder / f"case{case.number}.tflite"
    model.write_bytes(case.data)
    run = subprocess.run(
        [sys.executable, "-m", "tinygen", "verify", str(model), "--runs", "1"],
        capture_output=True, text=True, timeout=600, cwd=folder,
    )  # fmt: skip
    return run.returncode, run.stderr


def test_verify_on_mutants(built_seeds: list[fuzz_harness.Seed], tmp_path: Path) -> None:
    """verify runs interpreters that may abort on a damaged model: it still exits cleanly."""
    plan = {"zoo": 8, "dead_relu_softmax": 8}
    kinds = ["quantization", "options", "cycle"]
    cases = list(fuzz_harness.make_cases(built_seeds, plan, kinds, SEED))
    compiled = [r.case for r in fuzz_harness.run_cases(cases, jobs=2) if r.verdict == "0"]
    sample = compiled[:2] + [c for c in cases if c.kind == "cycle"][:1]
    assert len(sample) == 3
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda c: _verify(c, tmp_path), sample))
    for case, (code, stderr) in zip(sample, runs, strict=True):
        lines = [line for line in stderr.splitlines() if line.strip()]
        assert "Traceback" not in stderr, (case.what, stderr)
        assert code in (0, 1, 2), (case.what, code, stderr)
        if code == 2:
            assert lines[-1].startswith("tinygen: error:"), (case.what, stderr)
