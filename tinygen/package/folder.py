"""Write a generated library as a plain folder, all at once or not at all."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from tinygen.compiler import CompiledModel
from tinygen.errors import TinygenError


def write_tree(out: Path, files: dict[str, str]) -> None:
    """Write ``files`` (relative path → text) as folder ``out``, replacing it whole.

    Everything goes to a temporary folder beside ``out`` first; ``out`` changes
    only once that folder is complete.
    """
    out = out.resolve()
    if out.exists() and not out.is_dir():
        raise TinygenError(f"{out}: exists and is not a folder")
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    except OSError as exc:
        raise TinygenError(f"{parent}: cannot write there ({exc.strerror})") from exc
    try:
        for rel, text in files.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=parent))
            os.rename(out, old / "previous")
        os.rename(staging, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise TinygenError(f"{out}: cannot write the library ({exc.strerror})") from exc


def library_files(model: CompiledModel) -> dict[str, str]:
    files = {f"include/{model.name}.h": model.sources.header}
    files.update({f"src/{name}": text for name, text in model.sources.sources.items()})
    files["CMakeLists.txt"] = model.sources.cmake
    files["report.json"] = json.dumps(model.report(), indent=2) + "\n"
    return files


def write_library(model: CompiledModel, out: Path) -> None:
    write_tree(out, library_files(model))
