"""``leaderboard.md``: the board as a Markdown page, every number read from ``leaderboard.json``."""

from __future__ import annotations

import math
from typing import Any

from nasbench_suite.leaderboard import plots


def num(x: float | None, digits: int = 2) -> str:
    """A fixed-point number; ``None`` (not available) prints as an en dash."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.{digits}f}"


def pvalue(p: float | None) -> str:
    """A p-value with 2 significant digits, or ``< 1e-4``."""
    if p is None:
        return "–"
    return "< 1e-4" if p < 1e-4 else f"{p:.2g}"


def p_is(p: float | None) -> str:
    """``p = 0.012`` or ``p < 1e-4``."""
    text = pvalue(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def mean_ci(s: dict[str, Any], digits: int = 2) -> str:
    """``mean [lo, hi]`` of a summary."""
    if s["mean"] is None:
        return "–"
    lo, hi = s["ci95"]
    return f"{num(s['mean'], digits)} [{num(lo, digits)}, {num(hi, digits)}]"


def budget_text(board: dict[str, Any]) -> str:
    """The budget in words, e.g. ``200 evaluations``."""
    b = board["budget"]
    unit = {"evals": "evaluations", "seconds": "simulated seconds", "epochs": "simulated epochs"}[b["kind"]]
    value = f"{b['value']:g}" if isinstance(b["value"], float) else str(b["value"])
    return f"{value} {unit}"


def clock_text(board: dict[str, Any]) -> str:
    """The simulated clock's unit in words: ``seconds`` or ``epochs``."""
    return "seconds" if board["clock_unit"] == "seconds" else "epochs"


def optimum_text(opt: dict[str, Any]) -> str:
    """What regret is measured against: a table's optimum, or a surrogate's predicted one and how it was found."""
    if opt.get("predicted"):
        return f"the surrogate's predicted optimum {num(opt['value'], 3)} ({opt['predicted']})"
    return f"the table optimum {num(opt['value'], 3)}"


