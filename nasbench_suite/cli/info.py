"""``nasbench info NAME|FILE``: what a benchmark holds, its optima and checksum; ``--stats``: how far its numbers can be trusted."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nasbench_suite.cli._common import add_force, fmt, make_console, positive_int, print_json
from nasbench_suite.errors import NotMeasuredError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("info", help="show what a benchmark holds: datasets, epochs, seeds, optima, checksum")
    p.add_argument("benchmark", help="a benchmark name (see `nasbench info --list`) or a store file / surrogate folder")
    p.add_argument("--verify", action="store_true", help="recompute the content checksum (reads every value)")
    p.add_argument("--stats", action="store_true",
                   help="seed-to-seed agreement, spread against seed noise, range and optimum of the accuracies "
                        "(over distinct networks); of a surrogate, those of the table it was fitted on")
    p.add_argument("--front", default=None, metavar="METRIC:DIR,...",
                   help="the exact Pareto front of 2 or 3 objectives (e.g. valid_acc:max,params:min) over every cell "
                        "where all are measured, per dataset; --epoch and --plot then apply to the front")
    p.add_argument("--reported", action="store_true",
                   help="with --front: the front of the objectives' reported metrics (test_acc for valid_acc), "
                        "the one runs are scored against")
    p.add_argument("--epoch", type=positive_int, default=None,
                   help="the epoch --stats (or --front) looks at (implies --stats without --front; default: each "
                        "dataset's final one)")
    p.add_argument("--plot", type=Path, default=None,
                   help="a PNG of seed agreement, spread and noise at every epoch (implies --stats), or with --front "
                        "of the front over all cells")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    add_force(p, "--plot file")
    p.set_defaults(func=run)


def _optimum(bench: Any, dataset: str) -> dict[str, Any]:
    for metric in ("test_acc", "valid_acc"):
        try:
            arch, value = bench.optimum(dataset, metric=metric)
        except NotMeasuredError:
            continue
        return {"metric": metric, "epoch": bench.epochs(dataset)[-1], "value": value, "arch": arch.to_string()}
    return {}


def describe(bench: Any) -> dict[str, Any]:
    """Everything ``info`` shows, as plain data."""
    out: dict[str, Any] = {
        "name": bench.name,
        "kind": type(bench).__name__,
        "search_space": getattr(bench, "space_name", None) or bench.search_space.name,
        "architectures": len(getattr(bench, "archs", ())) or None,
        "checksum": bench.checksum,
        "format_version": getattr(bench, "format_version", None),
        "created_by": getattr(bench, "created_by", None),
        "protocol": getattr(bench, "protocol", {}),
        "provenance": getattr(bench, "provenance", {}),
        "datasets": {},
    }
    for ds in bench.datasets:
        info: dict[str, Any] = {"epochs": list(bench.epochs(ds)), "seeds": list(bench.seeds(ds)), "optimum": _optimum(bench, ds)}
        if hasattr(bench, "query_many") and getattr(bench, "enumerable", True):
            measured = {}
            for metric in bench.metrics:
                try:
                    values = bench.query_many(None, ds, metric=metric)
                except (NotMeasuredError, LookupError):
                    continue
                n = int((~_isnan(values)).sum())
                if n:
                    measured[metric] = n
            info["measured_at_final_epoch"] = measured
        elif hasattr(bench, "metrics"):  # a surrogate of a space too large to enumerate: what it predicts
            info["predicted_metrics"] = list(bench.metrics)
        if hasattr(bench, "columns"):
            info["columns"] = sorted(bench.columns(ds))
        if hasattr(bench, "dataset_provenance"):
            info["provenance"] = bench.dataset_provenance(ds)
        out["datasets"][ds] = info
    card = getattr(bench, "card", None)
    if card:
        out["surrogate"] = _surrogate_summary(card)
    return out


def _surrogate_summary(card: dict[str, Any]) -> dict[str, Any]:
    """What a surrogate benchmark's card says of its predictors: preset, split, held-out quality, noise ceiling."""
    models = []
    for m in card.get("models", []):
        split, quality = m.get("split") or {}, m.get("quality") or {}
        ceiling = (m.get("seed_agreement") or {}).get("ceiling_kendall") or {}
        models.append({
            "dataset": m["dataset"], "metric": m["metric"], "epoch": m["epoch"], "preset": m.get("preset"),
            "train": split.get("train_size"), "held_out": split.get("test_size"), "split": split.get("method"),
            "kendall_tau": quality.get("kendall_tau"), "spearman": quality.get("spearman"),
            "ceiling_kendall_one_seed": ceiling.get("1"),
        })  # fmt: skip
    return {"trained_on": card.get("source", {}), "table": card.get("table"), "runtime_model": card.get("runtime_model"),
            "models": models}


