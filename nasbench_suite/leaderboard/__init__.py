"""Leaderboards: results files in, statistics, Markdown, a static HTML page and plots out.

``build`` aggregates results files into a board folder; ``verify_results``
checks a results file against its benchmark and re-runs a sample of its runs;
``submit`` verifies, merges and rebuilds, changing nothing when verification fails.

>>> from nasbench_suite.leaderboard import build  # doctest: +SKIP
>>> board = build(["results/rs-re.jsonl"], "leaderboards/nb201-digits/")  # doctest: +SKIP
"""

from __future__ import annotations

from nasbench_suite.leaderboard.board import BoardError, build, compute_board, read_board
from nasbench_suite.leaderboard.records import BoardMismatchError, DuplicateRunError, load_results

__all__ = [
    "BoardError",
    "BoardMismatchError",
    "DuplicateRunError",
    "build",
    "compute_board",
    "load_results",
    "read_board",
]
