"""Leaderboards: results files in, statistics, Markdown, a static HTML page and plots out.

``build`` aggregates results files into a board folder; ``verify_results``
checks a results file against its benchmark and its track (``Track``,
``STANDARD_TRACKS``) and re-runs its runs (an unpredictable sample of the
expensive ones); ``submit`` verifies, merges and rebuilds, changing nothing
when verification fails.

>>> from nasbench_suite.leaderboard import build  # doctest: +SKIP
>>> board = build(["results/rs-re.jsonl"], "leaderboards/nb201-digits/")  # doctest: +SKIP
"""

from __future__ import annotations

from nasbench_suite.leaderboard.board import BoardError, build, compute_board, read_board
from nasbench_suite.leaderboard.records import BoardMismatchError, DuplicateRunError, load_results
from nasbench_suite.leaderboard.tracks import STANDARD_TRACKS, Track, TrackError

__all__ = [
    "BoardError",
    "BoardMismatchError",
    "DuplicateRunError",
    "STANDARD_TRACKS",
    "Track",
    "TrackError",
    "build",
    "compute_board",
    "load_results",
    "read_board",
]
