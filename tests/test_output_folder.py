"""Output folders: the marker, --force, refusals, and nothing half-written on errors."""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

import pytest
import tf_models
from output_harness import staging_folders, tinygen, tree

from tinygen.cli import main
from tinygen.errors import EXIT_USAGE, TinygenError
from tinygen.package import staging
from tinygen.package.folder import write_tree


@pytest.fixture(scope="module")
def model_bytes() -> bytes:
    return tf_models.dense_model()


@pytest.fixture
def work(tmp_path: Path, model_bytes: bytes) -> Path:
    """A folder holding m.tflite and a library ``out`` that tinygen wrote."""
    (tmp_path / "m.tflite").write_bytes(model_bytes)
    assert main(["generate-library", str(tmp_path / "m.tflite"), "-o", str(tmp_path / "out"),
                 "--name", "first"]) == 0
    return tmp_path


def test_every_folder_gets_the_marker_and_a_rerun_replaces_it_whole(work: Path) -> None:
    out = work / "out"
    assert (out / ".tinygen").read_text().splitlines()[0] == "tinygen generate-library"
    (out / "stray.txt").write_text("left from before")
    assert main(["generate-library", str(work / "m.tflite"), "-o", str(out), "--name", "b"]) == 0
    assert sorted(os.listdir(work)) == ["m.tflite", "out"]  # beside OUT: nothing new
    assert sorted(p for p in tree(out) if "/" not in p) == [
        ".tinygen", "CMakeLists.txt", "cmake", "include", "report.json", "src"
    ]  # cmake/: the toolchain file of --cpu
    assert json.loads((out / "report.json").read_text())["name"] == "b"
    # The folder has the permissions of a folder made with mkdir (umask), not 0700.
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~umask


def test_generate_dsp_writes_the_marker(tmp_path: Path) -> None:
    config = tmp_path / "raw.json"
    config.write_text(json.dumps({"block": "raw", "input_length": 6, "axes": 3}))
    assert main(["generate-dsp", str(config), "-o", str(tmp_path / "dsp")]) == 0
    assert (tmp_path / "dsp" / ".tinygen").read_text().startswith("tinygen generate-dsp\n")
    assert main(["generate-dsp", str(config), "-o", str(tmp_path / "dsp")]) == 0
    assert sorted(os.listdir(tmp_path)) == ["dsp", "raw.json"]


def test_a_folder_tinygen_did_not_write_needs_force(work: Path) -> None:
    mine = work / "mine"
    (mine / "data").mkdir(parents=True)
    (mine / "notes.txt").write_text("mine")
    (mine / ".tinygen").mkdir()  # a marker must be a file
    before = tree(work)
    result = tinygen(["generate-library", str(work / "m.tflite"), "-o", str(mine)])
    assert result.returncode == EXIT_USAGE, result.stderr
    message = result.stderr.strip()
    assert message.count("\n") == 0 and "was not written by tinygen" in message
    assert ".tinygen/, data/, notes.txt" in message and "--force replaces it" in message
    assert tree(work) == before
    forced = tinygen(["generate-library", str(work / "m.tflite"), "-o", str(mine), "--force"])
    assert forced.returncode == 0, forced.stderr
    assert not (mine / "notes.txt").exists() and (mine / ".tinygen").is_file()
    assert sorted(os.listdir(work)) == ["m.tflite", "mine", "out"]


def test_an_empty_folder_is_used(work: Path) -> None:
    (work / "empty").mkdir()
    assert main(["generate-library", str(work / "m.tflite"), "-o", str(work / "empty")]) == 0
    assert (work / "empty" / "src" / "m.c").is_file()


def _refusals(work: Path) -> list[tuple[str, str, Path, bool]]:
    """(-o value, expected message part, cwd, refused even with --force) of outputs that
    tinygen does not write."""
    (work / "file.txt").write_text("a file")
    (work / "link").symlink_to(work / "out")
    (work / "home" / "me").mkdir(parents=True)
    (work / "models").mkdir()
    (work / "models" / "n.tflite").write_bytes((work / "m.tflite").read_bytes())
    return [
        (".", "is the current folder", work / "out", True),
        ("..", "is the current folder or holds it", work / "out" / "src", True),
        (str(work), "is the current folder or holds it", work / "out", True),
        (str(work / "home" / "me"), "is your home folder", work, True),
        (str(work / "home"), "is your home folder or holds it", work, True),
        ("/", "is the root folder", work, True),
        ("models", "is the input models/n.tflite or holds it", work, True),
        ("m.tflite", "is the input", work, True),
        ("link", "is a symbolic link", work, False),
        ("file.txt", "exists and is not a folder", work, False),
    ]


