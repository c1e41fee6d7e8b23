"""Coverage-guided fuzzing of the reader and the compiler with atheris (``pip install atheris``).

Usage: python bench/fuzz_coverage.py [CORPUS] [libFuzzer options, e.g. -max_total_time=600]

CORPUS (default ``fuzz-corpus/``) is seeded, when empty, with the small models built by
``tests/tf_models.py`` and the smaller conformance models of ``../shared/models``
(TINYGEN_SHARED). tinygen is instrumented and every input goes through
``parse_tflite`` and ``compile_graph`` (offsets by the greedy planners only, for speed):
a ``TinygenError`` is a clean refusal, anything else escapes, and libFuzzer stops and
keeps the input as ``crash-*``. ``bench/fuzz.py`` is the structured, CLI-level fuzz.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import atheris  # noqa: E402

with atheris.instrument_imports(include=["tinygen"]):
    from tinygen.compiler import compile_graph
    from tinygen.errors import TinygenError
    from tinygen.frontend.tflite import parse_tflite
    from tinygen.memory.planner import MemoryOptions

SHARED = Path(os.environ.get("TINYGEN_SHARED", REPO.parent / "shared"))
SMALL_MODELS = ("hello_world_int8", "kws_ref_model", "str_ww_ref_model")
OPTIONS = MemoryOptions(exact=False)


def seed_corpus(corpus: Path) -> None:
    import fuzz_harness

    corpus.mkdir(parents=True, exist_ok=True)
    seeds = fuzz_harness.built_seeds()
    for name in SMALL_MODELS:
        path = SHARED / "models" / f"{name}.tflite"
        if path.is_file():
            seeds.append(fuzz_harness.Seed(name, path.read_bytes()))
    for seed in seeds:
        (corpus / f"{seed.name}.tflite").write_bytes(seed.data)


def one_input(data: bytes) -> None:
    with contextlib.suppress(TinygenError):
        compile_graph(parse_tflite(data), "fuzz", OPTIONS)


def main() -> None:
    args = sys.argv[1:]
    corpus = Path(args[0]) if args and not args[0].startswith("-") else Path("fuzz-corpus")
    if not corpus.is_dir() or not any(corpus.iterdir()):
        seed_corpus(corpus)
    options = [a for a in args if a.startswith("-")]
    atheris.Setup([sys.argv[0], *options, str(corpus)], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
