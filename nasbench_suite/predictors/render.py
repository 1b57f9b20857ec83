"""``board.md`` and ``index.html`` of a predictor board, every number read from ``board.json``.

The HTML page is self-contained (figures embedded as base64 PNG) and shares
the search boards' stylesheet (``leaderboard/templates/index.html``).
"""

from __future__ import annotations

import base64
import re
from html import escape
from typing import Any

from nasbench_suite.leaderboard.render_md import num, pvalue

#: (score key, column heading, digits)
COLUMNS = (("kendall_tau", "Kendall tau", 3), ("spearman", "Spearman", 3), ("precision_top5", "P@top5%", 3),
           ("nll", "NLL", 2), ("coverage90", "cov. 90%", 3))


def _ci(s: dict[str, Any], digits: int) -> tuple[str, str]:
    if s["mean"] is None:
        return "–", "–"
    return num(s["mean"], digits), f"[{num(s['ci95'][0], digits)}, {num(s['ci95'][1], digits)}]"


def _ms(x: float | None, n: float | None) -> str:
    """Query time per 1,000 cells in milliseconds."""
    return "–" if x is None or not n else f"{1000 * 1000 * x / n:.1f}"


def _cells(e: dict[str, Any]) -> list[str]:
    run = f"{e['cells'] - e['failed']}" + (f" ({e['failed']} failed)" if e["failed"] else "")
    out = [str(e["position"]), e["predictor"], run]
    for key, _, digits in COLUMNS:
        m, ci = _ci(e["scores"][key], digits)
        out.append(m if m == "–" else f"{m} {ci}")
    out += [num(e["fit_seconds"], 2), _ms(e["query_seconds"], e["n_test"]), num(e["avg_rank"], 2)]
    return out


HEAD = ["#", "predictor", "seeds"] + [c[1] for c in COLUMNS] + ["fit (s)", "query (ms / 1k)", "avg. rank"]


def _meta_lines(board: dict[str, Any]) -> list[str]:
    p, bm, cost = board["protocol"], board["benchmark"], board["cost"]
    return [
        f"benchmark `{bm['name']}` (`{bm['checksum']}`), dataset `{board['dataset']}`",
        f"training sizes {', '.join(map(str, p['sizes']))}; seeds {_seeds_text(p['seeds'])}; nested training sets per seed",
        f"test set: up to {p['test_size']} cells {p['split']} from those left out of the {p['split_size']}-cell training set "
        "(no test cell has an isomorph in any training set of its seed)",
        f"mean over seeds with 95% percentile-bootstrap intervals; ranks and paired Wilcoxon tests (Holm, alpha {p['alpha']}) "
        f"on {p['rank_score']} over the seeds on which every compared predictor scored",
        f"{cost['cells']} cells ({cost['failed']} failed); fit {cost['fit_seconds']:.0f} s, query {cost['query_seconds']:.0f} s "
        "of one CPU thread in all",
    ]


def _seeds_text(seeds: list[int]) -> str:
    if seeds and seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f"{seeds[0]}-{seeds[-1]} ({len(seeds)})"
    return ", ".join(map(str, seeds))


