"""Held-out quality and fit time of every surrogate preset on a trained table of any search space.

For each dataset, training-set size and seed: draw that many architectures
uniformly at random (seeded), fit each preset on their seed-mean metric,
and measure it on the other architectures, group-held-out by canonical key:
no held-out architecture is isomorphic to a training one (``--split uniform``
scores on every other architecture instead, twins included, for comparison
with figures published that way). Prints a Markdown table of
mean ± std over seeds; with ``--jsonl`` every run is appended to a file
(and runs already in it are skipped, so an interrupted sweep resumes).

Examples (the NB201 reference table, see ``nasbench import nb201-reference``, and the
shipped NAS-Bench-101 training set)::

    python benchmarks/surrogate_quality.py --benchmark nb201-ref.h5 --jsonl runs.jsonl
    python benchmarks/surrogate_quality.py --benchmark nb101-digits --datasets digits-hard \
        --models xgb ensemble --sizes 100 1000 2000 --metric valid_acc

Where the table holds networks trained with two seeds, the report also gives their
Kendall tau and the noise ceiling it implies: the Kendall tau a perfect predictor of
the noiseless mean would reach against held-out numbers of one seed's run (see
``nasbench_suite.table_stats.kendall_ceiling``). Read held-out scores against it.

Fit time is reported as wall-clock seconds and as CPU seconds of this
process (``time.process_time``): on a busy machine the CPU time is the
better estimate of the time on an idle one with the same cores.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np


def run_one(
    table, dataset: str, model: str, size: int, seed: int, metric: str, epoch: int | None, split: str = "group"
) -> dict:
    from nasbench_suite.surrogates import make_surrogate
    from nasbench_suite.surrogates.metrics import evaluate
    from nasbench_suite.surrogates.training import canonical_groups, group_split_indices, split_indices

    y = table.query_many(None, dataset, metric=metric, epoch=epoch)
    ok = np.flatnonzero(np.isfinite(y))
    if split == "group":
        groups = canonical_groups(table.search_space, [table.archs[i] for i in ok])
        train, test = group_split_indices(groups, size, seed)
    else:
        train, test = split_indices(ok.size, size, seed)
    train, test = ok[train], ok[test]
    archs = np.asarray(table.archs, dtype=object)
    est = make_surrogate(model, space=table.search_space.name, random_state=seed)
    wall, cpu = time.perf_counter(), time.process_time()
    est.fit(list(archs[train]), y[train])
    fit_wall, fit_cpu = time.perf_counter() - wall, time.process_time() - cpu
    wall = time.perf_counter()
    pred = est.predict(list(archs[test]))
    predict_wall = time.perf_counter() - wall
    quality = evaluate(y[test], pred)
    return {
        "dataset": dataset, "model": model, "train_size": size, "seed": seed, "metric": metric, "epoch": epoch,
        "split": split,
        "n_test": int(test.size), "fit_wall_s": fit_wall, "fit_cpu_s": fit_cpu,
        "predict_archs_per_s": test.size / predict_wall, **quality,
    }  # fmt: skip


def table_markdown(runs: list[dict], columns: tuple[str, ...] = ("kendall_tau", "spearman", "precision_top5", "fit_cpu_s")) -> str:
    keys = sorted({(r["dataset"], r["train_size"], r["model"]) for r in runs})
    lines = ["| dataset | train | model | seeds | " + " | ".join(columns) + " |", "|---|---|---|---|" + "---|" * len(columns)]
    for ds, size, model in keys:
        sel = [r for r in runs if (r["dataset"], r["train_size"], r["model"]) == (ds, size, model)]
        cells = []
        for c in columns:
            v = np.array([r[c] for r in sel], dtype=float)
            cells.append(f"{v.mean():.3f} ± {v.std(ddof=1) if len(v) > 1 else 0.0:.3f}" if c != "fit_cpu_s" else f"{v.mean():.1f} ± {v.std(ddof=1) if len(v) > 1 else 0.0:.1f}")
        lines.append(f"| {ds} | {size} | {model} | {len(sel)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def noise_ceiling_line(table, dataset: str, metric: str, epoch: int | None) -> str:
    """How well the table's seeds agree on ``metric`` and the held-out Kendall tau ceiling that implies."""
    from nasbench_suite.table_stats import noise_ceilings, table_stats

    stats = table_stats(table, dataset, metric=metric, epoch=epoch)
    by_seeds = noise_ceilings(stats)
    if by_seeds is None:
        return f"{dataset}: no networks trained with two seeds, so the noise ceiling is not known"
    ceilings = ", ".join(f"{v:.3f} ({k} seed{'s' if k > 1 else ''})" for k, v in by_seeds.items())
    return (f"{dataset}: seed-to-seed Kendall tau {stats.kendall:.3f} over {stats.paired_networks} networks trained "
            f"twice; noise ceiling of a held-out Kendall tau against a mean of k seeds' runs: {ceilings}")


def main(argv: list[str] | None = None) -> None:
    import nasbench_suite as nbs
    from nasbench_suite.catalog import resolve
    from nasbench_suite.surrogates import SURROGATES

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--benchmark", required=True, help="table: a catalog name or a .h5 file")
    parser.add_argument("--datasets", nargs="+", default=["cifar10", "cifar100"])
    parser.add_argument("--models", nargs="+", default=SURROGATES.names())
    parser.add_argument("--sizes", nargs="+", type=int, default=[100, 1000])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--metric", default="test_acc")
    parser.add_argument("--epoch", type=int, help="epoch (default: the final one)")
    parser.add_argument("--split", choices=["group", "uniform"], default="group",
                        help="group: held-out cells have no isomorph in training (default); uniform: every other cell")
    parser.add_argument("--jsonl", type=Path, help="append each run here; runs already present are skipped")
    args = parser.parse_args(argv)

    table = resolve(args.benchmark)
    done: list[dict] = []
    if args.jsonl and args.jsonl.exists():
        done = [json.loads(line) for line in args.jsonl.read_text().splitlines() if line.strip()]
    done = [r for r in done if r.get("split", "uniform") == args.split]
    seen = {(r["dataset"], r["model"], r["train_size"], r["seed"], r["metric"], r["epoch"]) for r in done}
    runs = [r for r in done if r["dataset"] in args.datasets and r["model"] in args.models and r["train_size"] in args.sizes]
    for ds in args.datasets:
        for size in args.sizes:
            for model in args.models:
                for seed in args.seeds:
                    if (ds, model, size, seed, args.metric, args.epoch) in seen:
                        continue
                    r = run_one(table, ds, model, size, seed, args.metric, args.epoch, args.split)
                    runs.append(r)
                    print(f"{ds} n={size} {model} seed={seed}: tau {r['kendall_tau']:.3f}, fit {r['fit_cpu_s']:.1f} cpu-s", flush=True)
                    if args.jsonl:
                        with args.jsonl.open("a") as fh:
                            fh.write(json.dumps(r) + "\n")
    print(f"\n{nbs.__name__} {nbs.__version__}, table {table.name}, metric {args.metric}, split {args.split}\n")
    print(table_markdown(runs))
    for ds in args.datasets:
        print(noise_ceiling_line(table, ds, args.metric, args.epoch))


if __name__ == "__main__":
    main()
