"""``index.html``: a self-contained static page of the board (no network, no external files).

The table is sortable by a few lines of inline JavaScript (each cell carries
its raw value in ``data-sort``); the figures are embedded as base64 PNG. The
page layout lives in ``templates/index.html`` (a :class:`string.Template`).
"""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path
from string import Template
from typing import Any

from nasbench_suite.leaderboard import plots
from nasbench_suite.leaderboard.render_md import budget_text, clock_text, num, optimum_text, p_is, pvalue

TEMPLATE = Path(__file__).with_name("templates") / "index.html"


def _sort_value(v: Any) -> str:
    return "" if v is None else escape(str(v), quote=True)


def _summary_cell(s: dict[str, Any], digits: int) -> tuple[str, Any]:
    if s["mean"] is None:
        return "–", None
    lo, hi = s["ci95"]
    return f"{num(s['mean'], digits)} <span class=\"ci\">[{num(lo, digits)}, {num(hi, digits)}]</span>", s["mean"]


def _cells(board: dict[str, Any], e: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """(html, sort value, css class) per column of one entry."""
    runs = str(e["runs"]) + (f' <span class="failed">({e["failed"]} failed)</span>' if e["failed"] else "")
    out: list[tuple[str, Any, str]] = [
        (str(e["position"]), e["position"], ""),
        (escape(e["name"]), e["name"], "l"),
        (runs, e["runs"], ""),
        (*_summary_cell(e["final_test"], 2), ""),
        (*_summary_cell(e["regret"], 3), ""),
        (*_summary_cell(e["aurc_evals"], 3), ""),
        (*_summary_cell(e["aurc_time"], 3), ""),
        (num(e["avg_rank"]), e["avg_rank"], ""),
    ]
    if board.get("report_epoch"):
        out.insert(5, (*_summary_cell(e["report"]["final_test"], 2), ""))
    if board.get("multiobjective"):
        out[3] = (*_summary_cell(e["final_test"], 4), "")
        out[4] = (*_summary_cell(e["regret"], 4), "")
        out[5:5] = [(*_summary_cell(e["multiobjective"]["igd_plus"], 4), ""),
                    (*_summary_cell(e["multiobjective"]["front_size"], 1), "")]
    return out


def _headers(board: dict[str, Any]) -> list[tuple[str, str]]:
    unit = "s" if board["clock_unit"] == "seconds" else "epochs"
    hz = board["settings"]["horizon"]
    heads = [
        ("#", ""),
        ("strategy", "l"),
        ("runs", ""),
        (f"{board['test_metric']} @{board['epoch']} (%)", ""),
        ("regret (pp)", ""),
        (f"AURC, {hz['evals']} evals", ""),
        (f"AURC, {hz['time']:.4g} {unit}", ""),
        ("avg. rank", ""),
    ]
    rep = board.get("report_epoch")
    if rep:
        heads.insert(5, (f"{rep['metric']} @{rep['epoch']} (%)", ""))
    if board.get("multiobjective"):
        heads[3], heads[4] = (f"hypervolume @{board['epoch']}", ""), ("HV regret", "")
        heads[5:5] = [("IGD+", ""), ("front size", "")]
    return heads


def _table(header: list[str], rows: list[list[str]], classes: str) -> str:
    """A plain table; ``classes`` has one letter per column: l (left), r (right), e (wrapping error text)."""
    css = {"l": ' class="l"', "r": "", "e": ' class="err"'}
    th = "".join(f"<th{css[c] if c != 'e' else css['l']}>{h}</th>" for h, c in zip(header, classes))
    body = "\n".join("<tr>" + "".join(f"<td{css[c]}>{v}</td>" for v, c in zip(r, classes)) + "</tr>" for r in rows)
    return f'<table class="compact">\n<thead><tr>{th}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>'


def _meta(board: dict[str, Any]) -> str:
    bm = board["benchmark"]
    items = [
        f"benchmark <code>{escape(bm['name'])}</code> (<code>{escape(bm['checksum'])}</code>), dataset "
        f"<code>{escape(board['dataset'])}</code>, target epoch {board['epoch']}",
        f"budget {escape(budget_text(board))} per run, {board['workers']} worker(s); simulated clock in {clock_text(board)}",
        f"incumbent selected on <code>{escape(board['selection_metric'])}</code>; reported <code>{escape(board['test_metric'])}</code>; "
        f"regret against {escape(optimum_text(board['optimum']))}",
        f"{len(board['tests']['seeds'])} seeds on which every strategy succeeded",
    ]
    if board.get("multiobjective"):
        from nasbench_suite.leaderboard.render_md import measured_text, objectives_text

        mo = board["multiobjective"]
        items[2] = (f"objectives {escape(objectives_text(board)).replace('`', '')}; fronts chosen on validation, scored on "
                    f"the reported metrics; score: {escape(mo['score'])}; true front {mo['true_front_size']} cells, "
                    f"hypervolume {num(mo['true_hypervolume'], 4)}")
        items += [f"measured beside the table: {escape(measured_text(k, m)).replace('`', '')}"
                  for k, m in sorted((mo.get("measured_costs") or {}).items())]
    rep = board.get("report_epoch")
    if rep:
        items.append(f"also reported: <code>{escape(rep['metric'])}</code> at epoch {rep['epoch']} of the same incumbents "
                     f"(optimum {num(rep['optimum'], 3)}), not used for selection")
    return '<ul class="meta">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def _tests(board: dict[str, Any]) -> str:
    t = board["tests"]
    fr, nem = t["friedman"], t["nemenyi"]
    parts = []
    if fr["skipped"]:
        parts.append(f"<p>Friedman test not run: {escape(fr['skipped'])}.</p>")
    else:
        parts.append(f"<p>Friedman: &chi;&sup2; = {num(fr['statistic'])}, {p_is(fr['pvalue'])} "
                     f"({fr['entries']} strategies, {fr['seeds']} seeds).")
        if nem["cd"] is not None:
            groups = "; ".join("{" + ", ".join(escape(n) for n in c) + "}" for c in nem["cliques"]) or "none"
            parts[-1] += (f" Nemenyi critical difference at &alpha; = {nem['alpha']}: CD = {num(nem['cd'], 3)}; "
                          f"groups not significantly different: {groups}.")
        parts[-1] += "</p>"
    if t["wilcoxon"]:
        parts.append(_pairwise_matrix(board))
        parts.append('<p class="note">Pairwise Wilcoxon signed-rank tests of final regret, paired by seed, Holm-corrected. '
                     "&#9650;: the row's strategy has significantly lower regret than the column's; &#9660;: significantly "
                     "higher; &middot;: no significant difference. Hover a cell for its numbers.</p>")
        rows = [[escape(w["a"]), escape(w["b"]), f"{w['wins']}/{w['ties']}/{w['losses']}", num(w["median_diff"], 3),
                 pvalue(w["pvalue"]),
                 f'<span class="sig">{pvalue(w["pvalue_holm"])}</span>' if w["significant"] else pvalue(w["pvalue_holm"])]
                for w in t["wilcoxon"]]
        table = _table(["A", "B", "W/T/L", "median diff (pp)", "p", "p (Holm)"], rows, "llrrrr")
        parts.append(f'<details id="wilcoxon"><summary>All {len(rows)} pairs: W/T/L (seeds where A has lower / equal / '
                     f"higher regret than B), median difference and p-values</summary>\n{table}\n</details>")
    return "\n".join(parts)


def _pairwise_matrix(board: dict[str, Any]) -> str:
    """Strategies in board order against each other: who beats whom significantly."""
    names = [e["name"] for e in board["entries"]]
    pairs: dict[tuple[str, str], tuple[str, str]] = {}
    for w in board["tests"]["wilcoxon"]:
        text = (f"{w['wins']}/{w['ties']}/{w['losses']} (W/T/L), median diff {num(w['median_diff'], 3)} pp, "
                f"p (Holm) {pvalue(w['pvalue_holm'])}")
        better = w["wins"] > w["losses"]
        mark = ("win", "loss") if w["significant"] and better else ("loss", "win") if w["significant"] else ("ns", "ns")
        pairs[w["a"], w["b"]] = (mark[0], f"{w['a']} vs {w['b']}: {text}")
        back = (f"{w['losses']}/{w['ties']}/{w['wins']} (W/T/L), median diff {num(0.0 - w['median_diff'], 3)} pp, "
                f"p (Holm) {pvalue(w['pvalue_holm'])}")
        pairs[w["b"], w["a"]] = (mark[1], f"{w['b']} vs {w['a']}: {back}")
    symbol = {"win": '<span class="win">&#9650;</span>', "loss": '<span class="loss">&#9660;</span>', "ns": "&middot;"}
    head = "<th></th>" + "".join(f'<th class="rot" title="{escape(n, quote=True)}">{escape(n)}</th>' for n in names)
    rows = []
    for a in names:
        cells = []
        for b in names:
            if a == b or (a, b) not in pairs:
                cells.append('<td class="c"></td>')
            else:
                mark, title = pairs[a, b]
                cells.append(f'<td class="c" title="{escape(title, quote=True)}">{symbol[mark]}</td>')
        rows.append(f'<tr><th class="l">{escape(a)}</th>{"".join(cells)}</tr>')
    return (f'<table id="pairwise" class="matrix">\n<thead><tr>{head}</tr></thead>\n<tbody>\n'
            + "\n".join(rows) + "\n</tbody>\n</table>")


def _failed(board: dict[str, Any]) -> str:
    rows = [[escape(e["name"]), str(f["seed"]), f'<span class="mono">{escape(f["file"])}:{f["line"]}</span>', escape(f["error"])]
            for e in board["entries"] for f in e["failed_runs"]]
    if not rows:
        return "<p>None.</p>"
    return _table(["strategy", "seed", "where", "error"], rows, "lrle")


def _figures(board: dict[str, Any], images: dict[str, bytes]) -> str:
    captions = {
        plots.ANYTIME: "Anytime regret: mean over seeds with a 95% confidence band, against evaluations and simulated time.",
        plots.FINAL: "Final regret per seed (box: quartiles; whiskers: 1.5 IQR).",
        plots.CD: "Critical-difference diagram: average ranks; bars join strategies whose ranks differ by less than the CD.",
        plots.FRONTS: "Final fronts: every run's reported front (colour) and the table's true front (black), per strategy.",
    }
    if board.get("multiobjective"):
        captions[plots.ANYTIME] = ("Anytime hypervolume regret: mean over seeds with a 95% confidence band, against "
                                   "evaluations and simulated time.")
        captions[plots.FINAL] = "Final hypervolume regret per seed (box: quartiles; whiskers: 1.5 IQR)."
    out = []
    for name in (plots.ANYTIME, plots.FINAL, plots.FRONTS, plots.CD):
        if name in images:
            data = base64.b64encode(images[name]).decode("ascii")
            width = round(_png_width(images[name]) * 100 / plots.DPI)  # 100 CSS px per inch: one text size in every figure
            out.append(f'<figure><img id="{name.split(".")[0]}" width="{width}" alt="{escape(captions[name])}" '
                       f'src="data:image/png;base64,{data}"><figcaption>{escape(captions[name])}</figcaption></figure>')
    return "\n".join(out)


def _png_width(png: bytes) -> int:
    """Pixel width from a PNG's IHDR chunk."""
    return int.from_bytes(png[16:20], "big")


def _provenance(board: dict[str, Any]) -> str:
    rows = [[f'<span class="mono">{escape(f["path"])}</span>', f'<span class="mono">{f["sha256"]}</span>', str(f["runs"])]
            for f in board["files"]]
    text = (f"<p>Built by {escape(board['generated_by'])} from runs of {escape(', '.join(board['suite_versions']))}. "
            f"Every number on this page is in <code>leaderboard.json</code>.</p>")
    return text + _table(["results file", "sha256", "runs"], rows, "llr")


def render(board: dict[str, Any], images: dict[str, bytes]) -> str:
    """The HTML text of ``board`` with ``images`` (file name -> PNG bytes) embedded."""
    header = "".join(f'<th class="{cls}">{escape(h)}</th>' if cls else f"<th>{escape(h)}</th>" for h, cls in _headers(board))
    rows = []
    for e in board["entries"]:
        cells = "".join(
            f'<td class="{cls}" data-sort="{_sort_value(v)}">{html}</td>' if cls else f'<td data-sort="{_sort_value(v)}">{html}</td>'
            for html, v, cls in _cells(board, e)
        )
        rows.append(f'<tr data-name="{escape(e["name"], quote=True)}">{cells}</tr>')
    warnings = "\n".join(f'<div class="warning"><strong>Warning:</strong> {escape(w)}</div>' for w in board["warnings"])
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        title=escape(board["title"]),
        generator=escape(board["generated_by"]),
        meta=_meta(board),
        warnings=warnings,
        header=header,
        rows="\n".join(rows),
        figures=_figures(board, images),
        tests=_tests(board),
        failed=_failed(board),
        provenance=_provenance(board),
    )


__all__ = ["TEMPLATE", "render"]
