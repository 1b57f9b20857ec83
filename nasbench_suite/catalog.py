"""Finding benchmarks by name: ``open_benchmark``, ``load`` and ``list_benchmarks``.

A name resolves, in order, to a benchmark registered in this process with
:func:`register_benchmark`, then to ``<name>.h5`` (a table) or ``<name>/card.json``
(a saved surrogate) in the search path: the folders in ``$NASBENCH_SUITE_PATH``
(``os.pathsep``-separated), then the ``datasets/`` and ``surrogates/`` folders
shipped with the suite.

``<table>+<name>`` opens a table with the measured-cost file ``<name>``
attached (:class:`nasbench_suite.store.overlay.TableWithCosts`); the file lives
beside the table at ``<table>.costs/<name>.h5``. A path works too:
``path/to/table.h5+latency``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nasbench_suite.errors import UnknownNameError

_ROOT = Path(__file__).resolve().parent.parent
_registered: dict[str, Callable[[], Any]] = {}


def search_path() -> list[Path]:
    """Folders searched for benchmark files and surrogate directories, in order."""
    env = os.environ.get("NASBENCH_SUITE_PATH", "")
    folders = [Path(p) for p in env.split(os.pathsep) if p]
    return [*folders, _ROOT / "datasets", _ROOT / "surrogates"]


def _found() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder in search_path():
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            if entry.suffix == ".h5" and entry.is_file():
                found.setdefault(entry.stem, entry)
            elif (entry / "card.json").is_file():
                found.setdefault(entry.name, entry)
        for entry in sorted(folder.glob("*.costs/*.h5")):
            table = entry.parent.with_name(entry.parent.name[: -len(".costs")] + ".h5")
            if entry.is_file() and table.is_file():
                found.setdefault(f"{table.stem}+{entry.stem}", entry)
    return found


def _with_costs(name_or_path: str, *, verify: bool) -> Any:
    """``<table>+<cost file>[+...]``: the table (a name or a path) with its cost files attached."""
    from nasbench_suite.store.overlay import TableWithCosts, cost_file_path

    base, *names = name_or_path.split("+")
    found = _found()
    path = found.get(base) or (Path(base) if Path(base).is_file() else None)
    if path is None or path.suffix != ".h5":
        raise UnknownNameError("table (name or .h5 path) before '+'", base, [n for n in list_benchmarks() if "+" not in n])
    files = [cost_file_path(path, n) for n in names]
    for n, f in zip(names, files):
        if not f.is_file():
            held = sorted(p.stem for p in f.parent.glob("*.h5")) if f.parent.is_dir() else []
            raise UnknownNameError(f"cost file of {base!r} (in {str(f.parent)!r})", n, held)
    return TableWithCosts(open_benchmark(path, verify=verify), files)


def register_benchmark(name: str, target: str | os.PathLike[str] | Callable[[], Any]) -> None:
    """Make ``load(name)`` open ``target``: a store path, a surrogate directory or a factory."""
    if callable(target):
        _registered[name] = target
    else:
        path = Path(target)
        _registered[name] = lambda: open_benchmark(path)


def list_benchmarks() -> list[str]:
    """Every name :func:`load` knows, sorted."""
    return sorted({*_registered, *_found()})


def open_benchmark(path: str | os.PathLike[str], *, verify: bool = False, noise: bool = False) -> Any:
    """Open a store file (``.h5``) or a saved surrogate directory as a Benchmark.

    ``noise=True`` opens a surrogate whose per-seed queries add its calibrated
    seed noise (a table's seeds are measured, so it is refused for a table).
    """
    path = Path(path)
    if path.is_dir():
        if not (path / "card.json").is_file():
            raise FileNotFoundError(f"{str(path)!r} is a folder without card.json: not a saved surrogate")
        from nasbench_suite.surrogates.io import open_surrogate

        return open_surrogate(path, noise=noise)
    if noise:
        raise ValueError(f"noise=True is for surrogate benchmarks; {str(path)!r} is a table, whose seeds are measured")
    from nasbench_suite.store.reader import TableBenchmark

    return TableBenchmark(path, verify=verify)


def load(name: str, *, verify: bool = False, noise: bool = False) -> Any:
    """Open a registered or shipped benchmark by name (see :func:`list_benchmarks`).

    ``noise=True``: a surrogate benchmark answering each seed with its own noisy sample (see :func:`open_benchmark`).
    """
    if name in _registered:
        if noise:
            raise ValueError(f"noise=True opens shipped surrogate folders; {name!r} was registered in this process")
        return _registered[name]()
    found = _found()
    if "+" in name and name.split("+", 1)[0] in found:
        return _with_costs(name, verify=verify)
    if name in found:
        return open_benchmark(found[name], verify=verify, noise=noise)
    raise UnknownNameError("benchmark", name, list_benchmarks())


def resolve(name_or_path: str, *, verify: bool = False) -> Any:
    """A benchmark from a name :func:`load` knows, or else from a file or folder path."""
    if name_or_path in _registered or name_or_path in _found():
        return load(name_or_path, verify=verify)
    path = Path(name_or_path)
    if "+" in name_or_path and not path.exists():
        return _with_costs(name_or_path, verify=verify)
    if path.exists():
        return open_benchmark(name_or_path, verify=verify)
    if _looks_like_path(name_or_path):
        raise FileNotFoundError(f"{name_or_path}: no such file or folder (a benchmark name is one of "
                                f"{', '.join(repr(n) for n in list_benchmarks()) or 'none installed'})")
    raise UnknownNameError("benchmark (name or path)", name_or_path, list_benchmarks())


def _looks_like_path(text: str) -> bool:
    """A path rather than a benchmark name: it has a folder part or a file suffix (``.h5``)."""
    return any(sep in text for sep in (os.sep, os.altsep) if sep) or Path(text).suffix != "" or text.startswith(("~", "."))
