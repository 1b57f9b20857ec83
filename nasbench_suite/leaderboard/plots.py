"""The leaderboard's figures, drawn from ``leaderboard.json`` alone: anytime regret, final regret, CD diagram.

Each function returns PNG bytes, written without timestamps or version tags
so the same board gives the same bytes. Colours follow the entries' order
in the board, so an entry has one colour in every figure.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ANYTIME, FINAL, CD = "anytime_regret.png", "final_regret.png", "cd_diagram.png"
#: a multi-objective board's figure of every run's final front beside the true front, one panel per entry
FRONTS = "final_fronts.png"
DPI = 150
_STYLE = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "grid.linewidth": 0.6,
    "savefig.facecolor": "white",
    "svg.hashsalt": "nasbench-suite",
}


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def colors(board: dict[str, Any]) -> dict[str, str]:
    """Entry name -> hex colour, by alphabetical order of the names.

    Up to 10 entries take tab10. Beyond that, tab20's strong shades come first
    and its light partners after them, so names next to each other in
    alphabetical order never get two shades of one hue.
    """
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    names = sorted(e["name"] for e in board["entries"])
    if len(names) <= 10:
        palette = [colormaps["tab10"](i) for i in range(10)]
    else:
        tab20 = colormaps["tab20"]
        palette = [tab20(i) for i in (*range(0, 20, 2), *range(1, 20, 2))]
    return {n: to_hex(palette[i % len(palette)]) for i, n in enumerate(names)}


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    _plt().close(fig)
    return buf.getvalue()


def _unit(board: dict[str, Any]) -> str:
    return "seconds" if board["clock_unit"] == "seconds" else "epochs"


def _yscale(ax: Any, lows: list[float], highs: list[float]) -> None:
    """Log scale fitted to the bands; symlog when a band reaches zero regret (the optimum found on every seed)."""
    lows = [v for v in lows if not math.isnan(v)]
    highs = [v for v in highs if not math.isnan(v)]
    if not highs:
        return
    top = max(highs) * 1.25
    positive = [v for v in lows if v > 0]
    if positive and min(lows) > 0:
        from matplotlib.ticker import LogLocator, NullFormatter, StrMethodFormatter

        ax.set_yscale("log")
        ax.set_ylim(min(positive) / 1.25, top)
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
    else:
        smallest = min(positive) if positive else top / 100
        ax.set_yscale("symlog", linthresh=10 ** math.floor(math.log10(smallest)), linscale=0.4)
        ax.set_ylim(0, top)


def regret_label(board: dict[str, Any]) -> str:
    """What the board's regret is: of the test metric in points, or (multi-objective) of the hypervolume."""
    if board.get("multiobjective"):
        return "hypervolume regret (normalised)"
    return f"regret of {board['test_metric']} (pp)"


def anytime_figure(board: dict[str, Any], *, title: str | None = None) -> Any:
    """The anytime figure: mean regret with a 95% band per entry, against evaluations and simulated time.

    The legend sits beside the panels, bands are clipped at zero regret, and
    the y range is fitted to the bands. ``title`` (optional) goes above both panels.
    """
    plt = _plt()
    col = colors(board)
    ordered = [e["name"] for e in board["entries"]]
    lows: list[float] = []
    highs: list[float] = []
    with plt.rc_context(_STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(10.0, 3.5), sharey=True, constrained_layout=True)
        for ax, axis, xlabel in ((axes[0], "evals", "evaluations"), (axes[1], "time", f"simulated time ({_unit(board)})")):
            curves = board["curves"][axis]
            x = curves["x"]
            for name in ordered:
                c = curves["entries"].get(name)
                if c is None:
                    continue
                mean = [math.nan if v is None else v for v in c["mean"]]
                lo = [math.nan if v is None else max(v, 0.0) for v in c["lo"]]
                hi = [math.nan if v is None else v for v in c["hi"]]
                lows += [min(a, b) for a, b in zip(mean, lo)] if lo else mean
                highs += [max(a, b) for a, b in zip(mean, hi)] if hi else mean
                ax.fill_between(x, lo, hi, color=col[name], alpha=0.18, step="post", lw=0)
                ax.plot(x, mean, color=col[name], lw=1.5, drawstyle="steps-post", label=name)
            ax.set_xscale("log")
            ax.set_xlabel(xlabel)
            ax.grid(True, which="major")
        _yscale(axes[0], lows, highs)
        axes[0].set_ylabel(regret_label(board))
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside right upper", frameon=False)  # beside the panels, never over a curve
        if title:
            fig.suptitle(title)
    return fig


