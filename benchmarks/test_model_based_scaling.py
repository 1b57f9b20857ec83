"""Model-based strategies at 1,000 evaluations: the previous algorithms beside the current defaults, in one run.

For ``gp-bo`` (``update="refit"``: scikit-learn's regressor refit on every
proposal; default ``"incremental"``), ``bananas`` (``update="refit"``: a fresh
ensemble per batch; default ``"warm"``) and ``tpe``
(``implementation="optuna"``: Optuna's sampler; default ``"numpy"``), and for
``smac`` (whose proposals did not change), each case runs the same seeds on
``nb201-digits`` and records every run's CPU seconds (one thread, as the
harness runs it) and final regret. The last test prints every strategy's
variants side by side and compares each pair: CPU time as a ratio (so the
assertion holds on slow and fast machines), regret with a paired one-sided
Wilcoxon test that the current default is worse. With
``NASBENCH_SCALING_STRICT=1`` it also asserts the absolute target: every
current default at most ``MAX_CPU_SECONDS`` per run (machines are noisy, so
only on request). Run::

    pytest benchmarks/test_model_based_scaling.py -m slow --benchmark-enable -s

``NASBENCH_SCALING_EVALS`` (1000) and ``NASBENCH_SCALING_SEEDS`` (20) change the
budget and the seed count; ``NASBENCH_SCALING_LOG`` names a JSON Lines file that
receives one row per run as it finishes, and the summary. The previous
variants take most of the time (``gp-bo``'s refit about a minute a run);
``NASBENCH_SCALING_REUSE`` names such a log of an earlier run whose rows
(same strategy, variant, parameters, budget, every seed) stand in for the
cases not run in this one, e.g. run ``-k previous`` once, then ``-k current``.
"""

from __future__ import annotations

import json
import math
import os
import time
from typing import Any

import numpy as np
import pytest

from nasbench_suite.harness.budget import Budget
from nasbench_suite.harness.runner import Task, run_task

EVALS = int(os.environ.get("NASBENCH_SCALING_EVALS", "1000"))
SEEDS = int(os.environ.get("NASBENCH_SCALING_SEEDS", "20"))
LOG = os.environ.get("NASBENCH_SCALING_LOG")
BENCH, DATASET = "nb201-digits", "digits-hard"

#: (strategy, variant, params); "previous" is the algorithm the published boards ran
CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("gp-bo", "current", {}),
    ("bananas", "current", {}),
    ("tpe", "current", {}),
    ("smac", "current", {}),
    ("bananas", "previous", {"update": "refit"}),
    ("gp-bo", "previous", {"update": "refit"}),
    ("tpe", "previous", {"implementation": "optuna"}),
]
#: current CPU time / previous CPU time, at most
MAX_TIME_RATIO = {"gp-bo": 0.25, "bananas": 0.35, "tpe": 0.5}
#: CPU seconds per run of every current default, at most (checked with NASBENCH_SCALING_STRICT=1)
MAX_CPU_SECONDS = 5.0
STRICT = os.environ.get("NASBENCH_SCALING_STRICT") == "1"
REUSE = os.environ.get("NASBENCH_SCALING_REUSE")

RUNS: dict[tuple[str, str], list[dict[str, Any]]] = {}


def _log(row: dict[str, Any]) -> None:
    if LOG:
        with open(LOG, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(row, sort_keys=True) + "\n")


def _run(name: str, params: dict[str, Any], seed: int, evals: int) -> tuple[float, float]:
    """CPU seconds and final regret of one run."""
    cpu = time.process_time()
    _, line = run_task(Task(BENCH, DATASET, None, Budget.evals(evals), 1, name, seed, dict(params)))
    seconds = time.process_time() - cpu
    rec = json.loads(line)
    assert rec["status"] == "ok", rec.get("error")
    return seconds, float(rec["final"]["regret"])


