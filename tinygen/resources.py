"""Where the C runtime sources and the Jinja2 templates live."""

from __future__ import annotations

from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
RUNTIME_DIR = _ROOT / "runtime_c"
TEMPLATES_DIR = _ROOT / "templates"
