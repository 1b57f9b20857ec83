"""``nasbench info B --front``: the true front printed, as JSON and drawn."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nasbench_suite.cli import main


def test_info_front_json_and_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import nasbench_suite as nbs
    from nasbench_suite.multiobjective import true_front

    png = tmp_path / "front.png"
    assert main(["info", "nb201-digits", "--front", "valid_acc:max,params:min", "--plot", str(png), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    front = out["fronts"]["digits-hard"]
    expected = true_front(nbs.load("nb201-digits"), "digits-hard", "valid_acc:max,params:min")
    assert [p["arch"] for p in front["front"]] == list(expected.archs)
    assert [p["valid_acc"] for p in front["front"]] == [float(v) for v in expected.values[:, 0]]
    assert front["cells"] == 15625 and out["plots"] == [str(png)]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_info_front_prints_reported_front(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", "nb201-digits", "--front", "valid_acc:max,params:min,latency:min", "--reported"]) == 0
    text = capsys.readouterr().out
    assert "test_acc (max)" in text and "latency (min)" in text and "15,625 of 15,625 cells" in text


@pytest.mark.parametrize(("front", "match"), [("valid_acc:max,nope:min", "unknown objective metric"),
                                              ("valid_acc:best,params:min", "direction must be 'min' or 'max'")])
def test_info_front_refuses_bad_objectives(front: str, match: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", "nb201-digits", "--front", front]) == 2
    assert match in capsys.readouterr().err