@pytest.mark.slow
@pytest.mark.parametrize(("name", "variant", "params"), CASES, ids=[f"{n}-{v}" for n, v, _ in CASES])
def test_search_at_full_budget(benchmark: Any, name: str, variant: str, params: dict[str, Any]) -> None:
    _run(name, params, 10_000, 30)  # imports and caches outside the timing
    rows: list[dict[str, Any]] = []

    def all_seeds() -> None:
        for seed in range(SEEDS):
            seconds, regret = _run(name, params, seed, EVALS)
            row = {"strategy": name, "variant": variant, "params": params, "seed": seed, "evals": EVALS,
                   "cpu_seconds": round(seconds, 3), "regret": regret}
            rows.append(row)
            _log(row)

    benchmark.pedantic(all_seeds, rounds=1, iterations=1)
    RUNS[(name, variant)] = rows
    cpu = [r["cpu_seconds"] for r in rows]
    benchmark.extra_info.update({"cpu_seconds_mean": float(np.mean(cpu)), "regret_mean": float(np.mean([r["regret"] for r in rows])),
                                 "seeds": SEEDS, "evals": EVALS})


def _reused() -> None:
    """Fill the cases this run did not make from the ``NASBENCH_SCALING_REUSE`` log, where it has them all."""
    if not REUSE:
        return
    with open(REUSE, encoding="utf-8") as fh:
        logged = [json.loads(line) for line in fh if line.strip()]
    for name, variant, params in CASES:
        if (name, variant) in RUNS:
            continue
        rows = {r["seed"]: r for r in logged if not r.get("summary") and r["strategy"] == name
                and r["variant"] == variant and r["params"] == params and r["evals"] == EVALS}
        if all(seed in rows for seed in range(SEEDS)):
            RUNS[(name, variant)] = [rows[seed] for seed in range(SEEDS)]


def _ci(x: np.ndarray) -> float:
    """Half-width of the 95% t interval of the mean."""
    from scipy.stats import t

    return float(t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))) if len(x) > 1 else math.nan


@pytest.mark.slow
def test_current_defaults_are_faster_and_no_worse() -> None:
    from scipy.stats import wilcoxon

    _reused()
    pairs = [n for n in MAX_TIME_RATIO if (n, "current") in RUNS and (n, "previous") in RUNS]
    if not pairs:
        pytest.skip("run the previous and current cases of a strategy in the same session first")
    lines = []
    for name in sorted({n for n, _ in RUNS}):
        for variant in ("previous", "current"):
            rows = RUNS.get((name, variant))
            if rows:
                cpu, reg = np.array([r["cpu_seconds"] for r in rows]), np.array([r["regret"] for r in rows])
                lines.append(f"{name:8s} {variant:9s} cpu {cpu.mean():7.2f} s/run  regret {reg.mean():.3f} "
                             f"+- {_ci(reg):.3f} ({len(rows)} seeds, {EVALS} evals)")
    failures = []
    for name in pairs:
        old, new = RUNS[(name, "previous")], RUNS[(name, "current")]
        assert [r["seed"] for r in old] == [r["seed"] for r in new]
        ratio = np.mean([r["cpu_seconds"] for r in new]) / np.mean([r["cpu_seconds"] for r in old])
        diff = np.array([b["regret"] - a["regret"] for a, b in zip(old, new)])
        # one-sided: is the current default's regret larger? (all-zero differences: nothing to test)
        p = float(wilcoxon(diff, alternative="greater").pvalue) if np.any(diff != 0) else 1.0
        lines.append(f"{name:8s} current/previous cpu ratio {ratio:.3f}; regret difference {diff.mean():+.3f} "
                     f"+- {_ci(diff):.3f}, Wilcoxon p(current worse) = {p:.3f}")
        _log({"strategy": name, "summary": True, "cpu_ratio": ratio, "regret_diff_mean": float(diff.mean()),
              "regret_diff_ci": _ci(diff), "wilcoxon_p_current_worse": p})
        if ratio > MAX_TIME_RATIO[name]:
            failures.append(f"{name}: CPU ratio {ratio:.3f} > {MAX_TIME_RATIO[name]}")
        if p < 0.05:
            failures.append(f"{name}: the current default's regret is significantly worse (p = {p:.3f})")
    if STRICT:
        for (name, variant), rows in sorted(RUNS.items()):
            mean = float(np.mean([r["cpu_seconds"] for r in rows]))
            if variant == "current" and mean > MAX_CPU_SECONDS:
                failures.append(f"{name}: {mean:.2f} CPU s per run > {MAX_CPU_SECONDS}")
    print("\n" + "\n".join(lines))
    assert not failures, failures
