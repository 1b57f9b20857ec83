"""The predictor board: results files in, per-target and per-size statistics out (``board.json``).

Every (target, size) gets one entry per predictor: the mean of each score
over the seeds it scored, with a 95% percentile-bootstrap interval, its
failed cells, mean fit and query time; ranks by Kendall tau over the seeds on
which every predictor of that size scored; Friedman's test and pairwise
Wilcoxon signed-rank tests (paired by seed, Holm-corrected per size). Failed
cells stay on the board with their errors.
"""

from __future__ import annotations

import json
import math
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite.errors import NasBenchError
from nasbench_suite.predictors.scores import SCORES

BOARD_KIND = "predictor-board"
BOARD_VERSION = 1
JSON_NAME, MD_NAME, HTML_NAME = "board.json", "board.md", "index.html"
#: the score that ranks and tests compare
RANK_SCORE = "kendall_tau"
ALPHA = 0.05


class PredictorBoardError(NasBenchError, ValueError):
    """Results that cannot form one board (mixed benchmarks, datasets or protocols, duplicate cells)."""


def load_records(paths: list[str | os.PathLike[str]]) -> list[dict[str, Any]]:
    """Every record of ``paths``, refusing duplicates and a mix of benchmarks, datasets or test sets."""
    from nasbench_suite.predictors.runner import read_records, record_key

    records: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], str] = {}
    for path in paths:
        for rec in read_records(path):
            key = record_key(rec)
            if key in seen:
                raise PredictorBoardError(f"cell {key} appears twice ({seen[key]} and {path})")
            seen[key] = str(path)
            records.append(rec)
    if not records:
        raise PredictorBoardError(f"no predictor records in {[str(p) for p in paths]}")
    first = records[0]
    for rec in records:
        for what in ("benchmark", "dataset", "test_size", "split_size"):
            if rec[what] != first[what]:
                raise PredictorBoardError(f"records differ in {what}: {rec[what]!r} vs {first[what]!r}; one board holds one protocol run")
    return records


def _summary(values: list[float]) -> dict[str, Any]:
    from nasbench_suite.leaderboard.stats import bootstrap_ci

    if not values:
        return {"mean": None, "ci95": [None, None], "n": 0}
    x = np.asarray(values, dtype=float)
    lo, hi = bootstrap_ci(x)
    return {"mean": round(float(x.mean()), 6), "ci95": [round(lo, 6), round(hi, 6)], "n": int(x.size)}


def _mean(values: list[float | None]) -> float | None:
    v = [x for x in values if x is not None]
    return round(float(np.mean(v)), 6) if v else None


def _tests(names: list[str], by_seed: dict[str, dict[int, float]]) -> dict[str, Any]:
    """Ranks, Friedman and pairwise Wilcoxon of Kendall tau (higher is better) at one size."""
    from nasbench_suite.leaderboard.stats import average_ranks, friedman, holm, pairwise_wilcoxon

    common = sorted(set.intersection(*(set(by_seed[n]) for n in names))) if names else []
    out: dict[str, Any] = {"seeds": common, "ranks": {}, "friedman": None, "wilcoxon": []}
    if not common or len(names) < 2:
        return out
    loss = np.array([[-by_seed[n][s] for n in names] for s in common])  # lower is better for the stats helpers
    ranks = average_ranks(loss)
    out["ranks"] = {n: round(float(r), 4) for n, r in zip(names, ranks)}
    fr = friedman(loss)
    out["friedman"] = {"statistic": None if math.isnan(fr.statistic) else round(fr.statistic, 6),
                       "pvalue": None if math.isnan(fr.pvalue) else round(fr.pvalue, 8), "skipped": fr.skipped}
    pairs = []
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            seeds = sorted(set(by_seed[names[a]]) & set(by_seed[names[b]]))
            m = np.array([[-by_seed[names[a]][s], -by_seed[names[b]][s]] for s in seeds])
            t = pairwise_wilcoxon(m)[0]
            pairs.append((names[a], names[b], len(seeds), t))
    adjusted = holm([t.pvalue for *_, t in pairs])
    for (a, b, n, t), p_holm in zip(pairs, adjusted):
        out["wilcoxon"].append({
            "a": a, "b": b, "seeds": n, "wins": t.wins, "losses": t.losses, "ties": t.ties,
            # median of tau(a) - tau(b): positive means a ranks better
            "median_diff": None if math.isnan(t.median_diff) else round(-t.median_diff, 6),
            "pvalue": None if math.isnan(t.pvalue) else round(t.pvalue, 8),
            "pvalue_holm": None if math.isnan(p_holm) else round(p_holm, 8),
            "significant": bool(not math.isnan(p_holm) and p_holm < ALPHA),
        })
    return out


