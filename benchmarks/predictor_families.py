"""Group-held-out Kendall tau and fit time of predictor families on a table, at a few training sizes.

For each size and seed: draw the training cells uniformly (seeded), drop from
the held-out pool every cell isomorphic to a training one (canonical key),
score the predictors on up to ``--test`` of the remaining cells (the same
cells for every predictor), and print mean ± std of Kendall tau over seeds
with the median fit seconds. Predictors are :data:`~nasbench_suite.surrogates.SURROGATES`
presets or :data:`~nasbench_suite.surrogates.INFORMED` ones (given the table).

Example::

    python benchmarks/predictor_families.py --benchmark nb201-digits --metric valid_acc \
        --sizes 100 1000 --seeds 0 1 2 --predictors xgb lgbm omni --jsonl runs.jsonl
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np


def make(name: str, table, dataset: str, epoch: int, seed: int):
    from nasbench_suite.surrogates import INFORMED, make_surrogate

    space = table.search_space.name
    if name in INFORMED:
        return INFORMED.get(name)(space, benchmark=args_benchmark, dataset=dataset, target_epoch=epoch, random_state=seed)
    return make_surrogate(name, space=space, random_state=seed)


def run(table, dataset: str, metric: str, epoch: int, size: int, seed: int, names: list[str], n_test: int) -> list[dict]:
    from scipy.stats import kendalltau, spearmanr

    from nasbench_suite.surrogates.training import canonical_groups, group_split_indices

    y = table.query_many(None, dataset, metric=metric, epoch=epoch)
    ok = np.flatnonzero(np.isfinite(y))
    groups = canonical_groups(table.search_space, [table.archs[i] for i in ok])
    train, test = group_split_indices(groups, size, seed)
    test = np.sort(np.random.default_rng(seed + 10_000).permutation(test)[:n_test])
    train, test = ok[train], ok[test]
    archs = np.asarray(table.archs, dtype=object)
    out = []
    for name in names:
        est = make(name, table, dataset, epoch, seed)
        wall, cpu = time.perf_counter(), time.process_time()
        est.fit(list(archs[train]), y[train])
        fit_wall, fit_cpu = time.perf_counter() - wall, time.process_time() - cpu
        wall = time.perf_counter()
        pred = np.asarray(est.predict(list(archs[test])), dtype=np.float64)
        query = time.perf_counter() - wall
        out.append({
            "predictor": name, "dataset": dataset, "metric": metric, "epoch": epoch, "train_size": size, "seed": seed,
            "n_test": int(test.size), "kendall_tau": float(kendalltau(y[test], pred).statistic),
            "spearman": float(spearmanr(y[test], pred).statistic), "fit_wall_s": fit_wall, "fit_cpu_s": fit_cpu,
            "query_wall_s": query,
        })  # fmt: skip
        print(json.dumps(out[-1]), flush=True)
    return out


def main() -> None:
    global args_benchmark
    from nasbench_suite.surrogates.table_inputs import dataset_of, open_table

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--benchmark", required=True)
    p.add_argument("--dataset")
    p.add_argument("--metric", default="valid_acc")
    p.add_argument("--epoch", type=int, help="target epoch (default: the table's last)")
    p.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--test", type=int, default=3000, help="held-out cells scored per run")
    p.add_argument("--predictors", nargs="+", required=True)
    p.add_argument("--jsonl", type=Path)
    a = p.parse_args()
    args_benchmark = a.benchmark
    table = open_table(a.benchmark)
    dataset = dataset_of(table, a.dataset)
    epoch = a.epoch or table.epochs(dataset)[-1]
    rows = []
    for size in a.sizes:
        for seed in a.seeds:
            rows += run(table, dataset, a.metric, epoch, size, seed, a.predictors, a.test)
    if a.jsonl:
        with a.jsonl.open("a") as f:
            f.writelines(json.dumps(r) + "\n" for r in rows)
    print(f"\n{table.name} {dataset} {a.metric}@{epoch}, group-held-out, {a.test} test cells, seeds {a.seeds}\n")
    print("| predictor | " + " | ".join(f"KT @{s}" for s in a.sizes) + " | " + " | ".join(f"fit s @{s}" for s in a.sizes) + " |")
    print("|---|" + "---|" * (2 * len(a.sizes)))
    for name in a.predictors:
        kts, fits = [], []
        for s in a.sizes:
            r = [x for x in rows if x["predictor"] == name and x["train_size"] == s]
            kt = np.array([x["kendall_tau"] for x in r])
            kts.append(f"{kt.mean():.3f} ± {kt.std():.3f}")
            fits.append(f"{np.median([x['fit_cpu_s'] for x in r]):.2f}")
        print(f"| {name} | " + " | ".join(kts) + " | " + " | ".join(fits) + " |")


args_benchmark = ""

if __name__ == "__main__":
    main()
