"""The board's index.html in real headless Chromium: rows and values, sorting by click, figures, a screenshot.

Needs Debian's ``chromium`` (``apt-get install -y chromium``); skipped where it is absent.
Set ``NASBENCH_SCREENSHOT_DIR`` to keep a copy of the screenshot.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from chromium_cdp import Browser, find_chromium

pytestmark = pytest.mark.browser

ROWS_JS = """Array.from(document.querySelectorAll('#leaderboard tbody tr')).map(
    r => Array.from(r.cells).map(c => [c.textContent.trim(), c.getAttribute('data-sort')]))"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Browser:
    binary = find_chromium()
    if binary is None:
        pytest.skip("chromium not installed (Debian: apt-get install -y chromium)")
    b = Browser(binary, tmp_path_factory.mktemp("chromium-profile"))
    yield b
    b.close()


def test_page_in_chromium(browser: Browser, toy_board: Path, tmp_path: Path) -> None:
    board = json.loads((toy_board / "leaderboard.json").read_text())
    browser.open((toy_board / "index.html").resolve().as_uri())
    assert browser.eval("document.title") == board["title"]

    # the table: one row per entry, in board order, with the board's numbers
    rows = browser.eval(ROWS_JS)
    assert [r[1][0] for r in rows] == [e["name"] for e in board["entries"]]
    for row, e in zip(rows, board["entries"]):
        assert row[0][0] == str(e["position"])
        assert row[3][0].startswith(f"{e['final_test']['mean']:.2f} [")
        assert float(row[3][1]) == e["final_test"]["mean"]
        assert float(row[4][1]) == e["regret"]["mean"]
        assert row[7][0] == f"{e['avg_rank']:.2f}"

    # a real mouse click on the regret header sorts ascending, a second one descending
    heads = browser.eval("Array.from(document.querySelectorAll('#leaderboard th')).map(h => h.textContent)")
    col = heads.index("regret (pp)") + 1
    by_regret = sorted(board["entries"], key=lambda e: e["regret"]["mean"])
    browser.click(f"#leaderboard th:nth-child({col})")
    assert [r[1][0] for r in browser.eval(ROWS_JS)] == [e["name"] for e in by_regret]
    assert browser.eval(f"document.querySelector('#leaderboard th:nth-child({col})').getAttribute('aria-sort')") == "ascending"
    browser.click(f"#leaderboard th:nth-child({col})")
    assert [r[1][0] for r in browser.eval(ROWS_JS)] == [e["name"] for e in reversed(by_regret)]
    browser.click("#leaderboard th:nth-child(2)")  # strategy names, alphabetically
    assert [r[1][0] for r in browser.eval(ROWS_JS)] == sorted(e["name"] for e in board["entries"])
    browser.click("#leaderboard th:nth-child(1)")  # back to the board's order

    # every figure decoded
    images = browser.eval("Array.from(document.images).map(i => [i.id, i.complete, i.naturalWidth])")
    assert {i[0] for i in images} == {"anytime_regret", "final_regret", "cd_diagram"}
    assert all(complete and width > 0 for _, complete, width in images)

    shot = browser.screenshot(tmp_path / "leaderboard.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    keep = os.environ.get("NASBENCH_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)
