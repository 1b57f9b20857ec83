"""Random search with learning-curve early stopping: prefixes, decisions, fallbacks."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pytest

from nasbench_suite.strategies import Observation, Proposal
from nasbench_suite.testing.strategies import drive, make, synthetic_value

FIDS = (1, 2, 4, 12)


def _epochs_per_arch(props: list[Proposal]) -> dict[str, list[int]]:
    seen: dict[str, list[int]] = defaultdict(list)
    for p in props:
        seen[p.arch.to_string()].append(p.epoch)
    return seen


def test_candidates_climb_the_prefix_then_finish_or_stop() -> None:
    s = make("rs-lce", seed=0, fidelities=FIDS, prefix_epochs=2, n_full=5, quantile=0.5)
    props = drive(s, 400)
    last = props[-1].arch.to_string()
    for arch, epochs in _epochs_per_arch(props).items():
        # a candidate (drawn again, it is a new candidate) walks 1, 2 and then 12 or stops;
        # the last one proposed may still be on its way
        runs = " ".join(map(str, epochs)).replace("1 2 12", "full").replace("1 2", "stopped").split()
        if arch == last and runs[-1] == "1":
            runs.pop()
        assert set(runs) <= {"full", "stopped"}, (arch, epochs)
    assert 4 not in {p.epoch for p in props}  # only the prefix and the final fidelity
    assert s.stopped > 0 and s.continued > 0
    full = [p for p in props if p.epoch == 12]
    assert s.continued - 1 <= len(full) <= s.continued  # the last one continued may still be waiting
    assert [p.epoch for p in props[:15]] == [1, 2, 12] * 5  # the first n_full always finish


def test_continues_exactly_the_candidates_predicted_above_the_quantile() -> None:
    # curves that are an exact multiple of a per-architecture score: the ridge predictor extrapolates them
    # almost perfectly, so the decisions follow the architectures' true final values
    s = make("rs-lce", seed=1, fidelities=FIDS, prefix_epochs=2, n_full=10, quantile=0.75)
    decided: list[tuple[float, float, bool]] = []  # (true final, threshold, continued)
    finals: list[float] = []
    for _ in range(600):
        p = s.ask()
        value = synthetic_value(p.arch, p.epoch, 12)
        before = s.continued
        threshold = float(np.quantile(finals, 0.75)) if len(finals) >= 10 else -math.inf
        s.tell(p, Observation(p.arch, p.epoch, value, 1.0))
        if p.epoch == 12:
            finals.append(value)
        elif p.epoch == 2 and len(finals) >= 10:
            decided.append((synthetic_value(p.arch, 12, 12), threshold, s.continued > before))
    assert len(decided) > 100
    wrong = [d for d in decided if d[2] != (d[0] >= d[1]) and abs(d[0] - d[1]) > 0.3]
    assert not wrong, wrong[:5]
    assert 0.02 < np.mean([d[2] for d in decided]) < 0.5


def test_quantile_zero_never_stops_and_one_fidelity_is_random_search() -> None:
    s = make("rs-lce", seed=2, fidelities=FIDS, quantile=0.0)
    drive(s, 200)
    assert s.stopped == 0 and s.continued > 50
    single = drive(make("rs-lce", seed=2, fidelities=(12,)), 30)
    assert {p.epoch for p in single} == {12} and len({p.arch for p in single}) > 25
    short = drive(make("rs-lce", seed=2, fidelities=(4, 12), prefix_epochs=2), 30)
    assert {p.epoch for p in short} == {12}  # no fidelity left above a two-epoch prefix


def test_an_unmeasured_prefix_drops_the_candidate() -> None:
    s = make("rs-lce", seed=3, fidelities=FIDS, prefix_epochs=2)
    p = s.ask()
    s.tell(p, Observation(p.arch, p.epoch, math.nan, 1.0))
    q = s.ask()
    assert q.arch != p.arch and q.epoch == 1 and s.stopped == 0 and s.continued == 0


@pytest.mark.parametrize("bad", [{"prefix_epochs": 0}, {"predictor": "svr"}, {"n_full": 1}, {"quantile": 1.0}])
def test_bad_parameters_name_the_value(bad: dict[str, object]) -> None:
    key, value = next(iter(bad.items()))
    with pytest.raises(ValueError, match=f"{key} must .*got {value!r}"):
        make("rs-lce", seed=0, fidelities=FIDS, **bad)


@pytest.mark.parametrize("predictor", ["gbm", "parametric"])
def test_other_predictors_decide_too(predictor: str) -> None:
    s = make("rs-lce", seed=4, fidelities=FIDS, prefix_epochs=3, predictor=predictor, n_full=4)
    drive(s, 80)
    assert s.stopped > 0 and s.continued > 0
