"""Sweeps: fixed order, resume, refusal on mismatch, engines and failing strategies."""

from __future__ import annotations

import json

import pytest

from nasbench_suite.harness import Budget, SweepMismatchError, SweepSpec, parse_seeds, parse_strategies, run_sweep
from nasbench_suite.strategies import STRATEGIES, Proposal, Strategy


def spec(path, **kw) -> SweepSpec:
    base = dict(benchmark=str(path), dataset="synth", strategies=("rs", "re"), seeds=(0, 1, 2), budget=Budget.evals(20))
    base.update(kw)
    return SweepSpec(**base)


def keys(path) -> list[tuple[str, int]]:
    return [(r["strategy"]["name"], r["seed"]) for r in map(json.loads, path.read_text().splitlines())]


def test_file_is_in_strategy_seed_order_and_rerun_is_a_no_op(synthetic_path, tmp_path) -> None:
    out = tmp_path / "r.jsonl"
    summary = run_sweep(spec(synthetic_path, strategies=("rs", "re")), out, progress=False)
    assert summary.ran == 6 and summary.reused == 0 and not summary.failed
    assert keys(out) == [("re", 0), ("re", 1), ("re", 2), ("rs", 0), ("rs", 1), ("rs", 2)]
    before = out.read_bytes()
    again = run_sweep(spec(synthetic_path), out, progress=False)
    assert again.ran == 0 and again.reused == 6 and out.read_bytes() == before


def test_rerun_with_params_that_round_in_the_file_is_a_no_op(synthetic_path, tmp_path) -> None:
    out = tmp_path / "r.jsonl"
    kw = dict(strategies=("bohb",), seeds=(0,), params={"bohb": {"random_fraction": 1 / 3}})
    run_sweep(spec(synthetic_path, **kw), out, progress=False)
    assert json.loads(out.read_text())["strategy"]["params"]["random_fraction"] == 0.333333333333
    before = out.read_bytes()
    again = run_sweep(spec(synthetic_path, **kw), out, progress=False)
    assert again.ran == 0 and again.reused == 1 and out.read_bytes() == before
    with pytest.raises(SweepMismatchError, match="random_fraction"):
        run_sweep(spec(synthetic_path, strategies=("bohb",), seeds=(0,), params={"bohb": {"random_fraction": 0.3}}), out,
                  progress=False)


def test_interrupted_sweep_resumes_to_the_same_bytes(synthetic_path, tmp_path) -> None:
    full = tmp_path / "full.jsonl"
    run_sweep(spec(synthetic_path), full, progress=False)
    lines = full.read_text().splitlines(keepends=True)
    part = tmp_path / "part.jsonl"
    part.write_text("".join(lines[:2]) + lines[2][:100])  # two runs done, the third cut mid-write
    summary = run_sweep(spec(synthetic_path), part, progress=False)
    assert summary.reused == 2 and summary.ran == 4
    assert part.read_bytes() == full.read_bytes()


def test_more_seeds_extend_a_file(synthetic_path, tmp_path) -> None:
    out = tmp_path / "r.jsonl"
    run_sweep(spec(synthetic_path, seeds=(0,)), out, progress=False)
    summary = run_sweep(spec(synthetic_path, seeds=(0, 1, 2)), out, progress=False)
    assert summary.reused == 2 and summary.ran == 4 and len(keys(out)) == 6


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"budget": Budget.evals(21)}, "budget"),
        ({"workers": 2}, "workers"),
        ({"epoch": 9}, "epoch"),
        ({"params": {"re": {"population_size": 5}}}, "params"),
    ],
)
def test_mismatched_settings_are_refused(synthetic_path, tmp_path, change, message) -> None:
    out = tmp_path / "r.jsonl"
    run_sweep(spec(synthetic_path, seeds=(0,)), out, progress=False)
    before = out.read_bytes()
    with pytest.raises(SweepMismatchError, match=message):
        run_sweep(spec(synthetic_path, seeds=(0, 1), **change), out, progress=False)
    assert out.read_bytes() == before