def columns(board: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """The leaderboard table's columns: (key, header, cell function of an entry)."""
    unit = "s" if board["clock_unit"] == "seconds" else "epochs"
    hz = board["settings"]["horizon"]
    cols: list[tuple[str, str, Any]] = [
        ("position", "#", lambda e: str(e["position"])),
        ("name", "strategy", lambda e: e["name"]),
        ("runs", "runs (failed)", lambda e: f"{e['runs']} ({e['failed']})" if e["failed"] else str(e["runs"])),
        ("final_test", f"{board['test_metric']} @{board['epoch']} (%)", lambda e: mean_ci(e["final_test"])),
        ("regret", "regret (pp)", lambda e: mean_ci(e["regret"], 3)),
        ("aurc_evals", f"AURC, {hz['evals']} evals", lambda e: mean_ci(e["aurc_evals"], 3)),
        ("aurc_time", f"AURC, {hz['time']:.4g} {unit}", lambda e: mean_ci(e["aurc_time"], 3)),
        ("avg_rank", "avg. rank", lambda e: num(e["avg_rank"])),
    ]
    rep = board.get("report_epoch")
    if rep:
        cols.insert(5, ("report", f"{rep['metric']} @{rep['epoch']} (%)", lambda e: mean_ci(e["report"]["final_test"])))
    if board.get("multiobjective"):
        cols[3] = ("final_test", f"hypervolume @{board['epoch']}", lambda e: mean_ci(e["final_test"], 4))
        cols[4] = ("regret", "HV regret", lambda e: mean_ci(e["regret"], 4))
        cols[5:5] = [("igd_plus", "IGD+", lambda e: mean_ci(e["multiobjective"]["igd_plus"], 4)),
                     ("front_size", "front size", lambda e: mean_ci(e["multiobjective"]["front_size"], 1))]
    return cols


def objectives_text(board: dict[str, Any]) -> str:
    """A multi-objective board's objectives and their reported metrics, e.g. ``valid_acc:max (reported test_acc)``."""
    return ", ".join(f"`{o['metric']}:{o['direction']}`" + (f" (reported `{o['report']}`)" if o["report"] != o["metric"] else "")
                     for o in board["objectives"])


def measured_text(metric: str, m: dict[str, Any]) -> str:
    """How and on which machine a cost objective measured beside the table was measured."""
    machine = m.get("machine") or {}
    env = ", ".join(f"{k}={v}" for k, v in sorted((m.get("thread_env") or {}).items()))
    return (f"`{metric}`: batch {m['batch']}, {m['threads']} thread(s) on {m['device']} ({machine.get('device_name')}), "
            f"{m['statistic']} of {m['repeats']} timed passes after {m['warmup']} warm-up; CPU {machine.get('cpu')} "
            f"({machine.get('cpu_count')} cores), torch {machine.get('torch')} ({machine.get('torch_cpu_capability')})"
            + (f", {env}" if env else "") + f"; numerics fingerprint `{m['fingerprint_digest']}`")


def _mo_lines(board: dict[str, Any]) -> list[str]:
    mo = board["multiobjective"]
    lines = [
        f"- **objectives** {objectives_text(board)}; each run's front is chosen on validation and scored on its reported "
        f"metrics at epoch {board['epoch']}",
        f"- **score** {mo['score']}; true front: {mo['true_front_size']} cells, hypervolume {num(mo['true_hypervolume'], 4)} "
        f"(ideal {', '.join(f'{v:.6g}' for v in mo['ideal'])}; worst {', '.join(f'{v:.6g}' for v in mo['worst'])})",
        f"- **seeds** {len(board['tests']['seeds'])} complete (every strategy succeeded); mean and 95% percentile-bootstrap "
        f"interval over seeds (seed {board['settings']['bootstrap']['seed']})",
    ]
    for metric, m in sorted((mo.get("measured_costs") or {}).items()):
        lines.append(f"- **measured beside the table** {measured_text(metric, m)}")
    return lines


def _table(header: list[str], rows: list[list[str]], align: str) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(":---" if a == "l" else "---:" for a in align) + "|"]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
    return out


