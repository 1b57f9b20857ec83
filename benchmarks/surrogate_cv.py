"""K-fold cross-validated quality of every surrogate preset on a small table (e.g. the NB101 / NB301 samples).

Where a table holds only a few hundred architectures (the NASLib samples of
NAS-Bench-101 and NAS-Bench-301), a train/test split wastes data; each
preset is instead scored on the held-out fold of a seeded group K-fold split
of the measured architectures (group-held-out by canonical key: isomorphic
architectures always fall in the same fold), and the Markdown table reports mean ± std over
folds.

Example (tables imported with ``nasbench import naslib-zc``)::

    python benchmarks/surrogate_cv.py --benchmark nb101.h5 --dataset cifar10 --metric valid_acc
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def cross_validate(table, dataset: str, model: str, *, metric: str, folds: int, seed: int) -> list[dict]:
    """One record per fold: the metrics of :func:`~nasbench_suite.surrogates.metrics.evaluate` and the fit time."""
    from sklearn.model_selection import GroupKFold

    from nasbench_suite.surrogates import make_surrogate
    from nasbench_suite.surrogates.metrics import evaluate

    y = np.asarray(table.query_many(None, dataset, metric=metric), dtype=float)
    ok = np.flatnonzero(np.isfinite(y))
    archs = np.asarray(table.archs, dtype=object)[ok]
    y = y[ok]
    from nasbench_suite.surrogates.training import canonical_groups

    groups = canonical_groups(table.search_space, list(archs))
    # GroupKFold balances fold sizes deterministically; permuting the rows first makes ``seed`` choose the folds
    order = np.random.default_rng(seed).permutation(len(archs))
    archs, y, groups = archs[order], y[order], groups[order]
    out = []
    for fold, (train, test) in enumerate(GroupKFold(folds).split(archs, groups=groups)):
        est = make_surrogate(model, space=table.search_space.name, random_state=seed)
        cpu = time.process_time()
        est.fit(list(archs[train]), y[train])
        fit_cpu = time.process_time() - cpu
        quality = evaluate(y[test], est.predict(list(archs[test])))
        out.append({"model": model, "fold": fold, "n_train": int(train.size), "n_test": int(test.size),
                    "fit_cpu_s": fit_cpu, **quality})  # fmt: skip
    return out


def main() -> None:
    from nasbench_suite.catalog import resolve
    from nasbench_suite.surrogates import SURROGATES

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--benchmark", required=True, help="table: a catalog name or a .h5 file")
    parser.add_argument("--dataset", default="cifar10")
    parser.add_argument("--metric", default="valid_acc")
    parser.add_argument("--models", nargs="+", default=SURROGATES.names())
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    table = resolve(args.benchmark)
    print(f"{table.name} ({table.search_space.name}), {args.dataset} {args.metric}, {args.folds}-fold CV, group-held-out by canonical key\n")
    print("| model | folds | kendall_tau | spearman | r2 | fit_cpu_s |")
    print("|---|---|---|---|---|---|")
    for model in args.models:
        runs = cross_validate(table, args.dataset, model, metric=args.metric, folds=args.folds, seed=args.seed)
        cells = []
        for key in ("kendall_tau", "spearman", "r2", "fit_cpu_s"):
            v = np.array([r[key] for r in runs], dtype=float)
            cells.append(f"{v.mean():.3f} ± {v.std(ddof=1):.3f}")
        print(f"| {model} | {len(runs)} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