def _overview(target: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    names = sorted({e["predictor"] for s in target["sizes"] for e in s["entries"]})
    head = ["predictor"] + [str(s["size"]) for s in target["sizes"]]
    rows = []
    for n in names:
        row = [n]
        for s in target["sizes"]:
            e = next((e for e in s["entries"] if e["predictor"] == n), None)
            row.append("" if e is None else num(e["scores"]["kendall_tau"]["mean"], 3) + ("*" if e["failed"] else ""))
        rows.append(row)
    best = {}
    for j, s in enumerate(target["sizes"], start=1):
        vals = [(float(r[j].rstrip("*")), i) for i, r in enumerate(rows) if r[j].rstrip("*") not in ("", "–")]
        if vals:
            best[j] = max(vals)[1]
    for j, i in best.items():
        rows[i][j] = f"**{rows[i][j]}**"
    return head, rows


def _md_table(head: list[str], rows: list[list[str]], align: str) -> str:
    a = {"l": ":---", "r": "---:"}
    return "\n".join(["| " + " | ".join(head) + " |", "|" + "|".join(a[c] for c in align) + "|",
                      *("| " + " | ".join(r) + " |" for r in rows)])


def _a_better(w: dict[str, Any]) -> bool:
    """Whether ``a`` ranks better than ``b`` in a Wilcoxon pair: a positive median difference, else more wins."""
    diff = w["median_diff"] or 0.0
    return diff > 0 or (diff == 0 and w["wins"] > w["losses"])


def _significant(size: dict[str, Any]) -> list[str]:
    out = []
    for w in size["tests"]["wilcoxon"]:
        if w["significant"]:
            better, worse = (w["a"], w["b"]) if _a_better(w) else (w["b"], w["a"])
            out.append(f"{better} > {worse} (p {pvalue(w['pvalue_holm'])}, {w['seeds']} seeds)")
    return out


#: significant pairs a Markdown size section lists in full; beyond, it summarises the leader's tests
MD_PAIRS = 12


def _leader_summary(size: dict[str, Any], sig: list[str]) -> str:
    """The best-mean predictor's paired tests in words, for sections with too many pairs to list."""
    leader = size["entries"][0]["predictor"]
    beats, loses, ties = [], [], []
    for w in size["tests"]["wilcoxon"]:
        if leader not in (w["a"], w["b"]):
            continue
        other = w["b"] if w["a"] == leader else w["a"]
        if not w["significant"]:
            ties.append(other)
        elif (w["a"] == leader) == _a_better(w):
            beats.append(other)
        else:
            loses.append(other)
    parts = [f"{leader} (best mean) ranks significantly better than {', '.join(sorted(beats)) or 'none'}"]
    if loses:
        parts.append(f"worse than {', '.join(sorted(loses))}")
    parts.append(f"not separated from {', '.join(sorted(ties)) or 'none'}")
    return "; ".join(parts) + f". All {len(sig)} significant pairs are in `board.json` and `index.html`."


def markdown(board: dict[str, Any]) -> str:
    """The Markdown page of ``board``."""
    lines = [f"# {board['title']}", ""] + [f"- {m}" for m in _meta_lines(board)] + [""]
    for t in board["targets"]:
        lines += [f"## {t['target']}", "", f"![{t['target']}]({_plot(t)})", "",
                  "Kendall tau by training size (bold: best mean; *: some cells failed)", ""]
        head, rows = _overview(t)
        lines += [_md_table(head, rows, "l" + "r" * (len(head) - 1)), ""]
        for s in t["sizes"]:
            lines += [f"### {t['target']}, {s['size']} training cells", "",
                      _md_table(HEAD, [_cells(e) for e in s["entries"]], "rlr" + "r" * (len(HEAD) - 3)), ""]
            sig = _significant(s)
            fr = s["tests"]["friedman"]
            fr_text = "" if fr is None or fr["skipped"] else f"Friedman p {pvalue(fr['pvalue'])} over {len(s['tests']['seeds'])} seeds; "
            listed = '; '.join(sig) if len(sig) <= MD_PAIRS else _leader_summary(s, sig)
            lines += [f"{fr_text}significant pairs (Wilcoxon, Holm): {listed if sig else 'none'}", ""]
    lines += ["## Failed cells", ""]
    if board["failures"]:
        lines += [_md_table(["target", "predictor", "size", "seed", "error"],
                            [[f["target"], f["predictor"], str(f["size"]), str(f["seed"]), f["error"].replace("|", "\\|")]
                             for f in board["failures"]], "llrrl"), ""]
    else:
        lines += ["None.", ""]
    return "\n".join(lines)


def _plot(target: dict[str, Any]) -> str:
    from nasbench_suite.predictors.plots import file_name

    return file_name(target)


def _html_table(head: list[str], rows: list[list[str]], left: set[int], cls: str = "compact") -> str:
    th = "".join(f'<th class="l">{escape(h)}</th>' if i in left else f"<th>{escape(h)}</th>" for i, h in enumerate(head))
    body = "\n".join("<tr>" + "".join(f'<td class="l">{c}</td>' if i in left else f"<td>{c}</td>" for i, c in enumerate(r)) + "</tr>"
                     for r in rows)
    return f'<table class="{cls}">\n<thead><tr>{th}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>'


def _style() -> str:
    from nasbench_suite.leaderboard.render_html import TEMPLATE

    found = re.search(r"<style>.*?</style>", TEMPLATE.read_text(encoding="utf-8"), re.S)
    return found.group(0) if found else ""


def html(board: dict[str, Any], images: dict[str, bytes]) -> str:
    """The self-contained HTML page of ``board``."""
    parts = [f"<h1>{escape(board['title'])}</h1>",
             '<ul class="meta">' + "".join(f"<li>{_inline(m)}</li>" for m in _meta_lines(board)) + "</ul>"]
    for t in board["targets"]:
        parts.append(f'<h2 id="{escape(t["target"])}">{escape(t["target"])}</h2>')
        png = images.get(_plot(t))
        if png:
            data = base64.b64encode(png).decode("ascii")
            cap = f"{t['target']}: each score against the training-set size, mean over seeds and 95% band"
            parts.append(f'<figure><img alt="{escape(cap)}" src="data:image/png;base64,{data}" style="max-width:100%">'
                         f"<figcaption>{escape(cap)}</figcaption></figure>")
        head, rows = _overview(t)
        rows = [[re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escape(c)) for c in r] for r in rows]
        parts.append("<p>Kendall tau by training size (bold: best mean; *: some cells failed).</p>")
        parts.append(_html_table(head, rows, {0}))
        for s in t["sizes"]:
            rows = [[escape(c) for c in _cells(e)] for e in s["entries"]]
            rows = [r[:3] + [re.sub(r"(\[.*\])", r'<span class="ci">\1</span>', c) for c in r[3:]] for r in rows]
            sig = _significant(s)
            pairs = [[escape(w["a"]), escape(w["b"]), str(w["seeds"]), f"{w['losses']}/{w['ties']}/{w['wins']}",
                      num(w["median_diff"], 4), pvalue(w["pvalue"]),
                      f'<span class="sig">{pvalue(w["pvalue_holm"])}</span>' if w["significant"] else pvalue(w["pvalue_holm"])]
                     for w in s["tests"]["wilcoxon"]]
            parts.append(f"<h3>{escape(t['target'])}, {s['size']} training cells</h3>")
            parts.append(_html_table(HEAD, rows, {1}, "sortable"))
            parts.append(f'<p class="note">Significant pairs over {len(s["tests"]["seeds"])} seeds: '
                         f"{escape('; '.join(sig)) if sig else 'none'}.</p>")
            if pairs:
                parts.append("<details><summary>Paired Wilcoxon tests of Kendall tau (W/T/L: seeds where A ranks better / "
                             "equal / worse; median of tau(A) - tau(B))</summary>"
                             + _html_table(["A", "B", "seeds", "W/T/L", "median diff", "p", "p (Holm)"], pairs, {0, 1}) + "</details>")
    parts.append("<h2>Failed cells</h2>")
    if board["failures"]:
        rows = [[escape(f["target"]), escape(f["predictor"]), str(f["size"]), str(f["seed"]), escape(f["error"])]
                for f in board["failures"]]
        parts.append(_html_table(["target", "predictor", "size", "seed", "error"], rows, {0, 1, 4}))
    else:
        parts.append("<p>None.</p>")
    parts.append("<h2>Cost</h2>")
    rows = [[escape(p), f"{s:.1f}"] for p, s in sorted(board["cost"]["per_predictor"].items())]
    parts.append(_html_table(["predictor", "fit + query (s, all cells)"], rows, {0}))
    parts.append("<p class=\"note\">Every number on this page is in <code>board.json</code>.</p>")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{escape(board['title'])}</title>\n{_style()}\n</head>\n<body>\n" + "\n".join(parts) + "\n</body>\n</html>\n")


def _inline(text: str) -> str:
    """Markdown backticks as ``<code>``."""
    return re.sub(r"`([^`]*)`", r"<code>\1</code>", escape(text))


__all__ = ["markdown", "html"]