def _print_surrogate(console: Any, summary: dict[str, Any]) -> None:
    from rich.table import Table

    source = summary["trained_on"]
    if source.get("benchmark"):
        console.print(f"fitted on table {source['benchmark']} ({str(source.get('checksum', '?'))[:23]}…)")
    table = Table(title="predictors and their held-out quality (from the card)")
    for col in ("dataset", "metric", "epoch", "model", "train", "held out", "Kendall tau", "noise ceiling"):
        table.add_column(col, justify="right" if col in ("epoch", "train", "held out", "Kendall tau", "noise ceiling") else "left")
    for m in summary["models"]:
        table.add_row(m["dataset"], m["metric"], str(m["epoch"]), str(m["preset"] or "-"),
                      "-" if m["train"] is None else f"{m['train']:,}", "-" if m["held_out"] is None else f"{m['held_out']:,}",
                      "-" if m["kendall_tau"] is None else f"{m['kendall_tau']:.3f}",
                      "-" if m["ceiling_kendall_one_seed"] is None else f"{m['ceiling_kendall_one_seed']:.3f}")
    console.print(table)
    splits = {m["split"] for m in summary["models"] if m["split"]}
    if splits:
        console.print(f"held out: {', '.join(sorted(splits))}; noise ceiling: the Kendall tau a perfect predictor of the "
                      "noiseless mean would score against one seed's run, from the table's seed pairs", soft_wrap=True)
    if summary.get("runtime_model"):
        r = summary["runtime_model"]
        console.print(f"runtime model: {r.get('preset')} on {r.get('metric')} ({r.get('unit')})", soft_wrap=True)


def _print_stats(console: Any, rows: list[dict[str, Any]]) -> None:
    from rich.table import Table

    def num(value: float | None, digits: int) -> str:
        return "-" if value is None else f"{value:.{digits}f}"

    lines: list[tuple[str, Any]] = [
        ("epoch", lambda r: str(r["epoch"])),
        ("seeds", lambda r: "mean only" if r["seeds"] == [-1] else ", ".join(map(str, r["seeds"]))),
        ("networks", lambda r: f"{r['networks']:,}"),
        ("networks per seed", lambda r: ", ".join(f"{k}: {v:,}" for k, v in (r.get("networks_by_seed") or {}).items()) or "-"),
        ("networks, 2+ seeds", lambda r: "-" if r.get("paired_networks") is None else f"{r['paired_networks']:,}"),
        ("minimum", lambda r: num(r["minimum"], 2)),
        ("median", lambda r: num(r["median"], 2)),
        ("maximum", lambda r: num(r["maximum"], 2)),
        ("spread (std)", lambda r: num(r["spread"], 2)),
        ("seed noise (std)", lambda r: num(r["noise"], 2)),
        ("spread / noise", lambda r: num(r["spread_to_noise"], 2)),
        ("Spearman, seeds", lambda r: num(r["spearman"], 3)),
        ("Kendall, seeds", lambda r: num(r["kendall"], 3)),
        ("Spearman, all rows", lambda r: num(r["spearman_all_rows"], 3)),
    ]
    table = Table(title="how far the numbers can be trusted (seed means over distinct networks)")
    table.add_column("")
    for r in rows:
        table.add_column(f"{r['dataset']}\n{r['metric']}", justify="right")
    for label, cell in lines:
        table.add_row(label, *(cell(r) for r in rows))
    console.print(table)
    for r in rows:
        console.print(f"best {r['dataset']} {r['metric']}: {r['best']:.2f} {r['best_arch']}", soft_wrap=True)
    if any(r["noise"] is None for r in rows):
        console.print("[yellow]-: one seed or seed means only, so seed noise cannot be measured[/]")


