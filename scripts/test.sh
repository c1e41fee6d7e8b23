#!/usr/bin/env bash
# Install, lint, and run the whole test suite (extra pytest options pass through).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/python -m pytest -q "$@"