def test_jobs_do_not_change_the_bytes(synthetic_path, tmp_path) -> None:
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    s = spec(synthetic_path, strategies=("rs", "re", "ls", "hyperband"), seeds=(0, 1, 2), workers=2)
    run_sweep(s, one, jobs=1, progress=False)
    run_sweep(s, two, jobs=2, progress=False)
    assert one.read_bytes() == two.read_bytes()


class Broken(Strategy):
    """Returns None after three proposals."""

    name = "broken"

    def __init__(self, context, *, seed) -> None:
        super().__init__(context, seed=seed)
        self.n = 0

    def ask(self):
        self.n += 1
        return Proposal(self.space.sample(self.rng)) if self.n <= 3 else None

    def tell(self, proposal, observation) -> None:
        pass


def test_a_failing_strategy_does_not_stop_the_sweep(synthetic_path, tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(STRATEGIES._targets, "broken", Broken)
    out = tmp_path / "r.jsonl"
    summary = run_sweep(spec(synthetic_path, strategies=("broken", "rs"), seeds=(0, 1)), out, progress=False)
    assert [f[:2] for f in summary.failed] == [("broken", 0), ("broken", 1)]
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["status"] for r in records] == ["failed", "failed", "ok", "ok"]
    assert "ask() returned None" in records[0]["error"] and len(records[0]["trajectory"]["eval"]) == 3


def test_spec_validation(synthetic_path) -> None:
    from nasbench_suite.errors import UnknownNameError

    with pytest.raises(UnknownNameError, match="valid: .*'re'"):
        spec(synthetic_path, strategies=("nope",))
    with pytest.raises(ValueError, match="not in the sweep"):
        spec(synthetic_path, params={"ls": {"num_init": 3}})
    with pytest.raises(ValueError, match="workers"):
        spec(synthetic_path, workers=0)


def test_parsers() -> None:
    assert parse_seeds("0-3") == (0, 1, 2, 3)
    assert parse_seeds("5,0-1,5") == (0, 1, 5)
    for bad in ("3-1", "a", "-2", ""):
        with pytest.raises(ValueError, match="seeds"):
            parse_seeds(bad)
    assert parse_strategies("all") == tuple(STRATEGIES.names())
    assert parse_strategies("re, rs,re") == ("re", "rs")


@pytest.mark.ray
@pytest.mark.slow
def test_ray_engine_gives_the_same_bytes(synthetic_path, tmp_path) -> None:
    pytest.importorskip("ray")
    local, ray_out = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    s = spec(synthetic_path, strategies=("rs", "re", "bohb", "reinforce"), seeds=(0, 1, 2))
    run_sweep(s, local, jobs=1, progress=False)
    run_sweep(s, ray_out, jobs=2, engine="ray", progress=False)
    assert local.read_bytes() == ray_out.read_bytes()


def test_strategies_that_compute_on_other_data_are_left_out_of_all(synthetic_path, tmp_path) -> None:
    """One-shot and proxy strategies train on digits images; they cannot search another dataset's table."""
    from nasbench_suite.harness.sweep import applicable
    from nasbench_suite.spaces import get_space
    from nasbench_suite.strategies import SearchContext, make_strategy

    cifar = SearchContext(get_space("nb201"), (12,), dataset="cifar10")
    kept, skipped = applicable(("rs", "ws-darts", "zc-re"), cifar)
    assert kept == ("rs",) and set(skipped) == {"ws-darts", "zc-re"}
    assert all("'digits-hard'" in why and "'cifar10'" in why for why in skipped.values())
    with pytest.raises(ValueError, match="computes on 'digits-hard' images"):
        make_strategy("ws-gdas", cifar, seed=0)
    digits = SearchContext(get_space("nb201"), (12,), dataset="digits-hard")
    assert applicable(("rs", "ws-darts", "zc-re"), digits) == (("rs", "ws-darts", "zc-re"), {})

    out = tmp_path / "all.jsonl"
    summary = run_sweep(spec(synthetic_path, strategies=("rs", "ws-rsws"), seeds=(0,)), out, progress=False,
                        skip_inapplicable=True)
    assert "ws-rsws" in summary.skipped and keys(out) == [("rs", 0)]
