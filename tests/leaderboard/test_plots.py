"""Strategy colours on a board's figures."""

from __future__ import annotations

from matplotlib import colormaps
from matplotlib.colors import to_hex

from nasbench_suite.leaderboard.plots import colors


def _board(n: int) -> dict:
    return {"entries": [{"name": f"s{i:02d}"} for i in range(n)]}


def test_ten_or_fewer_entries_take_tab10() -> None:
    assert list(colors(_board(10)).values()) == [to_hex(colormaps["tab10"](i)) for i in range(10)]


def test_more_entries_get_distinct_colours_and_neighbours_never_share_a_hue() -> None:
    col = list(colors(_board(15)).values())
    assert len(set(col)) == 15
    tab20 = [to_hex(colormaps["tab20"](i)) for i in range(20)]
    hue = [tab20.index(c) // 2 for c in col]  # tab20 pairs a strong and a light shade of each hue
    assert all(a != b for a, b in zip(hue, hue[1:]))