def compute_board(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The board of ``records`` (from one protocol run), as a JSON-ready dict."""
    first = records[0]
    cells: dict[tuple[str, int], dict[int, dict[str, list[dict[str, Any]]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for rec in records:
        t = rec["target"]
        cells[(t["metric"], int(t["epoch"]))][int(rec["size"])][rec["predictor"]].append(rec)
    failures = []
    targets = []
    for (metric, epoch) in sorted(cells, key=lambda k: (-k[1], k[0])):  # the final epoch first
        sizes = []
        for size in sorted(cells[(metric, epoch)]):
            per_pred = cells[(metric, epoch)][size]
            entries = []
            by_seed: dict[str, dict[int, float]] = {}
            for name in sorted(per_pred):
                recs = sorted(per_pred[name], key=lambda r: r["seed"])
                ok = [r for r in recs if r["status"] == "ok"]
                bad = [r for r in recs if r["status"] != "ok"]
                failures += [{"target": f"{metric}@{epoch}", "predictor": name, "size": size, "seed": r["seed"],
                              "error": r["error"]} for r in bad]
                scores = {s: _summary([r["scores"][s] for r in ok if r["scores"][s] is not None]) for s in SCORES}
                entries.append({
                    "predictor": name,
                    "cells": len(recs),
                    "failed": len(bad),
                    "uncertainty": any(r["uncertainty"] for r in ok),
                    "scores": scores,
                    "fit_seconds": _mean([r["fit_seconds"] for r in ok]),
                    "query_seconds": _mean([r["query_seconds"] for r in ok]),
                    "n_test": _mean([r["n_test"] for r in ok]),
                })
                if ok and not bad:
                    by_seed[name] = {int(r["seed"]): float(r["scores"][RANK_SCORE]) for r in ok}
            ranked = sorted(by_seed)
            tests = _tests(ranked, by_seed)
            for e in entries:
                e["avg_rank"] = tests["ranks"].get(e["predictor"])
            entries.sort(key=lambda e: (e["scores"][RANK_SCORE]["mean"] is None, -(e["scores"][RANK_SCORE]["mean"] or 0.0), e["predictor"]))
            for i, e in enumerate(entries, start=1):
                e["position"] = i
            sizes.append({"size": size, "entries": entries, "tests": tests})
        targets.append({"metric": metric, "epoch": epoch, "target": f"{metric}@{epoch}", "sizes": sizes})
    ok_recs = [r for r in records if r["status"] == "ok"]
    predictors = sorted({r["predictor"] for r in records})
    return {
        "kind": BOARD_KIND,
        "version": BOARD_VERSION,
        "benchmark": first["benchmark"],
        "dataset": first["dataset"],
        "protocol": {
            "sizes": sorted({int(r["size"]) for r in records}),
            "seeds": sorted({int(r["seed"]) for r in records}),
            "test_size": first["test_size"],
            "split_size": first["split_size"],
            "split": "group-held-out by canonical key",
            "rank_score": RANK_SCORE,
            "alpha": ALPHA,
        },
        "predictors": predictors,
        "targets": targets,
        "failures": sorted(failures, key=lambda f: (f["target"], f["predictor"], f["size"], f["seed"])),
        "cost": {
            "cells": len(records),
            "failed": len(records) - len(ok_recs),
            "fit_seconds": round(sum(r["fit_seconds"] or 0.0 for r in records), 2),
            "query_seconds": round(sum(r["query_seconds"] or 0.0 for r in records), 2),
            "per_predictor": {p: round(sum((r["fit_seconds"] or 0.0) + (r["query_seconds"] or 0.0)
                                           for r in records if r["predictor"] == p), 2) for p in predictors},
        },
        "suite_versions": sorted({r["suite_version"] for r in records}),
    }


def dumps(board: dict[str, Any]) -> str:
    """The canonical text of ``board.json``."""
    return json.dumps(board, indent=1, sort_keys=True, allow_nan=False, ensure_ascii=False) + "\n"


def render_outputs(board: dict[str, Any]) -> dict[str, bytes]:
    """Every file of a board folder, rendered in memory."""
    from nasbench_suite.predictors import plots, render

    images = plots.render_all(board)
    board["plots"] = sorted(images)
    return {
        JSON_NAME: dumps(board).encode(),
        **images,
        MD_NAME: render.markdown(board).encode(),
        HTML_NAME: render.html(board, images).encode(),
    }


def build_board(paths: list[str | os.PathLike[str]], out: str | os.PathLike[str], *, title: str | None = None) -> dict[str, Any]:
    """Build the board of results files ``paths`` into folder ``out``; return the ``board.json`` content."""
    from nasbench_suite.leaderboard.board import write_files

    import hashlib

    out = Path(out)
    paths = [Path(p) for p in paths]
    board = compute_board(load_records(paths))
    board["title"] = title or f"Predictors on {board['benchmark']['name']} / {board['dataset']}"
    board["files"] = [{"path": Path(os.path.relpath(p.resolve(), out.resolve())).as_posix(),
                       "sha256": "sha256:" + hashlib.sha256(p.read_bytes()).hexdigest()} for p in paths]
    files = render_outputs(board)
    write_files(out, files)
    for stale in out.glob("curves_*.png"):
        if stale.name not in files:
            stale.unlink()
    return board


def read_board(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``board.json`` of a board folder."""
    path = Path(folder) / JSON_NAME
    if not path.is_file():
        raise FileNotFoundError(f"{str(folder)!r} holds no {JSON_NAME}: not a predictor board folder")
    return json.loads(path.read_text(encoding="utf-8"))


__all__ = ["PredictorBoardError", "build_board", "compute_board", "load_records", "read_board", "render_outputs"]
