"""Final hypervolume of multi-objective search strategies on a table, with intervals and paired one-sided tests.

Runs (or resumes) the sweep every (strategy, seed) of ``--strategies`` x
``--seeds`` with ``--objectives`` and an evaluation budget, into
``--results`` (the harness's results file, the same bytes ``nasbench run``
writes). Each run's reported front (chosen on validation, scored on test;
``--front searched`` scores it on the validation values it searched) is
scored in the problem's fixed normalised space
(:func:`nasbench_suite.multiobjective.indicators.problem_for`: ideal 0, the table's
worst 1, reference point 1.1): its final hypervolume, hypervolume regret and
IGD+ (:func:`~nasbench_suite.multiobjective.indicators.final_indicators`).

Printed per strategy: mean final hypervolume with its 95% percentile-bootstrap
interval over seeds (the board's bootstrap, :func:`nasbench_suite.leaderboard.stats.bootstrap_ci`),
mean hypervolume regret, IGD+ and front size; then, for every ``A:B`` of
``--versus``, a paired one-sided Wilcoxon signed-rank test of "A's final
hypervolume is higher than B's", paired by seed (ties dropped,
``zero_method="wilcox"``), with A's wins / ties / losses.

Example::

    python benchmarks/mo_hypervolume.py --benchmark nb201-digits --dataset digits-hard \
        --objectives valid_acc:max,params:min --strategies rs,nsga2,mo-re,parego,mo-asha \
        --seeds 0-19 --budget-evals 200 --versus nsga2:rs,mo-re:rs --results mo.jsonl
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np


def scores(records: Sequence[dict[str, Any]], problem: Any) -> dict[str, dict[int, dict[str, float]]]:
    """Per strategy and seed, the final indicators of each successful run."""
    from nasbench_suite.multiobjective.indicators import final_indicators

    out: dict[str, dict[int, dict[str, float]]] = {}
    for rec in records:
        if rec["status"] == "ok":
            out.setdefault(rec["strategy"]["name"], {})[int(rec["seed"])] = final_indicators(rec, problem)
    return out


def summarise(per_seed: dict[int, dict[str, float]]) -> dict[str, Any]:
    """Mean and bootstrap interval of the final hypervolume, and the means of the other indicators, over seeds."""
    from nasbench_suite.leaderboard.stats import bootstrap_ci

    hv = np.array([per_seed[s]["hypervolume"] for s in sorted(per_seed)])
    lo, hi = bootstrap_ci(hv)
    mean = {k: math.fsum(per_seed[s][k] for s in per_seed) / len(per_seed)
            for k in ("hypervolume", "hypervolume_regret", "igd_plus", "front_size")}
    return {"runs": len(per_seed), "hypervolume": mean["hypervolume"], "hypervolume_ci95": [lo, hi],
            "hypervolume_regret": mean["hypervolume_regret"], "igd_plus": mean["igd_plus"], "front_size": mean["front_size"]}


def one_sided(per_a: dict[int, dict[str, float]], per_b: dict[int, dict[str, float]]) -> dict[str, Any]:
    """Paired one-sided Wilcoxon test that A's final hypervolume exceeds B's, over the seeds both finished."""
    from scipy.stats import wilcoxon

    seeds = sorted(set(per_a) & set(per_b))
    a = np.array([per_a[s]["hypervolume"] for s in seeds])
    b = np.array([per_b[s]["hypervolume"] for s in seeds])
    diff = a - b
    wins, losses = int((diff > 0).sum()), int((diff < 0).sum())
    if wins + losses == 0:
        stat, p = math.nan, 1.0
    else:
        res = wilcoxon(a, b, zero_method="wilcox", alternative="greater")
        stat, p = float(res.statistic), float(res.pvalue)
    return {"seeds": len(seeds), "wins": wins, "ties": len(seeds) - wins - losses, "losses": losses,
            "median_diff": float(np.median(diff)) if len(diff) else math.nan, "statistic": stat, "pvalue": p}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--benchmark", default="nb201-digits", help="a table name or store file (default: nb201-digits)")
    parser.add_argument("--dataset", default="digits-hard")
    parser.add_argument("--objectives", default="valid_acc:max,params:min")
    parser.add_argument("--strategies", default="rs,nsga2,mo-re,parego,mo-asha")
    parser.add_argument("--seeds", default="0-19")
    parser.add_argument("--budget-evals", type=int, default=200)
    parser.add_argument("--versus", default="nsga2:rs,mo-re:rs",
                        help="comma-separated A:B pairs, each tested one-sided for A's hypervolume > B's")
    parser.add_argument("--results", required=True, help="results file of the sweep (an existing one is resumed)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--front", choices=("reported", "searched"), default="reported",
                        help="score each run's front on its reported values (test, as boards do; default) or on the "
                             "objectives it searched (validation)")
    parser.add_argument("--json", default=None, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    from nasbench_suite.catalog import resolve
    from nasbench_suite.harness import Budget, SweepSpec, run_sweep
    from nasbench_suite.harness.results import read_results
    from nasbench_suite.harness.sweep import parse_seeds
    from nasbench_suite.multiobjective.indicators import problem_for

    strategies = tuple(args.strategies.split(","))
    pairs = [tuple(p.split(":")) for p in args.versus.split(",") if p]
    for pair in pairs:
        if len(pair) != 2 or not set(pair) <= set(strategies):
            raise SystemExit(f"--versus: {':'.join(pair)!r} is not A:B of two strategies of --strategies ({args.strategies})")
    spec = SweepSpec(benchmark=args.benchmark, dataset=args.dataset, strategies=strategies,
                     seeds=parse_seeds(args.seeds), budget=Budget.evals(args.budget_evals), objectives=args.objectives)
    wall = time.perf_counter()
    run_sweep(spec, args.results, jobs=args.jobs, progress=False)
    wall = time.perf_counter() - wall
    records = [r for r in read_results(args.results) if r["strategy"]["name"] in strategies]
    problem = problem_for(resolve(args.benchmark), args.dataset, args.objectives, epoch=int(records[0]["epoch"]),
                          reported=args.front == "reported")
    per = scores(records, problem)
    table = {name: summarise(per[name]) for name in strategies if name in per}
    tests = {f"{a}>{b}": one_sided(per[a], per[b]) for a, b in pairs}

    print(f"{args.benchmark} / {args.dataset}, objectives {args.objectives}, {args.budget_evals} evaluations, "
          f"seeds {args.seeds}; {args.front} front values; true front {len(problem.front)} points, hypervolume {problem.true_hypervolume:.5f} "
          f"(sweep {wall:.0f} s)")
    print("| strategy | runs | final hypervolume [95% CI] | HV regret | IGD+ | front size |")
    print("|:---|---:|---:|---:|---:|---:|")
    for name, row in sorted(table.items(), key=lambda kv: -kv[1]["hypervolume"]):
        lo, hi = row["hypervolume_ci95"]
        print(f"| {name} | {row['runs']} | {row['hypervolume']:.4f} [{lo:.4f}, {hi:.4f}] | {row['hypervolume_regret']:.4f} | "
              f"{row['igd_plus']:.4f} | {row['front_size']:.1f} |")
    print()
    print("| one-sided test (hypervolume) | W/T/L | median diff | W | p |")
    print("|:---|---:|---:|---:|---:|")
    for name, t in tests.items():
        print(f"| {name.replace('>', ' > ')} | {t['wins']}/{t['ties']}/{t['losses']} | {t['median_diff']:.4f} | "
              f"{t['statistic']:.1f} | {t['pvalue']:.3g} |")
    if args.json:
        Path(args.json).write_text(json.dumps({"settings": vars(args), "true_hypervolume": problem.true_hypervolume,
                                               "strategies": table, "tests": tests}, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
