"""``nasbench surrogate fit|eval``: train a performance predictor on a table, or measure a saved one."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from nasbench_suite.cli._common import add_force, non_negative_float, non_negative_int, positive_int



def _train_size(text: str) -> int | float | None:
    if text == "all":
        return None
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a count, a fraction in (0, 1) or 'all', got {text!r}") from None
    if 0 < value < 1:
        return value
    if value.is_integer() and value >= 2:
        return int(value)
    raise argparse.ArgumentTypeError(f"expected a count >= 2, a fraction in (0, 1) or 'all', got {text!r}")


def register(sub: argparse._SubParsersAction) -> None:
    from nasbench_suite.surrogates import SURROGATES

    parser = sub.add_parser("surrogate", help="fit a surrogate (performance predictor) on a table, or evaluate one")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)

    fit = verbs.add_parser("fit", help="fit a surrogate on a table and write it with its model card")
    fit.add_argument("--benchmark", required=True, help="table to train on: a catalog name or a .h5 file")
    fit.add_argument("--dataset", action="append", required=True, help="dataset to fit (repeat for several)")
    fit.add_argument("--model", default="xgb", choices=SURROGATES.names(), help="surrogate preset (default: xgb)")
    fit.add_argument("--train-size", type=_train_size, default=1000, help="training architectures: count, fraction or 'all' (default 1000)")
    fit.add_argument("--seed", type=non_negative_int, default=0, help="seed of the split and the model (default 0)")
    fit.add_argument("--metric", action="append", help="metric to predict (repeat for several; default test_acc)")
    fit.add_argument("--epoch", type=positive_int, action="append", help="epoch to fit (repeat for several; default: the final epoch)")
    fit.add_argument("--all-epochs", action="store_true", help="fit one predictor per epoch the table holds")
    fit.add_argument("--noise-std", type=non_negative_float, help="seed noise std where the table holds only a seed mean")
    fit.add_argument("--name", help="benchmark name (default: <table>-<model>)")
    fit.add_argument("--out", type=Path, required=True, help="folder to write (models, card.json, card.md, plots)")
    add_force(fit, "--out folder")
    fit.set_defaults(func=_fit)

    ev = verbs.add_parser("eval", help="measure a saved surrogate against a table")
    ev.add_argument("directory", type=Path, help="saved surrogate folder (with card.json)")
    ev.add_argument("--benchmark", required=True, help="table to compare with: a catalog name or a .h5 file")
    ev.add_argument("--dataset", action="append", help="dataset(s) to evaluate (default: all the surrogate has)")
    ev.add_argument("--all-archs", action="store_true", help="use every architecture, even those the surrogate was trained on")
    ev.add_argument("--plot", type=Path, help="folder for predicted-vs-true scatter plots (PNG)")
    ev.add_argument("--json", action="store_true", help="print the metrics as JSON")
    add_force(ev, "plot in --plot")
    ev.set_defaults(func=_eval)


def _fit(args: argparse.Namespace) -> int:
    from rich.console import Console

    from nasbench_suite.catalog import resolve
    from nasbench_suite.surrogates.card import scatter_plot
    from nasbench_suite.surrogates.training import fit_surrogate

    from nasbench_suite._atomic import atomic_folder, check_output

    check_output(args.out, force=args.force, folder=True)
    console = Console()
    table = resolve(args.benchmark)
    epochs = None
    if args.all_epochs:
        epochs = sorted({e for ds in args.dataset for e in table.epochs(ds)})
    elif args.epoch:
        epochs = args.epoch
    with console.status(f"fitting {args.model} on {table.name} ..."):
        bench, held = fit_surrogate(
            table,
            model=args.model,
            datasets=args.dataset,
            metric=args.metric or ["test_acc"],
            epochs=epochs,
            train_size=args.train_size,
            seed=args.seed,
            noise_std=args.noise_std,
            name=args.name,
        )
    with atomic_folder(args.out) as folder:  # the bundle appears whole or not at all
        plots = {}
        for h in held:
            rel = f"scatter_{h.dataset}_{h.metric}_{h.epoch}.png"
            scatter_plot(h.y_true, h.y_pred, folder / rel, title=f"{bench.name}: {h.dataset} {h.metric} @ {h.epoch}")
            plots[(h.dataset, h.metric, h.epoch)] = rel
        for entry in bench.card["models"]:
            rel = plots.get((entry["dataset"], entry["metric"], entry["epoch"]))
            if rel:
                entry["plot"] = rel
        checksum = bench.save(folder)
    _print_quality(console, bench.card["models"])
    console.print(f"wrote [bold]{args.out}[/] (checksum {checksum[:16]}…)")
    return 0


def _print_quality(console: Any, entries: list[dict[str, Any]]) -> None:
    from rich.table import Table

    out = Table("dataset", "metric", "epoch", "train", "test", "fit s", "Kendall tau", "Spearman", "R²", "RMSE", "top-1%", "top-5%")
    for e in entries:
        q = e.get("quality") or {}
        split = e.get("split", {})

        def f(key: str, q: dict[str, Any] = q) -> str:
            return f"{q[key]:.3f}" if key in q else "n/a"

        out.add_row(
            e["dataset"], e["metric"], str(e["epoch"]), str(split.get("train_size", "?")), str(split.get("test_size", "?")),
            f"{e.get('fit_seconds', float('nan')):.1f}", f("kendall_tau"), f("spearman"), f("r2"), f("rmse"),
            f("precision_top1"), f("precision_top5"),
        )  # fmt: skip
    console.print(out)


def _eval(args: argparse.Namespace) -> int:
    import numpy as np
    from rich.console import Console

    from nasbench_suite.catalog import resolve
    from nasbench_suite.surrogates.card import scatter_plot
    from nasbench_suite.surrogates.io import open_surrogate
    from nasbench_suite.surrogates.metrics import evaluate
    from nasbench_suite.surrogates.training import split_indices

    console = Console()
    bench = open_surrogate(args.directory)
    table = resolve(args.benchmark)
    if table.search_space.name != bench.space_name:
        from nasbench_suite.errors import InvalidArchitectureError

        raise InvalidArchitectureError(f"surrogate {bench.name!r} is for space {bench.space_name!r}; table {table.name!r} is {table.search_space.name!r}")
    for ds in args.dataset or ():
        if ds not in bench.datasets:
            from nasbench_suite.errors import UnknownNameError

            raise UnknownNameError(f"dataset of surrogate {bench.name!r}", ds, bench.datasets)
    if args.plot:  # refuse before anything is computed or written
        from nasbench_suite._atomic import check_output

        check_output(args.plot, folder=True, force=True)
        for entry in bench.card["models"]:
            if not args.dataset or entry["dataset"] in args.dataset:
                check_output(args.plot / f"eval_{entry['dataset']}_{entry['metric']}_{int(entry['epoch'])}.png", force=args.force)
    same_source = bench.card.get("source", {}).get("checksum") == getattr(table, "checksum", None)
    results = []
    for entry in bench.card["models"]:
        ds, metric, epoch = entry["dataset"], entry["metric"], int(entry["epoch"])
        if args.dataset and ds not in args.dataset:
            continue
        if ds not in table.datasets or epoch not in table.epochs(ds):
            console.print(f"[yellow]skipping {ds}/{metric}@{epoch}: not in table {table.name}[/]")
            continue
        y = table.query_many(None, ds, metric=metric, epoch=epoch)
        ok = np.flatnonzero(np.isfinite(y))
        held_out = "all architectures"
        if same_source and not args.all_archs and entry.get("split"):
            split = entry["split"]
            _, test = split_indices(ok.size, split["train_size"], split["seed"])
            ok = ok[test]
            held_out = "architectures held out at fit time"
        archs = [table.archs[i] for i in ok]
        pred = bench.query_many(archs, ds, metric=metric, epoch=epoch)
        quality = evaluate(y[ok], pred, higher_is_better=not metric.endswith(("_loss", "_time")))
        results.append({"dataset": ds, "metric": metric, "epoch": epoch, "n": int(ok.size), "on": held_out, "quality": quality})
        if args.plot:
            scatter_plot(y[ok], pred, args.plot / f"eval_{ds}_{metric}_{epoch}.png", title=f"{bench.name} on {table.name}: {ds} {metric} @ {epoch}")
    if args.json:
        print(json.dumps(results, indent=2, sort_keys=True))
        return 0
    for r in results:
        console.print(f"[bold]{r['dataset']} {r['metric']} @ {r['epoch']}[/] on {r['n']:,} {r['on']}:")
        console.print("  " + ", ".join(f"{k} {v:.4f}" for k, v in r["quality"].items()))
    return 0
