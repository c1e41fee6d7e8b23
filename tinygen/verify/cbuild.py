"""Build C sources into a shared library and load it with cffi (ABI mode)."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

import cffi

from tinygen.errors import TinygenError

DEFAULT_CFLAGS = ("-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-pedantic")


def build_shared(
    sources: Iterable[Path],
    include_dirs: Iterable[Path],
    cdef: str,
    workdir: Path | None = None,
    defines: Iterable[str] = (),
    cflags: Iterable[str] = DEFAULT_CFLAGS,
) -> tuple[cffi.FFI, object]:
    """Compile ``sources`` with gcc into a shared object and return ``(ffi, lib)``."""
    workdir = Path(workdir or tempfile.mkdtemp(prefix="tinygen-build-"))
    library = workdir / "libtinygen_harness.so"
    command = ["gcc", *cflags, "-fPIC", "-shared", "-o", str(library)]
    command += [f"-I{d}" for d in include_dirs]
    command += [f"-D{d}" for d in defines]
    command += [str(s) for s in sources]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise TinygenError(
            "the generated C does not compile (this is a tinygen bug):\n" + result.stderr[-4000:]
        )
    ffi = cffi.FFI()
    ffi.cdef(cdef)
    return ffi, ffi.dlopen(str(library))