def _print_composition(console: Any, protocol: dict[str, Any]) -> None:
    """How a generated table's rows were chosen: sampled, proposed by search (by whom), seeds per class."""
    sample, proposed = protocol.get("sample"), protocol.get("proposed")
    if sample:
        console.print(f"sampled: {sample['size']:,} architectures drawn uniformly with sample seed {sample['seed']}")
    if proposed:
        by = "; ".join(f"{p['count']:,} by {p['strategy']} on {p['source']}" for p in proposed["by"])
        console.print(f"proposed by search: {proposed['count']:,} classes (rows {proposed['rows'][0]:,}.."
                      f"{proposed['rows'][1] - 1:,}): {by}")
    coverage = protocol.get("seed_coverage")
    if coverage:
        console.print("classes trained per seed: " + ", ".join(f"seed {k}: {v:,}" for k, v in coverage.items()))


def _training_table(bench: Any, *, verify: bool) -> Any:
    """The table a surrogate was fitted on, as its card names it; an error when it is absent or not that table."""
    from nasbench_suite.catalog import resolve

    source = (getattr(bench, "card", None) or {}).get("source") or {}
    name, checksum = source.get("benchmark"), source.get("checksum")
    if not name:
        raise NotMeasuredError(f"surrogate {bench.name!r} does not record the table it was fitted on, so it has no seed "
                               "statistics to show")
    try:
        table = resolve(name, verify=verify)
    except (FileNotFoundError, LookupError) as exc:
        raise NotMeasuredError(f"--stats on surrogate {bench.name!r} shows the table it was fitted on, {name!r}, "
                               f"which is not available here: {exc}") from None
    if checksum and table.checksum != checksum:
        raise NotMeasuredError(f"surrogate {bench.name!r} was fitted on {name!r} with checksum {checksum}, but the "
                               f"{name!r} found here has {table.checksum}: its statistics would not be those of the "
                               "surrogate's training set")
    return table


def _isnan(values: Any) -> Any:
    import numpy as np

    return np.isnan(np.asarray(values, dtype=float))


