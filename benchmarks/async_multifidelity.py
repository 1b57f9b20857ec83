"""Asynchronous multi-fidelity strategies on the time track with several workers: reproducibility and regret.

Runs ``hyperband``, ``bohb``, ``asha``, ``asha-promotion``, ``async-hb``, ``dehb`` and ``mobster`` on
``nb201-digits`` ``digits-hard`` (target epoch 12, the published time board's 480 simulated seconds) with 4
simulated workers over 20 seeds, **twice**, into two results files, and reports:

- whether the two files are byte-identical (their sha256),
- per strategy, the mean final regret (percentage points of test accuracy against the table optimum) with
  its 95% percentile-bootstrap interval over seeds (the boards' interval),
- paired one-sided Wilcoxon signed-rank tests of final regret by seed (ties dropped): ``asha`` below
  ``hyperband``, and ``mobster`` below ``asha``, with wins/ties/losses.

Usage::

    python benchmarks/async_multifidelity.py --out /tmp/amf            # the two files stay in /tmp/amf
    python benchmarks/async_multifidelity.py --seeds 0-4 --jobs 2      # a quick look

Exit status 1 when the two files differ.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

STRATEGIES = ("hyperband", "bohb", "asha", "asha-promotion", "async-hb", "dehb", "mobster")
#: (better, worse): one-sided tests that the first has lower final regret than the second
TESTS = (("asha", "hyperband"), ("mobster", "asha"))
BENCH, DATASET, EPOCH = "nb201-digits", "digits-hard", 12


def sweep(out: Path, *, seeds: str, seconds: float, workers: int, jobs: int) -> tuple[str, float]:
    """Run every strategy x seed into ``out`` (afresh); the file's sha256 and the wall seconds it took."""
    from nasbench_suite.harness import Budget, SweepSpec, parse_seeds, run_sweep

    out.unlink(missing_ok=True)
    spec = SweepSpec(benchmark=BENCH, dataset=DATASET, strategies=STRATEGIES, seeds=parse_seeds(seeds),
                     budget=Budget.seconds(seconds), epoch=EPOCH, workers=workers)
    t0 = time.perf_counter()
    run_sweep(spec, out, jobs=jobs, progress=False)
    return hashlib.sha256(out.read_bytes()).hexdigest(), time.perf_counter() - t0


def final_regrets(path: Path) -> dict[str, dict[int, float]]:
    """strategy -> seed -> final regret of the run (failed runs are an error: this benchmark expects none)."""
    from nasbench_suite.harness.results import read_results

    out: dict[str, dict[int, float]] = {}
    for rec in read_results(path):
        if rec["status"] != "ok":
            raise RuntimeError(f"{rec['strategy']['name']} seed {rec['seed']} failed: {rec.get('error')}")
        out.setdefault(rec["strategy"]["name"], {})[int(rec["seed"])] = float(rec["final"]["regret"])
    return out


def paired_test(better: dict[int, float], worse: dict[int, float]) -> dict[str, Any]:
    """One-sided Wilcoxon signed-rank test that ``better`` has lower regret than ``worse``, paired by seed."""
    from scipy.stats import wilcoxon

    seeds = sorted(set(better) & set(worse))
    a, b = np.array([better[s] for s in seeds]), np.array([worse[s] for s in seeds])
    d = a - b
    wins, ties, losses = int((d < 0).sum()), int((d == 0).sum()), int((d > 0).sum())
    p = float(wilcoxon(a[d != 0], b[d != 0], alternative="less").pvalue) if wins + losses else 1.0
    return {"wins": wins, "ties": ties, "losses": losses, "median_diff": float(np.median(d)), "p": p}


def summary(regrets: dict[str, dict[int, float]]) -> dict[str, Any]:
    """Mean final regret with its bootstrap interval per strategy, and the paired tests."""
    from nasbench_suite.leaderboard.stats import bootstrap_ci

    rows = {}
    for name in STRATEGIES:
        values = np.array([regrets[name][s] for s in sorted(regrets[name])])
        lo, hi = bootstrap_ci(values)
        rows[name] = {"mean": float(values.mean()), "ci95": [float(lo), float(hi)], "seeds": len(values)}
    tests = {f"{a} < {b}": paired_test(regrets[a], regrets[b]) for a, b in TESTS}
    return {"regret": rows, "tests": tests}


def render(result: dict[str, Any]) -> str:
    lines = ["| strategy | final regret (pp), mean [95% CI] |", "|:---|---:|"]
    for name, row in sorted(result["regret"].items(), key=lambda kv: kv[1]["mean"]):
        lines.append(f"| {name} | {row['mean']:.3f} [{row['ci95'][0]:.3f}, {row['ci95'][1]:.3f}] |")
    lines += ["", "| one-sided test (regret) | W/T/L | median diff (pp) | p |", "|:---|---:|---:|---:|"]
    for label, t in result["tests"].items():
        lines.append(f"| {label} | {t['wins']}/{t['ties']}/{t['losses']} | {t['median_diff']:.3f} | {t['p']:.2g} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="0-19")
    parser.add_argument("--seconds", type=float, default=480.0, help="simulated seconds per run (the time board's)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--out", default=None, help="folder for the two results files (default: a temporary one)")
    parser.add_argument("--json", default=None, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.out or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        runs = [sweep(folder / f"run-{k}.jsonl", seeds=args.seeds, seconds=args.seconds, workers=args.workers,
                      jobs=args.jobs) for k in ("a", "b")]
        result = summary(final_regrets(folder / "run-a.jsonl"))
    result["sha256"] = [h for h, _ in runs]
    result["identical"] = runs[0][0] == runs[1][0]
    result["wall_seconds"] = [round(s, 1) for _, s in runs]
    result["settings"] = {"benchmark": BENCH, "dataset": DATASET, "epoch": EPOCH, "seconds": args.seconds,
                          "workers": args.workers, "seeds": args.seeds}
    print(f"results files: sha256 {runs[0][0]} and {runs[1][0]}: {'identical' if result['identical'] else 'DIFFERENT'}"
          f" (each sweep {runs[0][1]:.0f} s and {runs[1][1]:.0f} s wall)")
    print(render(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0 if result["identical"] else 1


if __name__ == "__main__":
    sys.exit(main())
