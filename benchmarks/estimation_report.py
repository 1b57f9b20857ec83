"""Measure the cheap performance estimators against a table's ground truth; print Markdown tables.

Sections (``--only`` picks some):

``zc``    each zero-cost proxy's Kendall tau / Spearman rho against the final
          (seed-mean) valid accuracy, over isomorphism classes where the proxy
          is defined; the sweep's compute time (computed with ``--workers``
          processes and written to ``--zc-table`` unless that file exists).
``ws``    DARTS / GDAS / RS-WS run as harness strategies: the looked-up test
          accuracy of the derived cell over ``--seeds`` seeds, its supernet
          training time, and how often DARTS derives parameter-free cells.
``lc``    learning-curve extrapolation from the first k epochs to the final
          epoch: parametric fit, ridge and GBM on the prefix (GBM also with a
          one-hot encoding of the cell) trained on a random 10% of the classes,
          and the last-value baseline, on the other 90%.
``naslib`` our proxies (computed on digits) against NAS-Bench-Suite-Zero's
          published NB201 CIFAR-10 scores (``--naslib``), on the architectures
          both hold: the correlation between the two, and each one's own
          correlation with its own accuracy on those architectures.
``warm``  regularized evolution vs. the same warm-started with the top cells
          of a proxy (``zc-re``), mean final test accuracy at several budgets.

Example::

    nice -n 10 .venv/bin/python benchmarks/estimation_report.py --benchmark datasets/nb201-digits.h5 \\
        --zc-table /tmp/nb201-digits-zc.h5 --workers 2 --seeds 5
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from nasbench_suite import open_benchmark
from nasbench_suite.table_stats import distinct_rows
from nasbench_suite.spaces.nb201 import Architecture

SECTIONS = ("zc", "naslib", "ws", "lc", "warm")


def _corr(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    return float(stats.kendalltau(x, y)[0]), float(stats.spearmanr(x, y)[0])


def _ms(values: list[float], digits: int = 2) -> str:
    a = np.asarray(values, dtype=float)
    return f"{a.mean():.{digits}f} ± {a.std(ddof=1) if len(a) > 1 else 0.0:.{digits}f}"


def section_zc(args: argparse.Namespace, out: dict[str, Any]) -> None:
    from nasbench_suite.estimation.zc_sweep import zc_sweep

    if not Path(args.zc_table).exists():
        zc_sweep(args.benchmark, args.zc_table, proxies="all", workers=args.workers, show_progress=True)
    bench = open_benchmark(args.zc_table)
    ds = args.dataset or bench.datasets[0]
    rows = distinct_rows(bench)
    truth = bench.query_many(None, ds, metric="valid_acc")[rows]
    cols = bench.columns(ds)
    prov = bench.dataset_provenance(ds)["zero_cost"]
    print(f"\n### Zero-cost proxies vs final valid accuracy ({bench.name}, {ds}, epoch {bench.epochs(ds)[-1]}, "
          f"{len(rows)} isomorphism classes; setup {prov['setup']})\n")
    print("| proxy | Kendall tau | Spearman rho | classes defined | compute s (summed over workers) |")
    print("|---|---:|---:|---:|---:|")
    res = {}
    for p in sorted(prov["proxies"]):
        v = cols[f"zc/{p}"][rows]
        ok = ~np.isnan(v)
        tau, rho = _corr(v[ok], truth[ok])
        res[p] = {"kendall": tau, "spearman": rho, "defined": int(ok.sum())}
        print(f"| {p} | {tau:.3f} | {rho:.3f} | {ok.sum()} / {len(rows)} | {prov['compute']['proxy_seconds_summed'][p]:.0f} |")
    c = prov["compute"]
    print(f"\nAll {len(prov['proxies'])} proxies for {prov['isomorphism_classes_computed']} classes "
          f"({len(bench.archs)} architectures): {c['wall_seconds']:.0f} s wall on {c['workers']} single-threaded workers.")
    print("Undefined values (NaN): " + "; ".join(f"{p}: {n}" for p, n in prov["undefined_counts"].items() if n)
          + f" architectures -- reason: {sorted({r for rs in prov['reasons'].values() for r in rs})}")
    out["zc"] = {"correlations": res, "compute": c}


def section_naslib(args: argparse.Namespace, out: dict[str, Any]) -> None:
    from nasbench_suite.importers.naslib_zc import read_naslib_zc

    ours = open_benchmark(args.zc_table)
    ds = args.dataset or ours.datasets[0]
    theirs = read_naslib_zc(args.naslib, space="nb201")
    their_ds = next(iter(theirs.datasets))
    table = theirs.datasets[their_ds]
    row_of = {a: i for i, a in enumerate(ours.archs)}
    shared = [(i, row_of[a]) for i, a in enumerate(theirs.archs) if a in row_of]
    if not shared:
        raise SystemExit(f"{args.naslib} shares no architecture with {args.zc_table}")
    t_rows, o_rows = (np.array(r) for r in zip(*shared))
    their_acc = table.curves[t_rows, 0, 0, table.metrics.index("valid_acc")]
    our_acc = ours.query_many(None, ds, metric="valid_acc")[o_rows]
    cols = ours.columns(ds)
    print(f"\n### Our proxies ({ours.name}, {ds}, untrained light C=8 network, one minibatch) vs NASLib's "
          f"({Path(args.naslib).name}: {their_ds}, official NB201 network) on the {len(shared)} architectures both hold\n")
    print("| proxy | ours vs theirs: Spearman | Kendall | theirs vs CIFAR-10 valid acc: Spearman | "
          "ours vs digits valid acc: Spearman | pairs |")
    print("|---|---:|---:|---:|---:|---:|")
    res = {}
    names = sorted(k[3:] for k in cols if k.startswith("zc/"))
    for p in names:
        mine = cols[f"zc/{p}"][o_rows]
        if p in ("params", "flops"):
            other = table.costs[t_rows, table.cost_names.index(p)]
        elif f"zc/{p}" in table.columns:
            other = table.columns[f"zc/{p}"][t_rows]
        else:
            continue
        ok = ~np.isnan(mine) & ~np.isnan(other) & (other != -1e8)  # -1e8: NASLib's mark of a failed proxy
        tau, rho = _corr(mine[ok], other[ok])
        their_rho = float(stats.spearmanr(other[ok], their_acc[ok])[0])
        our_rho = float(stats.spearmanr(mine[ok], our_acc[ok])[0])
        res[p] = {"spearman": rho, "kendall": tau, "theirs_vs_acc": their_rho, "ours_vs_acc": our_rho, "pairs": int(ok.sum())}
        print(f"| {p} | {rho:.3f} | {tau:.3f} | {their_rho:.3f} | {our_rho:.3f} | {ok.sum()} |")
    print(f"\nFor scale: Spearman of the two accuracies (CIFAR-10 valid vs digits valid) on these architectures: "
          f"{stats.spearmanr(their_acc, our_acc)[0]:.3f}")
    out["naslib"] = {"proxies": res, "shared": len(shared), "accuracy_spearman": float(stats.spearmanr(their_acc, our_acc)[0])}


def section_ws(args: argparse.Namespace, out: dict[str, Any]) -> None:
    from nasbench_suite.harness import Budget, Lookup, simulate
    from nasbench_suite.strategies import SearchContext, get_strategy

    bench = open_benchmark(args.benchmark)
    ds = args.dataset or bench.datasets[0]
    lookup = Lookup(bench, ds)
    test = bench.query_many(None, ds, metric="test_acc")
    print(f"\n### One-shot search on {bench.name} ({ds}): derived cell looked up in the table, {args.seeds} seeds\n")
    print(f"Reference: random cell {np.nanmean(test):.2f} % test, best cell {np.nanmax(test):.2f} %.\n")
    print("| method | epochs | test acc of derived cell (%) | best of first 10 proposals (on valid) | "
          "supernet time wall s | CPU s | parameter-free cells | skip_connect ops / 6 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    res = {}
    for name in ("ws-darts", "ws-gdas", "ws-rsws"):
        params = {"epochs": args.ws_epochs}
        rows = []
        for seed in range(args.seeds):
            strategy = get_strategy(name)(SearchContext(lookup.space, lookup.fidelities), seed=seed, **params)
            outcome = simulate(strategy, lookup, Budget.evals(10))
            if outcome.status != "ok":
                raise RuntimeError(f"{name} seed {seed} failed: {outcome.error}")
            derived = outcome.records[0][1]
            best = outcome.records[outcome.records[-1][3]][1]
            ops = strategy.derived.ops
            rows.append({"seed": seed, "arch": derived.arch_str, "test": derived.final_test, "valid": derived.valid,
                         "best10_test": best.final_test, "wall": strategy.search_cost_seconds,
                         "cpu": strategy.search_cpu_seconds, "skips": ops.count("skip_connect"),
                         "param_free": all(o in ("skip_connect", "avg_pool_3x3", "none") for o in ops)})
        res[name] = rows
        print(f"| {name} | {args.ws_epochs} | {_ms([r['test'] for r in rows])} | {_ms([r['best10_test'] for r in rows])} | "
              f"{_ms([r['wall'] for r in rows], 1)} | {_ms([r['cpu'] for r in rows], 1)} | "
              f"{sum(r['param_free'] for r in rows)} / {len(rows)} | {_ms([r['skips'] for r in rows], 1)} |")
    print("\nDerived cells:")
    for name, rows in res.items():
        for r in rows:
            print(f"- {name} seed {r['seed']}: `{r['arch']}` test {r['test']:.2f} %")
    out["ws"] = res


def section_lc(args: argparse.Namespace, out: dict[str, Any]) -> None:
    from nasbench_suite.estimation.learning_curves import LearnedCurvePredictor, ParametricExtrapolator, last_value

    bench = open_benchmark(args.benchmark)
    ds = args.dataset or bench.datasets[0]
    epochs = list(bench.epochs(ds))
    rows = distinct_rows(bench)
    curves = np.stack([bench.query_many(None, ds, metric="valid_acc", epoch=e)[rows] for e in epochs], axis=1)
    onehot = np.array([np.eye(5)[list(Architecture.from_string(bench.archs[r]).op_ids)].ravel() for r in rows])
    final = curves[:, -1]
    rng = np.random.default_rng(0)
    train = np.zeros(len(rows), dtype=bool)
    train[rng.choice(len(rows), size=len(rows) // 10, replace=False)] = True
    ks = [k for k in (1, 2, 4) if k < len(epochs)]
    print(f"\n### Learning-curve extrapolation on {bench.name} ({ds}): valid accuracy at epoch {epochs[-1]} from the "
          f"first k epochs; trained on {train.sum()} classes (10 %), evaluated on {(~train).sum()}\n")
    if len(ks) < 3:
        print(f"(the table holds epochs {epochs}: k = {[k for k in (1, 2, 4) if k not in ks]} not possible)\n")
    print("| k | predictor | Kendall tau | Spearman rho | MAE (points) |")
    print("|---:|---|---:|---:|---:|")
    res: dict[str, Any] = {}
    for k in ks:
        pre_tr, pre_te, truth = curves[train, :k], curves[~train, :k], final[~train]
        preds = {
            "last value (baseline)": last_value(pre_te),
            "parametric (pow3/exp3/log-power/inverse)": ParametricExtrapolator(target_epoch=epochs[-1], epochs=epochs).predict(pre_te),
            "ridge on 10 %": LearnedCurvePredictor(model="ridge").fit(pre_tr, final[train]).predict(pre_te),
            "GBM on 10 %": LearnedCurvePredictor(model="gbm").fit(pre_tr, final[train]).predict(pre_te),
            "GBM + cell one-hot on 10 %": LearnedCurvePredictor(model="gbm", curve_columns=k)
            .fit(np.hstack([pre_tr, onehot[train]]), final[train]).predict(np.hstack([pre_te, onehot[~train]])),
        }
        for name, pred in preds.items():
            tau, rho = _corr(pred, truth)
            res[f"k={k} {name}"] = {"kendall": tau, "spearman": rho, "mae": float(np.abs(pred - truth).mean())}
            print(f"| {k} | {name} | {tau:.3f} | {rho:.3f} | {np.abs(pred - truth).mean():.2f} |")
    out["lc"] = res


def section_warm(args: argparse.Namespace, out: dict[str, Any]) -> None:
    from nasbench_suite.harness import Budget, run_search

    bench = open_benchmark(args.zc_table)
    ds = args.dataset or bench.datasets[0]
    budgets = [b for b in (10, 30, 50, 100, 200) if b <= args.warm_evals]
    runs = {"re": {}, "zc-re": {"proxy": args.proxy, "scores": str(Path(args.zc_table).resolve())}}
    print(f"\n### Regularized evolution vs. zero-cost warm start ({args.proxy}), {args.warm_seeds} seeds, "
          f"population 30 / tournament 10: incumbent test accuracy (%) after N evaluations\n")
    print("| strategy | " + " | ".join(f"N={b}" for b in budgets) + " |")
    print("|---|" + "---:|" * len(budgets))
    res = {}
    for name, params in runs.items():
        curves = []
        for seed in range(args.warm_seeds):
            rec = run_search(bench, ds, name, seed=seed, budget=Budget.evals(args.warm_evals), params=params)
            if rec["status"] != "ok":
                raise RuntimeError(f"{name} seed {seed} failed: {rec['error']}")
            curves.append([rec["trajectory"]["incumbent_test"][b - 1] for b in budgets])
        arr = np.asarray(curves, dtype=float)
        res[name] = arr.tolist()
        print(f"| {name} | " + " | ".join(_ms(list(arr[:, j])) for j in range(len(budgets))) + " |")
    out["warm"] = res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--benchmark", default="datasets/nb201-digits.h5")
    parser.add_argument("--dataset", default=None, help="default: the table's first dataset")
    parser.add_argument("--zc-table", default="nb201-digits-zc.h5", help="table with zc columns (computed if absent)")
    parser.add_argument("--naslib", default="../shared/reference/nb201_zc/zc_nasbench201.cifar10.json",
                        help="NAS-Bench-Suite-Zero NB201 zero-cost json for the naslib section")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seeds", type=int, default=5, help="seeds per one-shot method")
    parser.add_argument("--ws-epochs", type=int, default=10)
    parser.add_argument("--proxy", default="synflow", help="proxy of the warm start")
    parser.add_argument("--warm-seeds", type=int, default=30)
    parser.add_argument("--warm-evals", type=int, default=100)
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated subset of {SECTIONS}")
    parser.add_argument("--json", default=None, help="also write the raw numbers here")
    args = parser.parse_args()
    out: dict[str, Any] = {"args": vars(args)}
    start = time.perf_counter()
    for name in args.only.split(","):
        globals()[f"section_{name.strip()}"](args, out)
    out["seconds"] = time.perf_counter() - start
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1, default=float))


if __name__ == "__main__":
    main()
