"""mobster: ASHA whose new architectures maximise the expected improvement of a per-rung GP."""

from __future__ import annotations

import numpy as np
import pytest

from nasbench_suite.strategies import Observation
from nasbench_suite.testing.strategies import FIDELITIES, make, synthetic_value

TOP = FIDELITIES[-1]


def run(strategy, n: int, *, batch: int = 4) -> list:
    """Ask ``batch`` at a time, tell the synthetic value in reverse order; every proposal, in order."""
    asked = []
    while len(asked) < n:
        props = [strategy.ask() for _ in range(batch)]
        asked += props
        for p in reversed(props):
            strategy.tell(p, Observation(p.arch, p.epoch, synthetic_value(p.arch, p.epoch, TOP), float(p.epoch)))
    return asked


def new_trials(props: list) -> list:
    return [p for p in props if p.tag[1] == 0]


def test_random_until_num_init_and_a_rung_with_min_points() -> None:
    s = make("mobster", seed=0, num_init=5, min_points=8)
    first = [s.ask() for _ in range(8)]  # nothing told: no rung has data, every one is random
    assert s._scored is None and len({p.arch for p in first}) == 8
    for p in first:
        s.tell(p, Observation(p.arch, p.epoch, synthetic_value(p.arch, p.epoch, TOP), float(p.epoch)))
    assert s._modelled() == FIDELITIES[0]
    nxt = s.ask()
    while nxt.tag[1] != 0:  # continuations first
        nxt = s.ask()
    assert s._scored == (FIDELITIES[0], 8)  # the lowest rung's GP proposed it


def test_the_model_moves_to_the_highest_rung_with_enough_results() -> None:
    s = make("mobster", seed=1, min_points=4, eta=2)
    run(s, 200)
    counts = {e: len(r.values) for e, r in s._rungs.items()}
    expected = max(e for e, c in counts.items() if c >= 4)
    assert expected > FIDELITIES[0]
    assert s._modelled() == expected
    assert s._scored is not None and s._scored[0] == expected


def test_workers_asking_at_once_get_distinct_new_architectures() -> None:
    s = make("mobster", seed=2, num_init=4, min_points=4)
    run(s, 60)
    batch = [s.ask() for _ in range(12)]
    fresh = [p.arch for p in batch if p.tag[1] == 0]
    assert len(fresh) >= 6 and len(set(fresh)) == len(fresh)
    assert not set(fresh) & {a for a in s.trials[: len(s.trials) - len(fresh)]}


def test_model_proposals_beat_random_ones_on_a_structured_objective() -> None:
    """The synthetic value rewards convolutions: the GP's new architectures score higher than ASHA's random ones."""
    gains = []
    for seed in range(3):
        model = new_trials(run(make("mobster", seed=seed), 240))[40:]
        rand = new_trials(run(make("asha", seed=seed), 240))[40:]
        score = lambda props: float(np.mean([synthetic_value(p.arch, TOP, TOP) for p in props]))  # noqa: E731
        gains.append(score(model) - score(rand))
    assert min(gains) > 0, gains


def test_seeded_runs_repeat_and_seeds_differ() -> None:
    trace = lambda seed: [(p.arch.to_string(), p.epoch) for p in run(make("mobster", seed=seed), 120)]  # noqa: E731
    assert trace(4) == trace(4)
    assert trace(4) != trace(5)


@pytest.mark.parametrize(("params", "match"), [
    ({"num_init": -1}, "num_init must be an int >= 0"),
    ({"min_points": 1}, "min_points must be an int >= 2"),
    ({"min_points": 2.5}, "min_points must be an int"),
    ({"num_random": 0, "num_mutations": 0}, "num_random \\+ num_mutations must be >= 1"),
    ({"num_parents": 0}, "num_parents"),
    ({"optimize_every": True}, "optimize_every"),
    ({"max_points": 5, "min_points": 10}, "max_points \\(5\\) must be >= min_points \\(10\\)"),
    ({"xi": -0.1}, "xi must be a finite number >= 0"),
    ({"xi": float("nan")}, "xi"),
    ({"variant": "eager"}, "variant must be one of"),
    ({"eta": 1}, "eta must be a number > 1"),
    ({"min_fidelity": 5}, "min_fidelity"),
])
def test_bad_params_are_rejected_with_the_value(params: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make("mobster", seed=0, **params)


def test_an_unknown_encoding_is_rejected() -> None:
    with pytest.raises(ValueError, match="nope"):
        make("mobster", seed=0, encoding="nope")
