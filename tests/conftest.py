"""Shared test settings: where ../shared is, and how many randomized cases to run."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

#: One setting for the conformance models and recordings that live beside the repo.
SHARED_DIR = Path(os.environ.get("TINYGEN_SHARED", REPO.parent / "shared"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--conformance-cases",
        type=int,
        default=200,
        help="randomized single-operator models to check against TFLite Micro",
    )
    parser.addoption(
        "--model-runs", type=int, default=50, help="random inputs per conformance model"
    )
    parser.addoption(
        "--planner-cases",
        type=int,
        default=20,
        help="randomized multi-operator models whose memory plans are checked against TFLM",
    )
    parser.addoption("--seed", type=int, default=1234, help="seed of randomized tests")
    parser.addoption(
        "--new-op-cases",
        type=int,
        default=None,
        help="randomized single-operator models of the operators added after the first "
        "conformance set (tests/test_conformance_ops.py; default: 2 per operator)",
    )
    parser.addoption(
        "--new-op-seed", type=int, default=1234, help="seed of the --new-op-cases models"
    )
    parser.addoption(
        "--float-op-cases", type=int, default=2,
        help="float32 models per operator in test_float_ops.py",
    )


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED_DIR / "models").is_dir():
        pytest.skip(
            f"the shared conformance data is not at {SHARED_DIR} "
            "(set TINYGEN_SHARED to the folder holding models/ and testdata/)"
        )
    return SHARED_DIR
