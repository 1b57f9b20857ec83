"""Seeded byte-flip and truncation fuzzing of stores and importer inputs (run as a child process).

``python tests/fuzz_cases.py GROUP FLIPS CUTS SEED WORKDIR SOURCE...`` mutates
copies of the SOURCE files (one random byte XORed with a random non-zero mask
per flip case, a random prefix per truncation case), loads each through the
suite exactly as a user would, and prints one JSON summary line:

- ``error``: the load raised a nasbench-suite error (``NasBenchError``);
- ``unchanged``: it succeeded and every served value equals the original's;
- ``changed_valid``: (text formats only: CSV, JSON) it succeeded with other
  values, every one possible for its metric, and the store written from them
  reads back exactly: the mutation made another well-formed input;
- ``silent``: it succeeded with other values where the format is checksummed
  (stores, bz2 pickles, TFRecords) or with an impossible value: must be 0;
- ``unexpected``: any other exception type: must be 0.

It runs in a child process so that a crash (a segfault in a native library)
fails the calling test instead of killing pytest; the case started last is
printed before each load.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

#: groups whose format carries no integrity data: a flipped digit is another valid file
TEXT_GROUPS = frozenset({"nb201-reference", "naslib-zc", "image-pickle"})


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or a.dtype.kind != b.dtype.kind:
            return False
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (a != a and b != b)
    return type(a) is type(b) and a == b


# ------------------------------------------------------------ the test side
REPO = Path(__file__).resolve().parent.parent


def run_fuzz(group: str, flips: int, cuts: int, seed: int, sources: list[Path], tmp: Path, *extra: str) -> dict:
    """Run GROUP's cases in a child process and return its summary; fails naming the case it died in."""
    import subprocess

    cmd = [sys.executable, __file__, group, str(flips), str(cuts), str(seed), str(tmp), *map(str, sources), *extra]
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, cwd=REPO, env=env)
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert out.returncode == 0 and lines and "group" in lines[-1], (
        f"the fuzz child died (status {out.returncode}) during {lines[-1] if lines else 'setup'}: {out.stderr[-3000:]}"
    )
    summary = lines[-1]
    print(json.dumps(summary))
    return summary


def check_contract(summary: dict, *, text_format: bool = False) -> None:
    """No crash, no unexpected exception type, no silent change; ``changed_valid`` only for text formats."""
    assert summary["unexpected"] == 0, summary["examples"]
    assert summary["silent"] == 0, summary["examples"]
    if not text_format:
        assert summary["changed_valid"] == 0
    assert summary["cases"] == summary["error"] + summary["unchanged"] + summary["changed_valid"]


# ------------------------------------------------------------- what is served
def served_store(path: Path) -> dict[str, Any]:
    """Everything a TableBenchmark serves, read through its public API."""
    import nasbench_suite as nbs
    from nasbench_suite.benchmark import METRICS

    with nbs.open_benchmark(path) as b:
        out: dict[str, Any] = {
            "meta": [b.name, b.space_name, b.checksum, b.row_order, b.protocol, b.provenance, b.created_by, b.archs],
            "datasets": {},
        }
        for ds in b.datasets:
            epochs = b.epochs(ds)
            d: dict[str, Any] = {
                "index": [epochs, b.seeds(ds), b.metric_names(ds), b.dataset_provenance(ds)],
                "curves": b.curves(ds),
                "costs": b.costs(ds),
                "columns": b.columns(ds),
                "query": [
                    [list(b.query(a, ds, epoch=e)) for a in range(len(b.archs))] for e in (epochs[0], epochs[-1])
                ],
                "many": [b.query_many(None, ds, metric=m, seed=s) for m in METRICS for s in b.seeds(ds)],
            }
            out["datasets"][ds] = d
    return out


def data_values(data: Any) -> dict[str, Any]:
    """The numbers and names of a BenchmarkData (its provenance's file digests change with any byte)."""
    return {
        "archs": list(data.archs),
        "space": data.search_space,
        "datasets": {
            name: [np.asarray(t.epochs), np.asarray(t.seeds), list(t.metrics), np.asarray(t.curves, dtype=np.float64),
                   np.asarray(t.costs, dtype=np.float64), list(t.cost_names),
                   {k: np.asarray(v, dtype=np.float64) for k, v in t.columns.items()}]
            for name, t in data.datasets.items()
        },
    }  # fmt: skip


