"""The predictor board's figures: each score against the training-set size, mean and 95% band per predictor.

Drawn from ``board.json`` alone, one PNG per target, without timestamps, so
the same board gives the same bytes. A predictor keeps one colour in every figure.
"""

from __future__ import annotations

from typing import Any

from nasbench_suite.leaderboard.plots import DPI, _plt, _png, _STYLE

#: (score, axis label) drawn for every target; the uncertainty scores only where a predictor has them
PANELS = (("kendall_tau", "Kendall tau"), ("spearman", "Spearman"), ("precision_top5", "precision of predicted top 5%"),
          ("nll", "NLL (Gaussian)"), ("coverage90", "90%-interval coverage"))


def file_name(target: dict[str, Any]) -> str:
    """``curves_valid_acc@12.png`` -> a file-system-safe name per target."""
    return f"curves_{target['metric']}_{target['epoch']}.png"


def _colors(names: list[str]) -> dict[str, str]:
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    tab = colormaps["tab20"] if len(names) > 10 else colormaps["tab10"]
    step = 1 if len(names) <= 10 else 1
    return {n: to_hex(tab((i * step) % tab.N)) for i, n in enumerate(sorted(names))}


def curves(board: dict[str, Any], target: dict[str, Any]) -> bytes:
    """Score-vs-size curves of one target."""
    plt = _plt()
    colors = _colors(board["predictors"])
    panels = [(k, label) for k, label in PANELS
              if any(e["scores"][k]["mean"] is not None for s in target["sizes"] for e in s["entries"])]
    with plt.rc_context(_STYLE):
        fig, axes = plt.subplots(1, len(panels), figsize=(3.3 * len(panels), 3.2), squeeze=False)
        for ax, (key, label) in zip(axes[0], panels):
            for name in board["predictors"]:
                pts = [(s["size"], e["scores"][key]) for s in target["sizes"] for e in s["entries"]
                       if e["predictor"] == name and e["scores"][key]["mean"] is not None]
                if not pts:
                    continue
                x = [p[0] for p in pts]
                ax.plot(x, [p[1]["mean"] for p in pts], marker="o", ms=3, lw=1.3, color=colors[name], label=name)
                ax.fill_between(x, [p[1]["ci95"][0] for p in pts], [p[1]["ci95"][1] for p in pts],
                                color=colors[name], alpha=0.18, lw=0)
            if key == "coverage90":
                ax.axhline(0.9, color="#57606a", lw=0.8, ls="--")
            ax.set_xscale("log")
            ax.set_xlabel("training cells")
            ax.set_title(label)
        axes[0][0].legend(loc="lower right", frameon=False)
        fig.suptitle(f"{board['benchmark']['name']} / {board['dataset']}: {target['target']}", fontsize=10)
        fig.tight_layout()
        return _png(fig)


def render_all(board: dict[str, Any]) -> dict[str, bytes]:
    """``{file name: PNG bytes}`` of every figure of the board."""
    return {file_name(t): curves(board, t) for t in board["targets"]}


__all__ = ["DPI", "PANELS", "curves", "file_name", "render_all"]