def anytime(board: dict[str, Any]) -> bytes:
    """The board's anytime figure (:func:`anytime_figure`, untitled) as PNG bytes."""
    with _plt().rc_context(_STYLE):
        return _png(anytime_figure(board))


def plot_results(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], out: str | os.PathLike[str], *,
                 title: str | None = None) -> tuple[Path, dict[str, Any]]:
    """Draw the board's anytime figure of results files into ``out`` (.png, .pdf, .svg); also return the board.

    The runs are read as a leaderboard reads them: all of one setting, an
    identical run offered twice counted once. The default title names the
    benchmark, dataset, target epoch and selection metric.
    """
    from nasbench_suite._atomic import save_figure
    from nasbench_suite.leaderboard.board import compute_board
    from nasbench_suite.leaderboard.records import load_results

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    loaded = load_results(list(paths))
    board = compute_board(loaded, base=Path(out).parent)
    if title is None:
        title = (f"{board['benchmark']['name']} / {board['dataset']} / epoch {board['epoch']} "
                 f"(selection: {board['selection_metric']})")
    fig = anytime_figure(board, title=title)
    try:
        with _plt().rc_context(_STYLE):
            return save_figure(fig, out, dpi=DPI, metadata=_metadata(out)), board
    finally:
        _plt().close(fig)


def _metadata(out: str | os.PathLike[str]) -> dict[str, Any]:
    """No software tag or date in the file where the format has them, so equal runs give equal bytes."""
    fmt = Path(out).suffix.lstrip(".").lower() or "png"
    return {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
            "pdf": {"CreationDate": None, "Producer": None, "Creator": None}}.get(fmt, {})


def final(board: dict[str, Any]) -> bytes:
    """Box plot of final regret per entry, best (by average rank) on top, with failed-run counts."""
    plt = _plt()
    col = colors(board)
    rows = board["entries"]
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(6.0, 0.42 * len(rows) + 1.2), constrained_layout=True)
        data, labels, colours = [], [], []
        for e in reversed(rows):
            data.append(e["final_regret_per_seed"] or [math.nan])
            labels.append(e["name"] + (f"  ({e['failed']} failed)" if e["failed"] else ""))
            colours.append(col[e["name"]])
        box = ax.boxplot(data, orientation="horizontal", widths=0.6, patch_artist=True, showfliers=True, showmeans=True,
                         medianprops={"color": "black", "lw": 1.2}, flierprops={"marker": ".", "markersize": 3, "alpha": 0.5},
                         meanprops={"marker": "D", "markersize": 4, "markerfacecolor": "white", "markeredgecolor": "black"})
        for patch, c in zip(box["boxes"], colours):
            patch.set_facecolor(c)
            patch.set_alpha(0.55)
        ax.set_yticks(range(1, len(labels) + 1), labels)
        ax.set_xlabel(f"final {regret_label(board)}, lower is better")
        ax.grid(True, axis="x")
        ax.grid(False, axis="y")
        return _png(fig)


def cd_diagram(board: dict[str, Any]) -> bytes | None:
    """Demšar's critical-difference diagram: average ranks, the CD, and bars joining non-significant groups."""
    nem = board["tests"]["nemenyi"]
    rows = [e for e in board["entries"] if e["avg_rank"] is not None]
    k = len(rows)
    if k < 2 or nem["cd"] is None:
        return None
    plt = _plt()
    col = colors(board)
    ranks = {e["name"]: e["avg_rank"] for e in rows}
    names = sorted(ranks, key=lambda n: (ranks[n], n))
    half = math.ceil(k / 2)
    left, right = names[:half], names[half:][::-1]
    cliques = sorted(nem["cliques"], key=lambda c: min(ranks[n] for n in c))
    step, bar_step = 0.5, 0.22
    first_label = -0.35 - bar_step * len(cliques) - 0.25
    bottom = first_label - step * (max(len(left), len(right)) - 1) - 0.35
    top = 1.4
    cd = nem["cd"]
    with plt.rc_context({**_STYLE, "axes.grid": False}):
        fig = plt.figure(figsize=(7.0, 0.42 * (top - bottom) + 0.35))
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        ax.set_xlim(1 - 0.45 * k - 0.6, k + 0.45 * k + 0.6)
        ax.set_ylim(bottom, top)
        ax.axis("off")
        ax.hlines(0, 1, k, color="black", lw=1)
        for r in range(1, k + 1):
            ax.vlines(r, 0, 0.16, color="black", lw=1)
            ax.text(r, 0.22, str(r), ha="center", va="bottom")
            if r < k:
                ax.vlines(r + 0.5, 0, 0.08, color="black", lw=0.7)
        ax.hlines(0.95, 1, 1 + cd, color="black", lw=1.4)
        ax.vlines([1, 1 + cd], 0.87, 1.03, color="black", lw=1.4)
        ax.text(1 + cd / 2, 1.08, f"CD = {cd:.2f}", ha="center", va="bottom")
        for side, group in (("left", left), ("right", right)):
            for i, name in enumerate(group):
                y = first_label - step * i
                end = 1 - 0.25 if side == "left" else k + 0.25
                ax.plot([ranks[name], ranks[name], end], [0, y, y], color=col[name], lw=1.3)
                text = f"{name}  {ranks[name]:.2f}" if side == "left" else f"{ranks[name]:.2f}  {name}"
                ax.text(end - 0.08 if side == "left" else end + 0.08, y, text, ha="right" if side == "left" else "left", va="center")
        for i, clique in enumerate(cliques):
            lo, hi = min(ranks[n] for n in clique), max(ranks[n] for n in clique)
            ax.hlines(-0.35 - bar_step * i, lo - 0.03, hi + 0.03, color="black", lw=3.2)
        return _png(fig)