def _same_structure(a: Any, b: Any) -> bool:
    """Same keys, types, dtypes and shapes (a dataset pickle whose pixel or label values differ)."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same_structure(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same_structure(x, y) for x, y in zip(a, b))
    return type(a) is type(b)


def _possible(data: Any, workdir: Path) -> bool:
    """Every value possible, and the store written from ``data`` serves exactly those values."""
    import nasbench_suite as nbs
    from nasbench_suite.errors import NasBenchError
    from nasbench_suite.store import write_store

    path = workdir / "roundtrip.h5"
    try:
        write_store(path, data)  # the writer checks every value against its range
    except NasBenchError:
        return False
    with nbs.open_benchmark(path, verify=True) as b:
        for name, t in data.datasets.items():
            if not np.array_equal(b.curves(name), np.asarray(t.curves, dtype=np.float64), equal_nan=True):
                return False
    return True


# --------------------------------------------------------------------- loaders
def _loaders(group: str, sources: list[Path], args: list[str]) -> Callable[[list[Path]], Any]:
    if group == "store":
        return lambda paths: served_store(paths[0])
    if group == "nb101-tfrecord":
        from nasbench_suite.importers.nb101_tfrecord import read_nb101_tfrecord

        return lambda paths: read_nb101_tfrecord(paths[0], progress=False)
    if group == "naslib-zc":
        from nasbench_suite.importers.naslib_zc import read_naslib_zc

        return lambda paths: read_naslib_zc(paths, space=args[0])
    if group == "nb201-reference":
        from nasbench_suite.importers.nb201_reference import read_nb201_reference

        return lambda paths: read_nb201_reference(paths[0], paths[1])
    if group == "nats-archive":
        from nasbench_suite.importers.nats_archive import read_nats_archive

        return lambda paths: read_nats_archive(paths[0].parent, progress=False)
    if group == "image-pickle":
        from nasbench_suite.training.image_files import safe_load_pickle

        return lambda paths: safe_load_pickle(paths[0])
    raise SystemExit(f"unknown group {group!r}")


def _mutations(sizes: list[int], flips: int, cuts: int, seed: int) -> list[tuple[str, int, int, int]]:
    """(kind, file, position, mask or length) per case, from one seeded generator."""
    rng = np.random.default_rng(seed)
    total = sum(sizes)
    cases = []
    for kind, n in (("flip", flips), ("cut", cuts)):
        for _ in range(n):
            pos = int(rng.integers(total))
            f = next(i for i in range(len(sizes)) if pos < sum(sizes[: i + 1]))
            local = pos - sum(sizes[:f])
            cases.append((kind, f, local, int(rng.integers(1, 256)) if kind == "flip" else local))
    return cases


def main(argv: list[str]) -> int:
    group, flips, cuts, seed, workdir, *rest = argv
    extra = [a[2:] for a in rest if a.startswith("--")]
    sources = [Path(a) for a in rest if not a.startswith("--")]
    workdir_path = Path(tempfile.mkdtemp(dir=workdir))
    from nasbench_suite.errors import NasBenchError

    load = _loaders(group, sources, extra)
    # the mutated copies keep their names (importers read names) in a fresh folder per case
    originals = [p.read_bytes() for p in sources]
    siblings = [p for p in sources[0].parent.iterdir() if p.is_file()] if group == "nats-archive" else []

    def setup(contents: list[bytes]) -> list[Path]:
        folder = workdir_path / ("case-" + sources[0].parent.name)
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir()
        for sib in siblings:
            shutil.copyfile(sib, folder / sib.name)
        paths = []
        for src, data in zip(sources, contents):
            (folder / src.name).write_bytes(data)
            paths.append(folder / src.name)
        return paths

    def snapshot(result: Any) -> Any:
        if group in ("store", "image-pickle"):
            return result
        return data_values(result)

    reference = snapshot(load(setup(originals)))
    counts = {"cases": 0, "error": 0, "unchanged": 0, "changed_valid": 0, "silent": 0, "unexpected": 0}
    errors: dict[str, int] = {}
    examples: list[str] = []
    for kind, f, pos, arg in _mutations([len(o) for o in originals], int(flips), int(cuts), int(seed)):
        contents = list(originals)
        if kind == "flip":
            b = bytearray(contents[f])
            b[pos] ^= arg
            contents[f] = bytes(b)
        else:
            contents[f] = contents[f][:arg]
        label = f"{kind} {sources[f].name}@{pos}" + (f" ^{arg:#04x}" if kind == "flip" else "")
        print(json.dumps({"started": label}), flush=True)
        counts["cases"] += 1
        paths = setup(contents)
        try:
            result = load(paths)
        except NasBenchError as exc:
            counts["error"] += 1
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            continue
        except Exception as exc:  # noqa: BLE001 - the contract: no other exception type
            counts["unexpected"] += 1
            examples.append(f"{label}: unexpected {type(exc).__name__}: {str(exc)[:300]}")
            continue
        if _equal(snapshot(result), reference):
            counts["unchanged"] += 1
        elif group == "image-pickle" and _same_structure(result, reference):
            counts["changed_valid"] += 1
        elif group in TEXT_GROUPS and group != "image-pickle" and _possible(result, workdir_path):
            counts["changed_valid"] += 1
        else:
            counts["silent"] += 1
            examples.append(f"{label}: values changed without an error")
    shutil.rmtree(workdir_path, ignore_errors=True)
    print(json.dumps({"group": group, **counts, "errors_by_type": errors, "examples": examples[:10]}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
