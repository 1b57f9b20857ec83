"""Writing a fidelity report: ``fidelity.json``, ``fidelity.md`` and the anytime-curve plot ``fidelity.png``."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

JSON_NAME, MD_NAME, PNG_NAME = "fidelity.json", "fidelity.md", "fidelity.png"


def _f(v: Any, digits: int = 2) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    return f"{v:.{digits}f}"


def markdown(report: dict[str, Any]) -> str:
    """The report as Markdown: setup, the surrogates' held-out quality, ranking taus, per-strategy regrets."""
    spec, table = report["spec"], report["table"]
    lines = [
        f"# Surrogate fidelity on `{table['name']}` / `{table['dataset']}`",
        "",
        f"Surrogate preset `{spec['model']}` fitted on N cells of the table (split seed {spec['fit_seed']}; held-out cells are "
        "group-held-out by canonical key), then every strategy searched with the same seeds "
        f"({len(spec['seeds'])} seeds: {_seeds(spec['seeds'])}; {spec['evals']} evaluations each) on the table and on the surrogate. ",
        "",
        f"Strategies: {', '.join(f'`{s}`' for s in spec['strategies'])}.",
        "",
        "- **mean**: the surrogate's mean predictions.",
        "- **residual**: a sampled world per run seed: the prediction plus the surrogate's own out-of-fold error "
        "(group 3-fold on its training cells, binned by predicted value) as reproducible per-architecture noise; "
        "validation and test errors share a draw only as far as their out-of-fold residuals correlate (rho).",
        "- **belief regret**: the surrogate's optimum minus its value of the incumbent (what a user of the surrogate sees).",
        "- **true regret**: the table's optimum minus the table's value of the incumbent the search chose.",
        "- **ranking tau**: Kendall tau between strategies' mean final belief regret on the surrogate and mean final regret "
        "on the table; *tau (true incumbents)* ranks by the true regret of the incumbents found on the surrogate.",
        "- **optimism**: mean over strategies of table regret minus belief regret (> 0: the surrogate flatters search).",
        "",
        "- **ceiling**: Kendall tau between the table's own strategy rankings on two disjoint halves of the seeds "
        "(how settled the table ranking is; a surrogate cannot be expected to agree with it better).",
        "",
        f"Table optimum (test_acc @ {table['target_epoch']}): {_f(table['optimum_test_acc'])}. {_wall(report)}",
        "",
        *_ceiling(table.get("ceiling_half_split_tau")),
        "## Surrogates",
        "",
        "| N | held-out Kendall tau (test_acc) | Spearman | RMSE | valid-test residual rho (final epoch) | fit s | noise calibration s |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in report["surrogates"]:
        q = s["heldout_test_acc"]
        rho = (s.get("residual_valid_test_correlation") or {}).get(str(table["target_epoch"]))
        lines.append(f"| {s['train_size']} | {_f(q.get('kendall_tau'), 3)} | {_f(q.get('spearman'), 3)} | {_f(q.get('rmse'), 2)} | "
                     f"{_f(rho, 3)} | {s['fit_seconds']} | {s['noise_seconds']} |")  # fmt: skip
    lines += ["", "## Ranking agreement", "", "| N | mode | ranking tau | tau (true incumbents) | optimism |", "|---|---|---|---|---|"]
    for row in report["rows"]:
        lines.append(f"| {row['train_size']} | {row['mode']} | {_f(row['ranking_kendall_tau'], 3)} | "
                     f"{_f(row['ranking_kendall_tau_true_incumbents'], 3)} | {_f(row['mean_optimism'])} |")  # fmt: skip
    lines += ["", "## Final regret per strategy (mean over seeds)", ""]
    head = "| strategy | table |" + "".join(f" N={r['train_size']} {r['mode']}: belief / true |" for r in report["rows"])
    lines += [head, "|---|---|" + "---|" * len(report["rows"])]
    for s in spec["strategies"]:
        truth = report["truth"][s]
        cells = "".join(f" {_f(r['strategies'][s]['belief_mean'])} / {_f(r['strategies'][s]['true_mean'])} |" for r in report["rows"])
        lines.append(f"| {s} | {_f(truth['true_mean'])} |{cells}")
    failed = [(key, s) for key, d in [("table", report["truth"])] + [(f"N={r['train_size']} {r['mode']}", r["strategies"]) for r in report["rows"]]
              for s, v in d.items() if v.get("failed")]  # fmt: skip
    if failed:
        lines += ["", "Runs that failed: " + ", ".join(f"{s} on {k}" for k, s in failed)]
    lines += ["", f"![anytime regret, surrogate vs table]({PNG_NAME})", ""]
    return "\n".join(lines)


def _wall(report: dict[str, Any]) -> str:
    parts = report.get("parts") or []
    if len(parts) < 2:
        return f"Wall time {report['seconds']:.0f} s (on a machine shared with other jobs)."
    each = ", ".join(f"N={','.join(str(n) for n in p['train_sizes'])} {p['seconds']:.0f} s" for p in parts)
    return (f"Wall time {report['seconds']:.0f} s in {len(parts)} runs merged into this report ({each}; "
            "each also ran the table's searches), on a machine shared with other jobs.")


def _ceiling(ceiling: dict[str, Any] | None) -> list[str]:
    if not ceiling or ceiling.get("mean") is None:
        return []
    return [f"Table ranking ceiling ({ceiling['seeds_per_half']} seeds against {ceiling['seeds_per_half']}): "
            f"tau {_f(ceiling['first_second'], 3)} for the first half of the seeds against the second, "
            f"{_f(ceiling['mean'], 3)} ± {_f(ceiling['sd'], 3)} (mean ± sd) over random halvings.", ""]  # fmt: skip


def _seeds(seeds: list[int]) -> str:
    seeds = list(seeds)
    if seeds == list(range(seeds[0], seeds[-1] + 1)) and len(seeds) > 2:
        return f"{seeds[0]}-{seeds[-1]}"
    return ",".join(str(s) for s in seeds)


def plot(report: dict[str, Any], path: Path) -> Path:
    """Anytime mean regret per strategy: the table (black), and per N the surrogate's belief (solid) and true (dotted)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    strategies = list(report["spec"]["strategies"])
    cols = min(5, len(strategies))
    rows_n = math.ceil(len(strategies) / cols)
    fig, axes = plt.subplots(rows_n, cols, figsize=(3.2 * cols, 2.8 * rows_n), squeeze=False, sharey=True)
    mode = "residual" if any(r["mode"] == "residual" for r in report["rows"]) else "mean"
    rows = [r for r in report["rows"] if r["mode"] == mode]
    colors = plt.get_cmap("viridis")([i / max(1, len(rows)) for i in range(len(rows))])
    for k, s in enumerate(strategies):
        ax = axes[k // cols][k % cols]
        x = range(1, len(report["truth"][s]["true_curve"]) + 1)
        ax.plot(x, report["truth"][s]["true_curve"], color="black", lw=1.6, label="table")
        for row, c in zip(rows, colors):
            d = row["strategies"][s]
            ax.plot(x, d["belief_curve"], color=c, lw=1.2, label=f"N={row['train_size']} belief")
            ax.plot(x, d["true_curve"], color=c, lw=1.0, ls=":", label=f"N={row['train_size']} true")
        ax.set_title(s, fontsize=9)
        ax.set_yscale("symlog", linthresh=0.5)
        ax.grid(alpha=0.3)
        if k % cols == 0:
            ax.set_ylabel("regret (test acc)")
        if k // cols == rows_n - 1:
            ax.set_xlabel("evaluations")
    for k in range(len(strategies), rows_n * cols):
        axes[k // cols][k % cols].axis("off")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(7, len(labels)), fontsize=8, frameon=False)
    fig.suptitle(f"{report['table']['name']} / {report['table']['dataset']}: surrogate ({mode}) vs table, mean over seeds", fontsize=10)
    fig.tight_layout(rect=(0, 0.06, 1, 0.96))
    from nasbench_suite._atomic import save_figure

    path.parent.mkdir(parents=True, exist_ok=True)
    save_figure(fig, path, dpi=110, metadata={"Software": None})
    plt.close(fig)
    return path


def write_report(report: dict[str, Any], out: Path) -> dict[str, Path]:
    """Write JSON, Markdown and PNG into ``out``; returns their paths."""
    from nasbench_suite._atomic import write_text

    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / JSON_NAME, "md": out / MD_NAME, "png": out / PNG_NAME}
    write_text(paths["json"], json.dumps(report, indent=1, sort_keys=True) + "\n")
    write_text(paths["md"], markdown(report))
    plot(report, paths["png"])
    return paths


def merge_reports(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """One report from reports of the same experiment run for different training-set sizes.

    A fidelity run fits and searches every N in one process; running the sizes
    separately (one N at a time, so that a finished size is kept when a later
    one is stopped) and merging gives the report the run of all of them would.
    The reports must agree on everything but ``train_sizes``: the table, the
    strategies, seeds, evaluations, preset, modes and fit seed, and the
    table's own runs (``truth``, the same for the same seeds). Their sizes
    must not overlap. ``seconds`` is the sum of the runs' wall times (each
    also ran the table's searches); ``parts`` gives each run's sizes and time.
    """
    if not reports:
        raise ValueError("merge_reports needs at least one report")
    first = reports[0]
    spec = {k: v for k, v in first["spec"].items() if k != "train_sizes"}
    sizes: list[int] = []
    for k, r in enumerate(reports):
        other = {k2: v for k2, v in r["spec"].items() if k2 != "train_sizes"}
        if other != spec:
            diff = sorted(k2 for k2 in set(spec) | set(other) if spec.get(k2) != other.get(k2))
            raise ValueError(f"report {k} differs from report 0 in {diff}: only train_sizes may differ between merged reports")
        if r["table"] != first["table"]:
            raise ValueError(f"report {k} was run on another table than report 0: {r['table']} vs {first['table']}")
        if r["truth"] != first["truth"]:
            bad = sorted(s for s in set(first["truth"]) | set(r["truth"]) if first["truth"].get(s) != r["truth"].get(s))
            raise ValueError(f"report {k}'s table runs differ from report 0's for strategies {bad}: "
                             "expected the same runs for the same seeds")  # fmt: skip
        overlap = sorted(set(sizes) & set(r["spec"]["train_sizes"]))
        if overlap:
            raise ValueError(f"train sizes {overlap} appear in more than one report")
        sizes += list(r["spec"]["train_sizes"])
    order = sorted(sizes)
    parts = [p for r in reports for p in r.get("parts", [{"train_sizes": r["spec"]["train_sizes"], "seconds": r["seconds"]}])]
    return {
        "spec": {**first["spec"], "train_sizes": order},
        "table": first["table"],
        "surrogates": sorted((s for r in reports for s in r["surrogates"]), key=lambda s: s["train_size"]),
        "truth": first["truth"],
        "rows": sorted((row for r in reports for row in r["rows"]), key=lambda row: order.index(row["train_size"])),
        "seconds": round(sum(p["seconds"] for p in parts), 1),
        "parts": sorted(parts, key=lambda p: min(p["train_sizes"])),
    }


def read_report(out: Path) -> dict[str, Any]:
    """The JSON of a report written by :func:`write_report`."""
    path = out / JSON_NAME
    if not path.is_file():
        raise FileNotFoundError(f"no fidelity report at {path}: expected a {JSON_NAME} written by 'nasbench surrogate fidelity'")
    return json.loads(path.read_text())


__all__ = ["markdown", "merge_reports", "plot", "read_report", "write_report"]
