"""Atomic file writes: a temporary file in the same folder, ``fsync``, then ``os.replace``.

A reader sees either the previous file or the complete new one, never a part:
the new bytes go to a hidden temporary file beside the target, are flushed to
disk, and are renamed over the target in one step. On any failure (a full
disk, an exception while producing the bytes, ``KeyboardInterrupt``) the
temporary file is removed and the previous file is left as it was. A full disk
becomes :class:`DiskFullError`, which names the file.

Examples
--------
>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
>>> write_text(target, "hello\\n")
>>> target.read_text()
'hello\\n'
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from nasbench_suite.errors import NasBenchError

#: errno values that mean the device or the quota is full
_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}


class DiskFullError(NasBenchError, OSError):
    """The device (or quota) filled up while writing an output; the previous file is intact."""

    def __str__(self) -> str:
        return str(self.args[0]) if len(self.args) == 1 else super().__str__()


class OutputExistsError(NasBenchError, FileExistsError):
    """An output that already exists and would be replaced without ``--force``."""

    def __str__(self) -> str:
        return str(self.args[0]) if len(self.args) == 1 else super().__str__()


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or an error it was raised from) reports a full device, including HDF5's wording."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, DiskFullError):
            return True
        if isinstance(exc, OSError) and exc.errno in _FULL:
            return True
        text = str(exc)
        if "No space left on device" in text or "errno = 28" in text or "Disk quota exceeded" in text:
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def disk_full_error(path: str | os.PathLike[str], *, existed: bool) -> DiskFullError:
    """The error for a full device while writing ``path``."""
    kept = "the previous file is intact" if existed else "no file was written"
    return DiskFullError(f"no space left on device while writing {path}; {kept}")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_output(path: str | os.PathLike[str], *, force: bool = False, folder: bool = False, flag: str = "--force") -> Path:
    """Refuse to replace an existing output without ``force``; refuse a file where a folder is wanted and vice versa.

    Parameters
    ----------
    path
        The output file (or, with ``folder=True``, output folder).
    force
        Allow replacing an existing output.
    folder
        Whether the output is a folder (its existing files would be replaced).
    flag
        The option that allows replacing, named in the error.

    Returns
    -------
    Path
        ``path`` as a :class:`~pathlib.Path`.
    """
    path = Path(path)
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, "a parent of the output is a file, not a folder", str(parent))
            break
    if folder:
        if path.exists() and not path.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "expected an output folder, found a file", str(path))
        if path.is_dir() and any(path.iterdir()) and not force:
            raise OutputExistsError(f"output folder {path} exists and is not empty; pass {flag} to replace its files")
        return path
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "expected an output file, found a folder", str(path))
    if path.exists() and not force:
        raise OutputExistsError(f"output {path} exists; pass {flag} to replace it")
    return path


@contextmanager
def atomic_path(path: str | os.PathLike[str], *, mode: int | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on a clean exit, fsync it and rename it over ``path``.

    Whatever the body writes to the yielded path (by any means, e.g. HDF5)
    replaces ``path`` in one rename. Any exception, ``KeyboardInterrupt``
    included, removes the temporary file and leaves ``path`` as it was; a full
    device is re-raised as :class:`DiskFullError` naming ``path``.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "expected an output file, found a folder", str(path))
    existed = path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        try:
            yield tmp
            os.chmod(tmp, (0o666 & ~_umask()) if mode is None else mode)  # mkstemp makes 0600
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException as exc:
            if is_disk_full(exc) and not isinstance(exc, DiskFullError):
                raise disk_full_error(path, existed=existed) from exc
            raise
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w", *, encoding: str | None = "utf-8") -> Iterator[IO[Any]]:
    """``open(path, mode)`` for writing, atomically: the file appears complete or not at all."""
    if "b" in mode:
        encoding = None
    with atomic_path(path) as tmp, open(tmp, mode, encoding=encoding) as fh:
        yield fh
        fh.flush()


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically."""
    with atomic_open(path, "wb") as fh:
        fh.write(data)


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8) atomically."""
    with atomic_open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def save_figure(fig: Any, path: str | os.PathLike[str], **kwargs: Any) -> Path:
    """Save a matplotlib figure to exactly ``path`` (format from its suffix, PNG without one), atomically."""
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower() or "png"
    supported = fig.canvas.get_supported_filetypes()
    if fmt not in supported:
        raise ValueError(f"cannot write a figure as {path.name!r}: expected a file ending in one of "
                         f"{', '.join('.' + k for k in sorted(supported))}")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, **kwargs)
    return path


__all__ = [
    "DiskFullError",
    "OutputExistsError",
    "atomic_folder",
    "atomic_open",
    "atomic_path",
    "check_output",
    "disk_full_error",
    "is_disk_full",
    "save_figure",
    "write_bytes",
    "write_text",
]


@contextmanager
def atomic_folder(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``path``; on a clean exit it replaces ``path`` (a folder) whole.

    The previous folder is renamed aside, the new one renamed into place and
    the old one removed, so ``path`` is at every moment either the complete old
    folder or the complete new one (between the two renames it briefly does not
    exist). On any error the temporary folder is removed and ``path`` is untouched.
    """
    import shutil

    path = Path(path)
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "expected an output folder, found a file", str(path))
    existed = path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        try:
            yield tmp
            os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700
            if existed:
                old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
                os.replace(path, old / path.name)
                os.replace(tmp, path)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, path)
        except BaseException as exc:
            if is_disk_full(exc) and not isinstance(exc, DiskFullError):
                kept = "the previous folder is intact" if existed else "no folder was written"
                raise DiskFullError(f"no space left on device while writing {path}; {kept}") from exc
            raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    _fsync_dir(path.parent)
