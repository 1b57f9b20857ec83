"""``nasbench surrogate fit|build|eval|fidelity``: train a performance predictor on a table, build the surrogate
benchmark of a trained table, measure a saved one, or check that searches on a surrogate behave like searches
on the table."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from nasbench_suite.cli._common import add_force, make_console, non_negative_float, non_negative_int, positive_int



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

    build = verbs.add_parser(
        "build", help="build the surrogate benchmark of a trained table of any space and write it with its card",
        description="Fit the surrogate benchmark of one dataset of a table: an ensemble for valid_acc and test_acc "
        "(its spread is the predictive std), seed noise from the table's seed pairs, and a runtime model "
        "(train_time per epoch, so --budget-seconds works). The card holds group-held-out scores. Write it to "
        "surrogates/NAME to ship it: nasbench_suite.load(NAME) then opens it.",
    )
    build.add_argument("--benchmark", required=True, help="trained table: a catalog name or a .h5 file")
    build.add_argument("--dataset", help="dataset to fit (default: the table's first)")
    build.add_argument("--name", required=True, help="the surrogate benchmark's name")
    build.add_argument("--model", default="ensemble", choices=SURROGATES.names(), help="accuracy preset (default: ensemble)")
    build.add_argument("--runtime-model", default="xgb", choices=SURROGATES.names(), help="train_time preset (default: xgb)")
    build.add_argument("--train-size", type=_train_size, default=0.8,
                       help="training architectures: count or fraction; the rest are held out (default 0.8)")
    build.add_argument("--epoch", type=positive_int, action="append", help="epoch to fit (repeat; default: the final epoch)")
    build.add_argument("--all-epochs", action="store_true", help="fit every epoch the table holds")
    build.add_argument("--seed", type=non_negative_int, default=0, help="seed of the split and the models (default 0)")
    build.add_argument("--optimum-sample", type=positive_int, default=None, metavar="N",
                       help="architectures sampled to find the predicted optimum of a space too large to enumerate "
                       "(recorded in the card; default 100,000)")
    build.add_argument("--out", type=Path, required=True, help="folder to write (surrogates/NAME to ship it)")
    add_force(build, "--out folder")
    build.set_defaults(func=_build)

    ev = verbs.add_parser("eval", help="measure a saved surrogate against a table")
    ev.add_argument("directory", type=Path, help="saved surrogate folder (with card.json)")
    ev.add_argument("--benchmark", required=True, help="table to compare with: a catalog name or a .h5 file")
    ev.add_argument("--dataset", action="append", help="dataset(s) to evaluate (default: all the surrogate has)")
    ev.add_argument("--all-archs", action="store_true", help="use every architecture, even those the surrogate was trained on")
    ev.add_argument("--plot", type=Path, help="folder for predicted-vs-true scatter plots (PNG)")
    ev.add_argument("--json", action="store_true", help="print the metrics as JSON")
    add_force(ev, "plot in --plot")
    ev.set_defaults(func=_eval)

    fi = verbs.add_parser("fidelity", help="run strategies on surrogates fitted on N cells and on the table; compare regrets and rankings")
    fi.add_argument("--benchmark", required=True, help="full table: a catalog name or a .h5 file")
    fi.add_argument("--dataset", help="dataset (default: the table's first)")
    fi.add_argument("--train-sizes", type=_sizes, default=(500, 1000, 5000), help="comma-separated training-set sizes (default 500,1000,5000)")
    fi.add_argument("--strategies", type=_strategies, help="comma-separated strategies (default: " + ",".join(_default_strategies()) + ")")
    fi.add_argument("--seeds", type=_seeds, default=tuple(range(20)), help="run seeds, e.g. 0-19 or 0,3,5 (default 0-19)")
    fi.add_argument("--evals", type=positive_int, default=200, help="evaluations per run (default 200)")
    fi.add_argument("--model", default="xgb", choices=SURROGATES.names(), help="surrogate preset (default: xgb)")
    fi.add_argument("--modes", type=_modes, default=("mean", "residual"),
                    help="surrogate modes: mean (predictions), residual (plus its out-of-fold error as noise); default both")
    fi.add_argument("--fit-seed", type=non_negative_int, default=0, help="seed of the training cells and the model (default 0)")
    fi.add_argument("--jobs", type=positive_int, default=1, help="worker processes for the search runs (default 1)")
    fi.add_argument("--out", type=Path, required=True, help="folder for fidelity.json, fidelity.md and fidelity.png")
    fi.add_argument("--render-only", action="store_true", help="re-render fidelity.md and fidelity.png from --out's fidelity.json")
    fi.add_argument("--merge", type=Path, nargs="+", metavar="DIR",
                    help="merge the reports in these folders (the same run for different --train-sizes) into --out instead of running")
    fi.set_defaults(func=_fidelity)


def _default_strategies() -> tuple[str, ...]:
    from nasbench_suite.surrogates.fidelity import DEFAULT_STRATEGIES

    return DEFAULT_STRATEGIES


def _sizes(text: str) -> tuple[int, ...]:
    out = []
    for part in text.split(","):
        part = part.strip().replace("_", "")
        if not part.isdigit() or int(part) < 2:
            raise argparse.ArgumentTypeError(f"expected comma-separated counts >= 2 such as 500,1000,5000; got {text!r}")
        out.append(int(part))
    return tuple(dict.fromkeys(out))


def _strategies(text: str) -> tuple[str, ...]:
    from nasbench_suite.harness import parse_strategies

    try:
        return parse_strategies(text)
    except (ValueError, KeyError) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _seeds(text: str) -> tuple[int, ...]:
    from nasbench_suite.harness import parse_seeds

    try:
        return parse_seeds(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _modes(text: str) -> tuple[str, ...]:
    from nasbench_suite.surrogates.fidelity import MODES

    names = tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))
    bad = [n for n in names if n not in MODES]
    if bad or not names:
        raise argparse.ArgumentTypeError(f"expected a comma-separated subset of {', '.join(MODES)}; got {text!r}")
    return names


def _fit(args: argparse.Namespace) -> int:
    from nasbench_suite._atomic import check_output
    from nasbench_suite.catalog import resolve
    from nasbench_suite.surrogates.training import fit_surrogate

    check_output(args.out, force=args.force, folder=True)
    console = make_console()
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
    checksum = _write_bundle(bench, held, args.out)
    _print_quality(console, bench.card["models"])
    console.print(f"wrote [bold]{args.out}[/] (checksum {checksum[:16]}…)")
    return 0


def _build(args: argparse.Namespace) -> int:
    from nasbench_suite._atomic import check_output
    from nasbench_suite.catalog import resolve
    from nasbench_suite.surrogates.build import build_benchmark

    check_output(args.out, force=args.force, folder=True)
    console = make_console()
    table = resolve(args.benchmark)
    dataset = args.dataset or table.datasets[0]
    epochs = args.epoch
    if args.all_epochs and dataset in table.datasets:
        epochs = list(table.epochs(dataset))
    with console.status(f"building {args.name} from {table.name} ..."):
        bench, held = build_benchmark(table, name=args.name, dataset=dataset, epochs=epochs, model=args.model,
                                      runtime_model=args.runtime_model, train_size=args.train_size, seed=args.seed,
                                      optimum_sample=args.optimum_sample)
    checksum = _write_bundle(bench, held, args.out)
    _print_quality(console, bench.card["models"])
    t = bench.card["table"]
    console.print(f"from {t['rows']:,} rows ({t['networks']:,} networks, {t['proposed']:,} proposed by search), seeds "
                  f"{t['seeds']}; runtime model: {bench.card['runtime_model']['preset']} on train_time")
    console.print(f"wrote [bold]{args.out}[/] (checksum {checksum[:16]}…)")
    return 0


def _write_bundle(bench: Any, held: list[Any], out: Path) -> str:
    """Save ``bench`` with a held-out scatter plot per predictor into ``out`` (whole or not at all); its checksum."""
    from nasbench_suite._atomic import atomic_folder
    from nasbench_suite.surrogates.card import scatter_plot

    with atomic_folder(out) as folder:  # the bundle appears whole or not at all
        plots = {}
        for h in held:
            rel = f"scatter_{h.dataset}_{h.metric}_{h.epoch}.png"
            scatter_plot(h.y_true, h.y_pred, folder / rel, title=f"{bench.name}: {h.dataset} {h.metric} @ {h.epoch}")
            plots[(h.dataset, h.metric, h.epoch)] = rel
        for entry in bench.card["models"]:
            rel = plots.get((entry["dataset"], entry["metric"], entry["epoch"]))
            if rel:
                entry["plot"] = rel
        return bench.save(folder)


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

    from nasbench_suite.catalog import resolve
    from nasbench_suite.surrogates.card import scatter_plot
    from nasbench_suite.surrogates.io import open_surrogate
    from nasbench_suite.surrogates.metrics import evaluate
    from nasbench_suite.surrogates.training import GROUP_SPLIT, canonical_groups, heldout_split

    console = make_console()
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
    groups = canonical_groups(table.search_space, table.archs)
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
            ok = ok[heldout_split(split, groups[ok])]
            held_out = f"architectures held out at fit time ({GROUP_SPLIT})"
        elif not args.all_archs and same_source:
            held_out = "all architectures (the card records no split)"
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


def _fidelity(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from nasbench_suite.surrogates.fidelity import DEFAULT_STRATEGIES, FidelitySpec, run_fidelity
    from nasbench_suite.surrogates.fidelity_report import read_report, write_report

    console = make_console(stderr=True)
    if args.merge:
        from nasbench_suite.surrogates.fidelity_report import merge_reports

        report = merge_reports([read_report(d) for d in args.merge])
    elif args.render_only:
        report = read_report(args.out)
    else:
        dataset = args.dataset
        if dataset is None:
            from nasbench_suite.catalog import resolve

            dataset = resolve(args.benchmark).datasets[0]
        spec = FidelitySpec(
            benchmark=args.benchmark, dataset=dataset, train_sizes=args.train_sizes,
            strategies=args.strategies or DEFAULT_STRATEGIES, seeds=args.seeds, evals=args.evals, model=args.model,
            modes=args.modes, fit_seed=args.fit_seed,
        )  # fmt: skip
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as bar:  # fmt: skip
            task = bar.add_task("fitting", total=None)

            def progress(description: str, n: int) -> None:
                if description:
                    bar.update(task, description=description, total=n or None, completed=0)
                else:
                    bar.advance(task, n)

            report = run_fidelity(spec, jobs=args.jobs, progress=progress).to_dict()
    paths = write_report(report, args.out)
    for row in report["rows"]:
        console.print(f"N={row['train_size']:>6} {row['mode']:<8} ranking Kendall tau {row['ranking_kendall_tau']:+.3f} "
                      f"(true incumbents {row['ranking_kendall_tau_true_incumbents']:+.3f}), optimism {row['mean_optimism']:+.2f}")  # fmt: skip
    console.print(f"wrote {paths['json']}, {paths['md']} and {paths['png']}")
    return 0
