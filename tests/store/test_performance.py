"""Speed and memory of the reader on the NB201 reference table, each against a same-run baseline.

Figures are ratios to a baseline measured in the same run (machines are noisy);
``pytest --benchmark-enable tests/store/test_performance.py`` also prints them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import timeit
from pathlib import Path

import h5py
import numpy as np
import pytest

import nasbench_suite as nbs
from nasbench_suite.benchmark import METRICS


def _median_seconds(fn, *, number: int = 200, repeat: int = 15) -> float:
    return float(np.median(timeit.repeat(fn, number=number, repeat=repeat))) / number


def _interleaved_seconds(baseline, subject, *, numbers: tuple[int, int] = (1, 1), rounds: int = 7) -> tuple[float, float]:
    """Seconds per call of ``baseline`` and ``subject``: the median over rounds of each one's best of 3,
    timed alternately so that load on the machine hits both alike."""
    base, ours = [], []
    for _ in range(rounds):
        base.append(min(timeit.repeat(baseline, number=numbers[0], repeat=3)) / numbers[0])
        ours.append(min(timeit.repeat(subject, number=numbers[1], repeat=3)) / numbers[1])
    return float(np.median(base)), float(np.median(ours))


def _subject_seconds(benchmark, fn, **kw) -> float:
    benchmark(fn)
    stats = getattr(benchmark, "stats", None)
    return stats.stats.median if stats else _median_seconds(fn, **kw)


def test_open(benchmark, nb201_reference_store: Path) -> None:
    def baseline() -> None:  # the unavoidable part: open the file and read the architecture strings
        with h5py.File(nb201_reference_store, "r") as f:
            f["archs"].asstr()[()]

    def subject() -> None:
        nbs.open_benchmark(nb201_reference_store).close()

    base = _median_seconds(baseline, number=3, repeat=7)
    ours = _subject_seconds(benchmark, subject, number=3, repeat=7)
    benchmark.extra_info.update(baseline_s=base, ratio=ours / base)
    assert ours < 3 * base + 0.01, f"open took {ours * 1e3:.1f} ms vs {base * 1e3:.1f} ms to read the archs"


def _open_as_before(path: Path) -> None:
    """What opening read before damage detection: attributes, archs and each dataset's index arrays."""
    with h5py.File(path, "r") as f:
        attrs = dict(f.attrs)
        json.loads(attrs.get("protocol", "{}"))
        json.loads(attrs.get("provenance", "{}"))
        f["archs"].asstr()[()]
        for g in f["datasets"].values():
            tuple(int(e) for e in g["epochs"][()])
            tuple(int(s) for s in g["seeds"][()])
            list(g["metrics"].asstr()[()])
            json.loads(g.attrs.get("provenance", "{}"))


def test_open_with_damage_checks_against_the_previous_open(benchmark, nb201_reference_store: Path) -> None:
    """Shapes, index uniqueness and version checks on open: at most 2x the previous open, timed interleaved with it."""
    import nasbench_suite.store.reader as reader

    assert nb201_reference_store.stat().st_size > reader.VERIFY_ON_OPEN_MAX_BYTES  # no checksum on this open

    def subject() -> None:
        nbs.open_benchmark(nb201_reference_store).close()

    subject()
    _open_as_before(nb201_reference_store)
    base, ours = _interleaved_seconds(lambda: _open_as_before(nb201_reference_store), subject)
    benchmark(subject)
    benchmark.extra_info.update(before_ms=base * 1e3, after_ms=ours * 1e3, ratio=ours / base)
    print(f"open: before {base * 1e3:.1f} ms, with damage checks {ours * 1e3:.1f} ms, ratio {ours / base:.2f}")
    assert ours <= 2 * base, f"open took {ours * 1e3:.1f} ms vs {base * 1e3:.1f} ms before damage checks"


def test_query_is_faster_than_h5py(benchmark, nb201_reference_store: Path) -> None:
    bench = nbs.open_benchmark(nb201_reference_store)
    bench.query(6111, "cifar10", epoch=200)
    with h5py.File(nb201_reference_store, "r") as f:
        curves = f["datasets/cifar10/curves"]
        m = METRICS.index("test_acc")
        assert float(curves[6111, 0, 1, m]) == bench.query(6111, "cifar10", epoch=200).test_acc
        def query() -> object:
            return bench.query(6111, "cifar10", epoch=200)

        base, ours = _interleaved_seconds(lambda: float(curves[6111, 0, 1, m]), query, numbers=(100, 2000))
    benchmark(query)
    benchmark.extra_info.update(baseline_s=base, speedup=base / ours)
    print(f"query: h5py {base * 1e6:.2f} us, query {ours * 1e6:.2f} us, speedup {base / ours:.1f}")
    assert base / ours >= 4, f"query {ours * 1e6:.2f} us vs h5py {base * 1e6:.2f} us"


def test_query_many_all_architectures(benchmark, nb201_reference_store: Path) -> None:
    bench = nbs.open_benchmark(nb201_reference_store)
    bench.query_many(None, "cifar10", metric="test_acc", epoch=200)
    with h5py.File(nb201_reference_store, "r") as f:
        curves = f["datasets/cifar10/curves"]
        base = _median_seconds(lambda: curves[:, 0, 1, METRICS.index("test_acc")], number=5)
    ours = _subject_seconds(benchmark, lambda: bench.query_many(None, "cifar10", metric="test_acc", epoch=200), number=50)
    benchmark.extra_info.update(baseline_s=base)
    assert ours < base, f"query_many {ours * 1e3:.2f} ms vs one h5py column read {base * 1e3:.2f} ms"


MEMORY_SCRIPT = """
import json, resource, sys
import nasbench_suite as nbs, h5py, numpy
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
bench = nbs.open_benchmark(sys.argv[1])
bench.query(0, "cifar10"); bench.query_many(None, "cifar100", metric="test_acc")
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"before_kb": before, "after_kb": after}))
"""


def test_opening_peak_memory(nb201_reference_store: Path) -> None:
    out = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(nb201_reference_store)], capture_output=True, text=True, check=True)
    kb = json.loads(out.stdout)
    grown_mb = (kb["after_kb"] - kb["before_kb"]) / 1024
    assert grown_mb <= 100, f"opening and querying grew the peak RSS by {grown_mb:.1f} MB"
