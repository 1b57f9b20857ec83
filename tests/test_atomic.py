"""Atomic writes: a full disk gives a clear error naming the file, no partial file, and the previous file intact."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from nasbench_suite import _atomic
from nasbench_suite._atomic import (
    DiskFullError,
    OutputExistsError,
    atomic_folder,
    atomic_open,
    check_output,
    write_bytes,
    write_text,
)
from nasbench_suite.cli import main

REPO = Path(__file__).resolve().parent.parent


def _full(*_: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def _siblings(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


def test_replaces_whole_file_with_usual_permissions(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    write_text(target, "one\n")
    write_bytes(target, b"two\n")
    assert target.read_bytes() == b"two\n" and _siblings(target) == ["a.txt"]
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


@pytest.mark.parametrize("existed", [True, False])
def test_full_disk_is_a_clear_error_and_leaves_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                existed: bool) -> None:
    target = tmp_path / "table.h5"
    if existed:
        target.write_bytes(b"previous")
    monkeypatch.setattr(_atomic.os, "fsync", _full)
    with pytest.raises(DiskFullError, match=f"no space left on device while writing {target}") as info:
        write_bytes(target, b"x" * 100_000)
    assert isinstance(info.value, OSError)
    assert ("the previous file is intact" if existed else "no file was written") in str(info.value)
    assert _siblings(target) == (["table.h5"] if existed else [])
    if existed:
        assert target.read_bytes() == b"previous"


def test_error_while_writing_removes_the_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("old\n")
    for exc in (OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt(), RuntimeError("bug")):
        with pytest.raises((DiskFullError, KeyboardInterrupt, RuntimeError)):
            with atomic_open(target) as fh:
                fh.write("half a line")
                raise exc
        assert target.read_text() == "old\n" and _siblings(target) == ["out.jsonl"]


def test_write_store_on_a_full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nasbench_suite.store import write_store
    from nasbench_suite.testing.tables import make_small_data

    target = tmp_path / "small.h5"
    write_store(target, make_small_data())
    before = target.read_bytes()
    monkeypatch.setattr(_atomic.os, "fsync", _full)
    with pytest.raises(DiskFullError, match="the previous file is intact"):
        write_store(target, make_small_data(seed=1))
    assert target.read_bytes() == before and _siblings(target) == ["small.h5"]


def test_folder_appears_whole(tmp_path: Path) -> None:
    target = tmp_path / "bundle"
    with atomic_folder(target) as folder:
        (folder / "a").write_text("1")
    assert sorted(p.name for p in target.iterdir()) == ["a"]
    with pytest.raises(DiskFullError, match="the previous folder is intact"):
        with atomic_folder(target) as folder:
            (folder / "b").write_text("2")
            _full()
    assert sorted(p.name for p in target.iterdir()) == ["a"] and _siblings(target) == ["bundle"]
    with atomic_folder(target) as folder:
        (folder / "c").write_text("3")
    assert sorted(p.name for p in target.iterdir()) == ["c"] and _siblings(target) == ["bundle"]


def test_check_output(tmp_path: Path) -> None:
    existing = tmp_path / "x.png"
    existing.write_bytes(b"png")
    with pytest.raises(OutputExistsError, match="pass --force"):
        check_output(existing)
    assert check_output(existing, force=True) == existing
    with pytest.raises(IsADirectoryError):
        check_output(tmp_path, force=True)
    with pytest.raises(NotADirectoryError):
        check_output(existing / "below.png")
    with pytest.raises(NotADirectoryError):
        check_output(existing, folder=True, force=True)
    with pytest.raises(OutputExistsError):
        check_output(tmp_path, folder=True)


def test_out_refuses_to_overwrite_without_force(small_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = tmp_path / "r.jsonl"
    assert main(["run", "--benchmark", str(small_store), "--dataset", "toy", "--strategies", "rs", "--seeds", "0",
                 "--budget-evals", "3", "--out", str(results), "--no-progress"]) == 0
    png = tmp_path / "a.png"
    png.write_bytes(b"mine")
    assert main(["plot", str(results), "--out", str(png)]) == 2
    assert png.read_bytes() == b"mine" and "pass --force" in capsys.readouterr().err
    assert main(["plot", str(results), "--out", str(png), "--force"]) == 0
    assert png.read_bytes().startswith(b"\x89PNG")
    assert main(["info", str(small_store), "--plot", str(png)]) == 2
    assert png.read_bytes().startswith(b"\x89PNG")
    other = tmp_path / "notes"
    other.mkdir()
    (other / "keep.txt").write_text("keep")
    assert main(["leaderboard", "build", str(results), "--out", str(other)]) == 2
    assert sorted(p.name for p in other.iterdir()) == ["keep.txt"]
    board = tmp_path / "board"
    assert main(["leaderboard", "build", str(results), "--out", str(board)]) == 0
    assert main(["leaderboard", "build", str(results), "--out", str(board)]) == 0  # a board is rebuilt in place
    capsys.readouterr()


# ------------------------------------------------------------------ a real full disk (a 1 MiB tmpfs, where allowed)
@pytest.fixture()
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs, nearly filled; skips where mounting is not allowed."""
    mount = tmp_path / "full"
    mount.mkdir()
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        st = os.statvfs(mount)
        (mount / "filler").write_bytes(b"\0" * (st.f_bavail * st.f_frsize - 40 * 1024))
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _nasbench(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    script = "import sys; from nasbench_suite.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", script, *argv], capture_output=True, text=True, env=env, timeout=120)


def test_full_disk_run_and_import(full_disk: Path, small_store: Path) -> None:
    out = full_disk / "r.jsonl"
    store = full_disk / "big.h5"
    store.write_bytes(b"previous")
    done = _nasbench("run", "--benchmark", str(small_store), "--dataset", "toy", "--strategies", "rs,re,ls", "--seeds",
                     "0-29", "--budget-evals", "20", "--jobs", "2", "--out", str(out), "--no-progress")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"no space left on device while writing {out}" in done.stderr
    from nasbench_suite.harness.results import read_lines

    kept = read_lines(out, tolerate_truncation=False)  # only complete lines: the file can be resumed
    assert out.read_text().endswith("\n") or not kept
    script = ("import sys; from nasbench_suite.store import write_store; from nasbench_suite.testing.tables import "
              "make_small_data; write_store(sys.argv[1], make_small_data(n_arch=3000))")
    done = subprocess.run([sys.executable, "-c", script, str(store)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
    assert done.returncode == 1 and "DiskFullError: no space left on device while writing" in done.stderr, done.stderr
    assert store.read_bytes() == b"previous"
    assert sorted(p.name for p in full_disk.iterdir()) == ["big.h5", "filler", "r.jsonl"]


def test_full_disk_generate(full_disk: Path) -> None:
    out = full_disk / "g.h5"
    done = _nasbench("generate", "--space", "nb201", "--dataset", "digits", "--skeleton", "light", "--channels", "4",
                     "--cells", "1", "--epochs", "1", "--seeds", "0", "--limit", "3", "--batch-size", "64",
                     "--out", str(out), "--no-progress")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "no space left on device while writing" in done.stderr
    assert not out.exists()
