"""Write a generated library as a plain folder, all at once or not at all.

:func:`write_tree` builds the folder in a staging folder beside ``OUT`` and swaps it
into place only when it is complete (:mod:`tinygen.package.staging`); SIGINT, SIGTERM
and SIGHUP remove the staging folder before they take effect
(:mod:`tinygen.package.signals`). Every folder it writes holds the marker ``.tinygen``;
:func:`check_output` refuses to replace a folder without it unless forced, and never
writes a symbolic link, a file, the current folder or one holding it, the home folder
or one holding it, or a folder holding one of the inputs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

from tinygen.compiler import CompiledModel
from tinygen.errors import TinygenError
from tinygen.package import staging
from tinygen.package.signals import SignalGuard
from tinygen.package.staging import MARKER, STAGING_TITLE
from tinygen.target.cpus import TOOLCHAIN_FILE, Cpu, cpu_report, toolchain_file


def marker_text(command: str) -> str:
    """The marker of a folder that ``tinygen command`` wrote."""
    return (
        f"tinygen {command}\n"
        "tinygen wrote this folder and replaces it whole on its next run for it: "
        "keep none of your own files here.\n"
    )


def written_by_tinygen(folder: Path) -> bool:
    """Whether ``folder`` holds the marker that tinygen writes (a regular file)."""
    marker = folder / MARKER
    if marker.is_symlink() or not marker.is_file():
        return False
    try:
        with open(marker, encoding="utf-8") as f:
            first = f.read(200).partition("\n")[0]
    except (OSError, UnicodeDecodeError):
        return False
    command = first.removeprefix("tinygen ")
    return command != first and command.replace("-", "").isalpha() and not first.startswith(
        STAGING_TITLE
    )


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, KeyError, OSError):
        return None


def _holds(folder: Path, path: Path) -> bool:
    """``path`` is ``folder`` or lies inside it."""
    return path == folder or folder in path.parents


def _refuse(out: Path, why: str) -> NoReturn:
    raise TinygenError(f"{out}: {why}")


def _contents(folder: Path) -> str:
    names = sorted(e.name + ("/" if e.is_dir() and not e.is_symlink() else "")
                   for e in folder.iterdir())
    shown = ", ".join(names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def check_output(
    out: Path, *, force: bool = False, inputs: Iterable[Path | str] = ()
) -> Path:
    """The absolute, resolved ``out`` if tinygen may replace it; else TinygenError (exit 2).

    Before the last checks, a previous ``out`` that a killed run left moved aside is
    moved back and stale staging folders are removed (:func:`staging.recover`).
    """
    out = Path(out)
    if out.is_symlink():
        _refuse(out, "is a symbolic link; tinygen writes only a real folder, which it "
                "replaces whole (remove the link or choose another -o)")
    target = out.resolve()
    never = (
        "tinygen replaces its output folder whole, so it never writes there, not even with "
        "--force; choose a new folder such as -o lib"
    )
    home = _home()
    if target.parent == target:
        _refuse(out, f"is the root folder; {never}")
    if _holds(target, Path.cwd().resolve()):
        _refuse(out, f"is the current folder or holds it; {never}")
    if home is not None and _holds(target, home):
        _refuse(out, f"is your home folder or holds it; {never}")
    for given in inputs:
        for path in {Path(os.path.abspath(given)), Path(given).resolve()}:
            if _holds(target, path):
                _refuse(out, f"is the input {given} or holds it; {never}")
    try:
        staging.recover(target)
        if os.path.lexists(target) and not target.is_dir():
            _refuse(out, "exists and is not a folder; tinygen replaces only folders "
                    "(choose another -o)")
        foreign = target.is_dir() and any(target.iterdir()) and not written_by_tinygen(target)
        if foreign and not force:
            _refuse(out, f"exists and was not written by tinygen (it holds "
                    f"{_contents(target)}, and no {MARKER} marker); --force replaces it, "
                    "deleting all it holds")
    except OSError as exc:
        raise TinygenError(f"{out}: cannot check the folder ({exc.strerror})") from exc
    return target


def write_tree(
    out: Path,
    files: dict[str, str],
    *,
    command: str = "library",
    force: bool = False,
    inputs: Iterable[Path | str] = (),
) -> None:
    """Write ``files`` (relative path → text) as folder ``out``, replacing it whole.

    Everything goes to a staging folder beside ``out`` first; ``out`` changes only
    once that is complete, in one exchange of the two folders where Linux can
    (otherwise two renames; see :mod:`tinygen.package.staging`). On any error or
    signal the staging folder is removed and ``out`` is as it was. ``out`` gets the
    marker ``.tinygen`` naming ``command``; :func:`check_output` decides whether
    ``out`` may be replaced (``force``, ``inputs``).
    """
    target = check_output(out, force=force, inputs=inputs)
    files = {**files, MARKER: marker_text(command)}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TinygenError(f"{target.parent}: cannot write there ({exc.strerror})") from exc
    with SignalGuard() as guard:
        stage: Path | None = None
        swapped = False
        try:
            with guard.deferred():
                stage = staging.create(target, command)
            staging.write_files(stage / "new", files)
            with guard.deferred():
                staging.swap_in(stage, target)
                swapped = True
        except OSError as exc:
            where = f"{target}: cannot write the folder" if stage else (
                f"{target.parent}: cannot write there"
            )
            raise TinygenError(f"{where} ({exc.strerror or exc})") from exc
        finally:
            if stage is not None:
                with guard.deferred():
                    _remove_staging(stage, target, swapped)


def _remove_staging(stage: Path, target: Path, swapped: bool) -> None:
    try:
        staging.remove(stage)
    except OSError as exc:
        raise TinygenError(
            f"{stage}: cannot remove this staging folder ({exc.strerror or exc}); "
            f"{target} is {'written' if swapped else 'unchanged'}"
        ) from exc


def library_files(model: CompiledModel, cpu: Cpu | None = None) -> dict[str, str]:
    """The library's files; for a ``cpu``, its toolchain file (cmake/arm-none-eabi.cmake, an
    Arm core's) and its name in report.json."""
    files = {f"include/{model.name}.h": model.sources.header}
    files.update({f"src/{name}": text for name, text in model.sources.sources.items()})
    files["CMakeLists.txt"] = model.sources.cmake
    report = model.report()
    if cpu is not None:
        report["cpu"] = cpu_report(cpu)
        toolchain = toolchain_file(cpu)
        if toolchain is not None:
            files[f"cmake/{TOOLCHAIN_FILE}"] = toolchain
    files["report.json"] = json.dumps(report, indent=2) + "\n"
    return files


def write_library(
    model: CompiledModel, out: Path, *, force: bool = False, inputs: Iterable[Path | str] = (),
    cpu: Cpu | None = None,
) -> None:
    write_tree(out, library_files(model, cpu), command="generate-library", force=force,
               inputs=inputs)
