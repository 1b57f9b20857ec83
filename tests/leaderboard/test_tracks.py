"""Tracks fix each board's seeds and settings; the re-run sample is unpredictable but reproducible from its nonce."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nasbench_suite.leaderboard.rerun import MIN_SAMPLE, plan_reruns
from nasbench_suite.leaderboard.tracks import (
    STANDARD_TRACKS,
    TRACK_FILE,
    Track,
    TrackError,
    board_track,
    format_seeds,
    read_track_file,
)

REPO = Path(__file__).resolve().parents[2]
BOARDS = sorted(p.parent for p in (REPO / "leaderboards").glob("*/*/leaderboard.json"))


@pytest.mark.parametrize("board", BOARDS, ids=[f"{b.parent.name}/{b.name}" for b in BOARDS])
def test_every_published_board_is_a_standard_track(board: Path) -> None:
    track = board_track(board)
    assert track is not None and track.name == f"{board.parent.name}/{board.name}"
    published = json.loads((board / "leaderboard.json").read_text())
    assert track.checksum == published["benchmark"]["checksum"]
    for entry in published["entries"]:
        assert sorted(entry["seeds"]) == list(track.seeds), entry["name"]


def test_protocol_lists_every_standard_track() -> None:
    protocol = (REPO / "docs" / "PROTOCOL.md").read_text()
    for name in STANDARD_TRACKS:
        assert f"leaderboards/{name}/" in protocol


def test_track_round_trips_and_bad_definitions_name_the_file(tmp_path: Path) -> None:
    track = STANDARD_TRACKS["nb201-digits/digits-hard-time"]
    assert Track.from_dict(json.loads(json.dumps(track.to_dict()))) == track
    (tmp_path / TRACK_FILE).write_text('{"name": "x", "seeds": "0-9"}')
    with pytest.raises(TrackError, match=f"{TRACK_FILE}: not a track definition"):
        read_track_file(tmp_path)
    with pytest.raises(TrackError, match="distinct"):
        Track("x", "b", None, "d", 1, "evals", 1.0, 1, (0, 0))


def test_format_seeds() -> None:
    assert format_seeds([5, 0, 1, 2, 7, 8]) == "0-2,5,7-8"
    assert format_seeds(range(100)) == "0-99"


def _runs() -> list[tuple[str, int, str]]:
    return [(name, seed, "ok") for name in ("bananas", "rs", "ws-darts", "zc-re") for seed in range(100)]


def test_cheap_strategies_are_rerun_in_full_and_every_expensive_one_is_sampled() -> None:
    plan = plan_reruns(_runs(), expensive={"bananas", "ws-darts", "zc-re"}, text="file", nonce="a", sample=0)
    picked = [_runs()[i] for i in plan.indices]
    assert sum(1 for n, _, _ in picked if n == "rs") == 100
    assert plan.sampled == {"bananas": 2, "ws-darts": 2, "zc-re": 1} and sum(plan.sampled.values()) == MIN_SAMPLE
    assert {n for n, _, _ in picked} == {"bananas", "rs", "ws-darts", "zc-re"}
    full = plan_reruns(_runs(), expensive={"bananas"}, text="file", nonce="a", full=True)
    assert len(full.indices) == 400


def test_the_sample_depends_on_the_nonce_and_the_file_and_repeats_with_both() -> None:
    kw = {"expensive": {"bananas", "ws-darts", "zc-re"}, "sample": 6}
    a = plan_reruns(_runs(), text="file", nonce="n1", **kw)
    assert plan_reruns(_runs(), text="file", nonce="n1", **kw).indices == a.indices
    draws = {plan_reruns(_runs(), text="file", nonce=f"n{i}", **kw).indices for i in range(20)}
    assert len(draws) == 20
    assert plan_reruns(_runs(), text="other file", nonce="n1", **kw).indices != a.indices


def test_failed_runs_are_always_rerun() -> None:
    runs = _runs()
    runs[250] = ("ws-darts", 50, "failed")
    plan = plan_reruns(runs, expensive={"bananas", "ws-darts", "zc-re"}, text="f", nonce="x")
    assert 250 in plan.indices
