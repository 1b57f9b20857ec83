"""The published boards under ``leaderboards/`` are exactly what their results files give, and the README shows them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import nasbench_suite as nbs
from nasbench_suite.leaderboard import compute_board, load_results
from nasbench_suite.leaderboard.board import render_outputs

REPO = Path(__file__).resolve().parents[2]
BOARDS = sorted(p.parent for p in (REPO / "leaderboards").glob("*/*/leaderboard.json"))
IDS = [f"{b.parent.name}/{b.name}" for b in BOARDS]


def _benchmark(published: dict[str, Any], request: pytest.FixtureRequest) -> Any:
    """The table a board reports another epoch from (checked by checksum), or None when it reports none."""
    if not published.get("report_epoch"):
        return None
    name = published["benchmark"]["name"]
    if name == "nb201-reference":  # imported from the public data beside the checkout
        bench = nbs.open_benchmark(request.getfixturevalue("nb201_reference_store"))
    else:
        bench = nbs.load(name)
    assert bench.checksum == published["benchmark"]["checksum"]
    return bench


def _without_images(html: bytes) -> bytes:
    # figures are compared as numbers through the JSON: PNG bytes depend on the machine's font rendering
    return re.sub(rb"data:image/png;base64,[A-Za-z0-9+/=]+", b"", html)


@pytest.mark.parametrize("board", BOARDS, ids=IDS)
def test_published_board_is_rebuilt_from_its_results(board: Path, request: pytest.FixtureRequest) -> None:
    published = json.loads((board / "leaderboard.json").read_text())
    loaded = load_results(sorted((board / "results").glob("*.jsonl.gz")))
    report = published.get("report_epoch")
    rebuilt = compute_board(loaded, base=board, benchmark=_benchmark(published, request),
                            report_epoch=report["epoch"] if report else None)
    rebuilt["title"] = published["title"]
    files = render_outputs(rebuilt)
    for name in ("leaderboard.json", "leaderboard.md"):
        assert files[name] == (board / name).read_bytes(), f"{board}/{name} is stale: rebuild the board"
    assert _without_images(files["index.html"]) == _without_images((board / "index.html").read_bytes()), (
        f"{board}/index.html is stale: rebuild the board")
    assert sorted(published["plots"]) == sorted(p.name for p in board.glob("*.png"))


@pytest.mark.parametrize("board", BOARDS, ids=IDS)
def test_readme_links_the_board_and_shows_its_top_rows(board: Path) -> None:
    readme = (REPO / "README.md").read_text()
    link = f"({board.relative_to(REPO).as_posix()}/leaderboard.md)"
    assert link in readme, f"the README does not link {link}"
    section = readme[readme.index(link):]
    rows = [line for line in section.splitlines() if re.match(r"\| \d+ \|", line)][:4]
    published = json.loads((board / "leaderboard.json").read_text())
    assert len(rows) == min(4, len(published["entries"]))
    # a multi-objective board's rows: final hypervolume and its regret, normalised, to 4 decimals
    d, r = (4, 4) if published.get("multiobjective") else (2, 3)
    for line, entry in zip(rows, published["entries"]):
        mean, (lo, hi) = entry["final_test"]["mean"], entry["final_test"]["ci95"]
        expected = (f"| {entry['position']} | {entry['name']} | {mean:.{d}f} [{lo:.{d}f}, {hi:.{d}f}] | "
                    f"{entry['regret']['mean']:.{r}f} |")
        assert line.startswith(expected), f"README row {line!r} does not match {expected!r}"