@pytest.mark.parametrize("force", [False, True])
def test_outputs_never_written(
    work: Path, force: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HOME", str(work / "home" / "me"))
    for out, expected, cwd, never in _refusals(work):
        monkeypatch.chdir(cwd)
        model = "models/n.tflite" if out == "models" else str(work / "m.tflite")
        before = tree(work)
        args = ["generate-library", model, "-o", out] + (["--force"] if force else [])
        assert main(args) == EXIT_USAGE, out
        message = capsys.readouterr().err
        assert message.count("\n") == 1 and expected in message, message
        assert ("not even with --force" in message) == never, message
        assert tree(work) == before, out
    monkeypatch.chdir(work)
    (work / "cfg").mkdir()
    (work / "cfg" / "raw.json").write_text(json.dumps({"block": "raw", "input_length": 6}))
    assert main(["generate-dsp", "cfg/raw.json", "-o", "cfg", "--force"]) == EXIT_USAGE
    assert "is the input cfg/raw.json" in capsys.readouterr().err
    # The same from the command line, as a user types it.
    before = tree(work)
    result = tinygen(["generate-library", str(work / "m.tflite"), "-o", ".", "--force"], cwd=work)
    assert result.returncode == EXIT_USAGE and "is the current folder" in result.stderr
    assert "Traceback" not in result.stderr and tree(work) == before


def _failing_after(calls: int, error: BaseException):
    real = staging.write_file
    count = [0]

    def write_file(path: Path, text: str) -> None:
        count[0] += 1
        if count[0] > calls:
            raise error
        real(path, text)

    return write_file


@pytest.mark.parametrize(
    "error", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()]
)
def test_an_error_midway_leaves_the_old_folder(
    work: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    files = {f"src/f{i}.c": f"int f{i};\n" for i in range(4)}
    before = tree(work)
    for calls in range(len(files) + 2):  # the staging marker, the files, OUT's marker
        monkeypatch.setattr(staging, "write_file", _failing_after(calls, error))
        with pytest.raises(type(error) if isinstance(error, KeyboardInterrupt) else TinygenError):
            write_tree(work / "out", files)
        assert tree(work) == before, calls
    monkeypatch.undo()
    write_tree(work / "out", files)
    assert sorted(tree(work / "out")) == [".tinygen", "src", *sorted(files)]


def test_the_two_rename_swap(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the system cannot exchange two folders: two renames, undone on failure."""
    monkeypatch.setattr(staging, "exchange", lambda a, b: False)
    before = tree(work)
    real_rename = os.rename

    def rename(src: str | Path, dst: str | Path) -> None:
        if Path(src).name == "new":
            raise OSError(errno.EIO, "Input/output error")
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(TinygenError, match="Input/output error"):
        write_tree(work / "out", {"a.txt": "a\n"})
    assert tree(work) == before
    monkeypatch.setattr(os, "rename", real_rename)
    write_tree(work / "out", {"a.txt": "a\n"})
    assert sorted(tree(work / "out")) == [".tinygen", "a.txt"]
    assert sorted(os.listdir(work)) == ["m.tflite", "out"]


def _fake_staging(
    parent: Path, name: str, marker: str | None, files: dict[str, str]
) -> Path:
    folder = parent / name
    folder.mkdir()
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    if marker is not None:
        (folder / ".tinygen").write_text(marker)
    return folder


def _dead_pid() -> int:
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid += 1


def test_stale_staging_of_killed_runs_is_removed_and_only_that(work: Path) -> None:
    import socket

    dead, live, host = _dead_pid(), os.getppid(), socket.gethostname()

    def marker(pid: int, on: str = host) -> str:
        return f"{staging.STAGING_TITLE}generate-library\npid {pid}\nhost {on}\n"

    removed = [
        _fake_staging(work, f".out.tinygen-{dead}-a1", marker(dead), {"new/x.c": "x"}),
        _fake_staging(work, f".out.tinygen-{dead}-a2", None, {}),  # killed before its marker
    ]
    kept = [
        _fake_staging(work, f".out.tinygen-{live}-b1", marker(live), {}),  # running now
        _fake_staging(work, f".out.tinygen-{dead}-b2", marker(dead, "elsewhere"), {"a": "a"}),
        _fake_staging(work, f".out.tinygen-{dead}-b3", None, {"mine.txt": "user data"}),
        _fake_staging(work, f".out.tinygen-{dead}-b4", marker(dead + 1), {}),  # pid mismatch
        _fake_staging(work, f".other.tinygen-{dead}-b5", marker(dead), {}),  # another OUT
        _fake_staging(work, f".out.tinygen-{dead}", marker(dead), {}),  # not our pattern
    ]
    before = {p: tree(p) for p in kept}
    assert main(["generate-library", str(work / "m.tflite"), "-o", str(work / "out")]) == 0
    assert not any(p.exists() for p in removed)
    assert {p: tree(p) for p in kept} == before


def test_write_tree_refuses_paths_outside_the_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a path inside"):
        write_tree(tmp_path / "out", {"../escape.txt": "x"})
    assert os.listdir(tmp_path) == []
    assert staging_folders(tmp_path) == []
