"""Model cards of saved surrogates (``card.json`` + ``card.md``) and predicted-vs-true scatter plots.

The card says what a surrogate was trained on (benchmark and checksum,
dataset, metric, epoch, split and its seed), how well it predicts held-out
architectures, how long fitting took, and which library versions wrote it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite._atomic import save_figure, write_text
from nasbench_suite.errors import ChecksumMismatchError, StoreFormatError


def read_card(directory: str | os.PathLike[str]) -> dict[str, Any]:
    """``card.json`` of a saved surrogate, checked for format and version."""
    from nasbench_suite.surrogates.benchmark import CARD_FORMAT, CARD_FORMAT_VERSION
    from nasbench_suite.surrogates.io import IncompatibleSurrogateError

    path = Path(directory) / "card.json"
    try:
        card = json.loads(path.read_text())
    except FileNotFoundError:
        raise StoreFormatError(f"{str(directory)!r} has no card.json: not a saved surrogate") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise StoreFormatError(f"{str(path)!r} is not valid JSON: {exc}") from None
    if not isinstance(card, dict) or card.get("format") != CARD_FORMAT:
        raise StoreFormatError(f"{str(path)!r} is not a surrogate card (format={card.get('format') if isinstance(card, dict) else None!r}, expected {CARD_FORMAT!r})")
    version = card.get("format_version")
    if not isinstance(version, int) or not 1 <= version <= CARD_FORMAT_VERSION:
        raise IncompatibleSurrogateError(
            f"{str(path)!r} has surrogate card version {version!r}; this release reads versions 1..{CARD_FORMAT_VERSION}: "
            f"use the release that wrote it ({card.get('versions', {}).get('nasbench-suite', 'unknown')})"
        )
    for key in ("name", "search_space", "models"):
        if key not in card:
            raise StoreFormatError(f"{str(path)!r} lacks the field {key!r}")
    if DIGEST_KEY in card and card[DIGEST_KEY] != card_digest(card):
        raise ChecksumMismatchError(f"{str(path)!r} does not match its {DIGEST_KEY}: the card was changed or damaged")
    models = card["models"]
    if not isinstance(models, list) or not all(isinstance(e, dict) for e in models):
        raise StoreFormatError(f"{str(path)!r}: 'models' is not a list of model entries")
    for e in models:
        if not (isinstance(e.get("dataset"), str) and isinstance(e.get("metric"), str) and isinstance(e.get("path"), str)
                and isinstance(e.get("epoch"), int) and not isinstance(e.get("epoch"), bool)):
            raise StoreFormatError(f"{str(path)!r}: model entry {e!r} lacks a dataset, metric, integer epoch or path")
    return card


#: field of ``card.json`` holding the SHA-256 of the rest of the card
DIGEST_KEY = "card_digest"


def card_digest(card: dict[str, Any]) -> str:
    """SHA-256 of the card's canonical JSON without its own digest field (a damaged card is detected on load)."""
    import hashlib

    body = {k: v for k, v in card.items() if k != DIGEST_KEY}
    return "sha256:" + hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def write_card(directory: str | os.PathLike[str], card: dict[str, Any]) -> None:
    """Write ``card.json`` and its human-readable ``card.md``."""
    directory = Path(directory)
    write_text(directory / "card.json", json.dumps(card, indent=1, sort_keys=True) + "\n")
    write_text(directory / "card.md", render_markdown(card))


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def _runs(k: str) -> str:
    return "one seed's run" if k == "1" else f"the mean of {k} seeds' runs"


def render_markdown(card: dict[str, Any]) -> str:
    """The card as Markdown: data, split, held-out quality, fit time, versions."""
    source = card.get("source", {})
    lines = [
        f"# Surrogate `{card['name']}`",
        "",
        f"- search space: `{card['search_space']}`",
        f"- model: `{card.get('preset', '?')}` (seed {card.get('random_state', '?')}); one predictor per dataset, metric and epoch",
        f"- trained on: `{source.get('benchmark', '?')}` (checksum `{str(source.get('checksum', '?'))[:16]}…`)",
    ]
    for entry in card["models"]:
        split = entry.get("split", {})
        lines += [
            "",
            f"## {entry['dataset']} / {entry['metric']} at epoch {entry['epoch']}",
            "",
            f"- data: {split.get('n_measured', '?')} architectures with a measured value (seed mean)",
            f"- split: {split.get('train_size', '?')} for training, {split.get('test_size', '?')} held out "
            + (
                f"({split['method']}: training drawn uniformly at random with seed {split.get('seed', '?')}; "
                f"{split.get('isomorphs_excluded', 0)} isomorphs of training cells excluded from the held-out set)"
                if split.get("method")
                else f"(uniformly at random, seed {split.get('seed', '?')})"
            ),
            f"- fit time: {_fmt(entry.get('fit_seconds', '?'))} s",
            f"- noise model: {(entry.get('noise') or {}).get('source', 'none (seed means only)')}",
        ]
        agreement = entry.get("seed_agreement")
        if agreement:
            lines.append(
                f"- the table's seeds: Kendall tau {agreement['kendall']:.3f} between two seeds of the "
                f"{agreement['paired_networks']} networks trained twice (seed noise std {agreement['noise_std']:.2f}); "
                "so a perfect predictor of the noiseless mean would score a held-out Kendall tau of about "
                + ", ".join(f"{v:.3f} against {_runs(k)}" for k, v in agreement["ceiling_kendall"].items())
                + " (the noise ceiling; Gaussian-copula estimate)"
            )
        quality = entry.get("quality")
        if quality:
            lines += ["", "| held-out metric | value |", "|---|---|"]
            lines += [f"| {k} | {_fmt(v)} |" for k, v in quality.items()]
        else:
            lines += ["", "No held-out architectures: quality not measured."]
        if entry.get("plot"):
            lines += ["", f"![predicted vs true]({entry['plot']})"]
    lines += ["", "## Versions", ""]
    lines += [f"- {k}: {v}" for k, v in sorted(card.get("versions", {}).items())]
    return "\n".join(lines) + "\n"


def scatter_plot(y_true: np.ndarray, y_pred: np.ndarray, path: str | os.PathLike[str], *, title: str, unit: str = "") -> None:
    """Predicted against true values of held-out architectures, with the identity line, as a PNG."""
    from matplotlib.figure import Figure  # no pyplot: no global state, no GUI backend

    from nasbench_suite.surrogates.metrics import kendall_tau

    fig = Figure(figsize=(4.5, 4.5), dpi=110)
    ax = fig.subplots()
    ax.scatter(y_true, y_pred, s=3, alpha=0.3, linewidths=0)
    lo = float(min(np.min(y_true), np.min(y_pred)))
    hi = float(max(np.max(y_true), np.max(y_pred)))
    ax.plot([lo, hi], [lo, hi], color="black", linewidth=0.8)
    ax.set_xlabel(f"true {unit}".strip())
    ax.set_ylabel(f"predicted {unit}".strip())
    ax.set_title(f"{title}\nKendall tau {kendall_tau(y_true, y_pred):.3f}, n = {len(y_true):,}", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)