def log_axis(mo: dict[str, Any], k: int) -> bool:
    """Whether objective ``k`` of a board's ``multiobjective`` block is drawn on a log axis.

    As in ``nasbench info --front --plot``: a positive cost whose values over
    the table (ideal to worst) span more than two orders of magnitude. The
    true front alone can span far less than the runs' fronts (a measured
    latency: 0.26 to 1.4 ms on the front, up to 83 ms in the table), and one
    slow point on a linear axis flattens every panel.
    """
    lo, hi = sorted((float(mo["ideal"][k]), float(mo["worst"][k])))
    return not mo["metrics"][k].endswith("_acc") and lo > 0 and hi / lo > 100


def fronts(board: dict[str, Any]) -> bytes:
    """A multi-objective board's final fronts: per entry, every seed's reported front over the true front.

    Two objectives: one panel per entry, the attainment boundary of each run
    drawn thin in the entry's colour and the true front in black. Three
    objectives: the first two, projected.
    """
    import numpy as np

    plt = _plt()
    col = colors(board)
    mo = board["multiobjective"]
    objs = mo["objectives"]
    metrics = mo["metrics"]
    true = np.asarray(mo["true_front"], dtype=float)
    rows = board["entries"]
    ncols = min(3, len(rows))
    nrows = math.ceil(len(rows) / ncols)

    def step(ax: Any, pts: Any, **kw: Any) -> None:
        pts = pts[np.argsort(pts[:, 0], kind="stable")]
        ax.step(pts[:, 0], pts[:, 1], where="pre" if objs[0]["direction"] == "max" else "post", **kw)

    with plt.rc_context(_STYLE):
        fig, axes = plt.subplots(nrows, ncols, figsize=(3.4 * ncols, 2.9 * nrows), sharex=True, sharey=True,
                                 constrained_layout=True, squeeze=False)
        for ax, e in zip(axes.flat, rows):
            for pts in e["multiobjective"]["final_fronts"].values():
                p = np.asarray(pts, dtype=float).reshape(-1, len(metrics))
                if len(p):
                    step(ax, p, color=col[e["name"]], lw=0.8, alpha=0.35)
                    ax.scatter(p[:, 0], p[:, 1], s=4, color=col[e["name"]], alpha=0.5, linewidths=0)
            step(ax, true, color="black", lw=1.0)
            ax.scatter(true[:, 0], true[:, 1], s=6, color="black", zorder=3)
            ax.set_title(f"{e['name']} ({len(e['multiobjective']['final_fronts'])} runs)")
            for k, setter in ((0, ax.set_xscale), (1, ax.set_yscale)):
                if log_axis(mo, k):
                    setter("log")
        for ax in axes.flat[len(rows):]:
            ax.set_visible(False)
        for ax in axes[-1]:
            ax.set_xlabel(f"{metrics[0]} ({objs[0]['direction']})")
        for ax in axes[:, 0]:
            ax.set_ylabel(f"{metrics[1]} ({objs[1]['direction']})")
        return _png(fig)


def render_all(board: dict[str, Any]) -> dict[str, bytes]:
    """Every figure of the board as ``{file name: PNG bytes}`` (the CD diagram needs two or more ranked entries)."""
    out = {ANYTIME: anytime(board), FINAL: final(board)}
    if board.get("multiobjective"):
        out[FRONTS] = fronts(board)
    cd = cd_diagram(board)
    if cd is not None:
        out[CD] = cd
    return out


__all__ = ["ANYTIME", "CD", "FINAL", "FRONTS", "anytime", "anytime_figure", "cd_diagram", "colors", "final", "fronts", "log_axis", "plot_results", "regret_label", "render_all"]