def run(args: argparse.Namespace) -> int:
    from nasbench_suite.catalog import resolve

    if args.plot is not None:
        from nasbench_suite._atomic import check_output

        check_output(args.plot, force=args.force)
    bench = resolve(args.benchmark, verify=args.verify)
    if args.front is not None:
        return _front(bench, args)
    info = describe(bench)
    if args.verify:
        info["checksum_verified"] = True
    args.stats = args.stats or args.epoch is not None or args.plot is not None
    if args.stats:
        from nasbench_suite.table_stats import accuracy_stats, accuracy_stats_by_epoch, plot_by_epoch

        measured = bench
        if "surrogate" in info:  # a surrogate's seed statistics are those of the table it was fitted on
            measured = _training_table(bench, verify=args.verify)
            info["training_table"] = {"name": measured.name, "checksum": measured.checksum,
                                      "protocol": describe(measured)["protocol"]}
        info["stats"] = [s.to_dict() for s in accuracy_stats(measured, epoch=args.epoch)]
        if args.plot is not None:
            info["plot"] = str(plot_by_epoch(accuracy_stats_by_epoch(measured), args.plot))
    if args.json:
        print_json(info)
        return 0

    from rich.table import Table

    console = make_console()
    console.print(f"[bold]{info['name']}[/]  ({info['kind']}, space [cyan]{info['search_space']}[/], "
                  f"{info['architectures'] or 'any'} architectures)")
    console.print(f"checksum {info['checksum']}" + ("  [green]verified[/]" if args.verify else ""))
    if info["created_by"]:
        console.print(f"format version {info['format_version']}, written by {info['created_by']}")
    source = info["provenance"].get("accuracy_source")
    if source:
        console.print(f"[yellow]accuracy source: {source}[/]")
    table = Table(title="datasets")
    for col in ("dataset", "epochs", "seeds", "measured at final epoch", "optimum"):
        table.add_column(col)
    for ds, d in info["datasets"].items():
        epochs = d["epochs"]
        epochs_text = f"{epochs[0]}..{epochs[-1]} ({len(epochs)})" if len(epochs) > 4 else ", ".join(map(str, epochs))
        seeds = "mean only" if d["seeds"] == [-1] else ", ".join(map(str, d["seeds"]))
        measured = ", ".join(d.get("measured_at_final_epoch") or d.get("predicted_metrics") or []) or "-"
        opt = d["optimum"]
        opt_text = f"{fmt(opt['value'])} {opt['metric']}@{opt['epoch']}" if opt else "-"
        table.add_row(ds, epochs_text, seeds, measured, opt_text)
    console.print(table)
    for ds, d in info["datasets"].items():
        if d["optimum"]:
            console.print(f"optimum {ds}: {d['optimum']['arch']}", soft_wrap=True)
        if d.get("columns"):
            console.print(f"{ds}: extra columns {', '.join(d['columns'])}")
    if "surrogate" in info:
        _print_surrogate(console, info["surrogate"])
    if args.stats:
        training = info.get("training_table")
        if training:
            console.print(f"[bold]training set[/] {training['name']} ({training['checksum']}), the table this surrogate "
                          "was fitted on:")
        _print_stats(console, info["stats"])
        _print_composition(console, (training or info)["protocol"] or {})
    if "plot" in info:
        console.print(f"plot: {info['plot']}")
    if info["protocol"]:
        console.print("training protocol: " + ", ".join(f"{k}={v}" for k, v in sorted(info["protocol"].items()) if not isinstance(v, (dict, list))))
    return 0


def _front(bench: Any, args: argparse.Namespace) -> int:
    """``info --front``: the true Pareto front of each dataset, printed (or as JSON) and optionally drawn."""
    from nasbench_suite.multiobjective import parse_objectives, true_front

    objectives = parse_objectives(args.front)
    if not hasattr(bench, "archs"):
        from nasbench_suite.multiobjective import ObjectiveError

        raise ObjectiveError(f"{bench.name!r} is not a table: its true front needs every cell's values")
    fronts = {}
    for ds in bench.datasets:
        if args.epoch is not None and args.epoch not in bench.epochs(ds):
            raise NotMeasuredError(f"epoch {args.epoch} is not held for dataset {ds!r} of {bench.name!r}; "
                                   f"held: {list(bench.epochs(ds))}")
        fronts[ds] = true_front(bench, ds, objectives, epoch=args.epoch, reported=args.reported)
    plots = []
    if args.plot is not None:
        from nasbench_suite.multiobjective.plot import plot_front

        for ds, front in fronts.items():
            path = args.plot if len(fronts) == 1 else args.plot.with_name(f"{args.plot.stem}-{ds}{args.plot.suffix}")
            plots.append(str(plot_front(bench, ds, front, path)))
    if args.json:
        print_json({"name": bench.name, "checksum": bench.checksum, "fronts": {ds: f.to_dict() for ds, f in fronts.items()},
                    "plots": plots})
        return 0
    from rich.table import Table

    console = make_console()
    for ds, front in fronts.items():
        table = Table(title=f"{bench.name} {ds}: Pareto front of {', '.join(map(str, objectives))} at epoch {front.epoch} "
                            f"({len(front)} points over {front.cells:,} of {front.total:,} cells)")
        for m, o in zip(front.metrics, objectives):
            table.add_column(f"{m} ({o.direction})", justify="right")
        table.add_column("architecture", overflow="fold")
        for arch, values in zip(front.archs, front.values):
            table.add_row(*(f"{float(v):.6g}" for v in values), arch)
        console.print(table, soft_wrap=True)
    for p in plots:
        console.print(f"plot: {p}")
    return 0


__all__ = ["describe", "register", "run"]