def render(board: dict[str, Any]) -> str:
    """The Markdown text of ``board``."""
    bm = board["benchmark"]
    opt = board["optimum"]
    lines = [f"# {board['title']}", ""]
    lines += [
        f"- **benchmark** `{bm['name']}` (`{bm['checksum']}`), dataset `{board['dataset']}`, "
        f"target epoch {board['epoch']} (fidelities {', '.join(map(str, board['fidelities']))})",
        f"- **budget** {budget_text(board)} per run, {board['workers']} worker(s); simulated clock in {clock_text(board)}",
    ]
    if board.get("multiobjective"):
        lines += [f"- **cost files** {', '.join(f'`{k}` (`{v}`)' for k, v in sorted(bm['cost_files'].items()))}"] if bm.get("cost_files") else []
        lines += _mo_lines(board)
    else:
        lines += [
            f"- **selection** of the incumbent on `{board['selection_metric']}`; reported: `{board['test_metric']}` at epoch "
            f"{board['epoch']} of the incumbent; regret against {optimum_text(opt)}",
            f"- **seeds** {len(board['tests']['seeds'])} complete (every strategy succeeded); mean and 95% percentile-bootstrap "
            f"interval over seeds (seed {board['settings']['bootstrap']['seed']})",
        ]
    rep = board.get("report_epoch")
    if rep:
        lines.append(f"- **also reported**: `{rep['metric']}` at epoch {rep['epoch']} of the same incumbents "
                     f"(optimum {num(rep['optimum'], 3)}); not used for selection")
    lines.append("")
    for w in board["warnings"]:
        lines += [f"> **Warning:** {w}", ""]

    cols = columns(board)
    lines += _table([c[1] for c in cols], [[c[2](e) for c in cols] for e in board["entries"]], "rl" + "r" * (len(cols) - 2))
    if board.get("multiobjective"):
        lines += ["", "HV regret: the true front's hypervolume minus the run's (normalised). AURC: mean hypervolume regret "
                  "over the horizon. IGD+: distance of the true front to the run's front (normalised). Ranks by final "
                  "hypervolume regret per seed; lower is better everywhere except hypervolume.", ""]
    else:
        lines += ["", "AURC: mean regret over the horizon (area under the anytime regret curve, divided by its length). "
                  "Ranks by final regret per seed; lower is better everywhere except accuracy.", ""]

    t = board["tests"]
    fr = t["friedman"]
    lines += ["## Statistical tests", ""]
    if fr["skipped"]:
        lines.append(f"- Friedman test not run: {fr['skipped']}.")
    else:
        lines.append(f"- Friedman: chi² = {num(fr['statistic'])}, {p_is(fr['pvalue'])} "
                     f"({fr['entries']} strategies, {fr['seeds']} seeds).")
    nem = t["nemenyi"]
    if nem["cd"] is not None:
        groups = "; ".join("{" + ", ".join(c) + "}" for c in nem["cliques"]) or "none"
        lines.append(f"- Nemenyi critical difference at alpha = {nem['alpha']}: CD = {num(nem['cd'], 3)} "
                     f"(q = {num(nem['q_alpha'], 3)}); groups not significantly different: {groups}.")
    if t["wilcoxon"]:
        what = "hypervolume regret" if board.get("multiobjective") else "regret"
        lines += ["", f"Pairwise Wilcoxon signed-rank tests of final {what}, paired by seed, Holm-corrected "
                  "(wins/ties/losses count seeds where the first strategy has lower/equal/higher regret):", ""]
        rows = [[w["a"], w["b"], f"{w['wins']}/{w['ties']}/{w['losses']}", num(w["median_diff"], 3), pvalue(w["pvalue"]),
                 pvalue(w["pvalue_holm"]) + (" *" if w["significant"] else "")] for w in t["wilcoxon"]]
        unit = "" if board.get("multiobjective") else " (pp)"
        lines += _table(["A", "B", "W/T/L", f"median diff{unit}", "p", "p (Holm)"], rows, "llrrrr")
    lines.append("")

    failed = [(e["name"], f) for e in board["entries"] for f in e["failed_runs"]]
    lines += ["## Failed runs", ""]
    if failed:
        lines += _table(["strategy", "seed", "error", "where"],
                        [[n, str(f["seed"]), f["error"], f"{f['file']}:{f['line']}"] for n, f in failed], "lrll")
    else:
        lines.append("None.")
    lines.append("")

    lines += ["## Figures", ""]
    captions = {plots.ANYTIME: "Anytime regret (mean and 95% band over seeds)", plots.FINAL: "Final regret per seed",
                plots.CD: "Critical-difference diagram", plots.FRONTS: "Final fronts of every run (colour) and the true front (black)"}
    for name in (plots.ANYTIME, plots.FINAL, plots.FRONTS, plots.CD):
        if name in board.get("plots", {}):
            lines += [f"![{captions[name]}]({name})", ""]

    lines += ["## Provenance", "", f"Built by {board['generated_by']} from runs of "
              f"{', '.join(board['suite_versions'])}; every number above is in `leaderboard.json`.", ""]
    lines += _table(["results file", "sha256", "runs"], [[f"`{f['path']}`", f"`{f['sha256']}`", str(f["runs"])] for f in board["files"]], "llr")
    if board.get("duplicate_runs_ignored"):
        lines += ["", f"{board['duplicate_runs_ignored']} identical duplicate run(s) counted once."]
    return "\n".join(lines) + "\n"


__all__ = ["budget_text", "clock_text", "columns", "mean_ci", "measured_text", "num", "objectives_text", "p_is", "pvalue",
           "render"]
