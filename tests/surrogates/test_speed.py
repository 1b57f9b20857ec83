"""Prediction speed of surrogates, against a baseline measured in the same run.

The baseline is parsing the same architecture strings one by one, the
least any per-architecture API pays; vectorized prediction (encoding
included) must cost no more than a few times that. Where parsing runs at
~100k strings/s, the bound means well over 10,000 predictions/s. Baseline
and prediction alternate round by round, so load from elsewhere on the
machine lands on both sides of the ratio.
``pytest --benchmark-enable tests/surrogates/test_speed.py`` prints the numbers.
"""

from __future__ import annotations

import timeit

import numpy as np
import pytest

from nasbench_suite.spaces.nb201 import NB201Space
from nasbench_suite.surrogates import make_surrogate
from nasbench_suite.surrogates.encoders import nb201 as nb201_encoder

N = 10_000

#: allowed multiple of the parse time: trees and linear models do a few hundred FLOPs per architecture,
#: the GIN ~600k (three 64-wide message-passing layers over 8 nodes), which on a slow BLAS costs more
FACTOR = {"xgb": 4.0, "ridge": 4.0, "gin": 6.0}


ROUNDS = 7


def _interleaved_medians(benchmark, baseline, subject) -> tuple[float, float]:
    """Median seconds of ``baseline`` and ``subject`` over rounds that alternate the two."""
    base_times: list[float] = []

    def timed_baseline() -> None:
        base_times.append(timeit.timeit(baseline, number=1))

    subject_times: list[float] = []

    def timed_subject() -> None:
        subject_times.append(timeit.timeit(subject, number=1))

    benchmark.pedantic(timed_subject, setup=timed_baseline, rounds=ROUNDS, warmup_rounds=1)
    while len(subject_times) < ROUNDS:  # a disabled benchmark fixture runs its target once
        timed_baseline()
        timed_subject()
    return float(np.median(base_times)), float(np.median(subject_times))


@pytest.fixture(scope="module")
def strings() -> list[str]:
    rng = np.random.default_rng(0)
    return [NB201Space().sample(rng).to_string() for _ in range(N)]


@pytest.mark.parametrize("name", ["xgb", "gin", "ridge"])
def test_predict_many(benchmark, strings: list[str], name: str) -> None:
    rng = np.random.default_rng(1)
    train = [NB201Space().sample(rng) for _ in range(100)]
    y = np.array([a.ops.count("nor_conv_3x3") + rng.normal() for a in train])
    model = make_surrogate(name, space="nb201")
    if name == "gin":
        model.set_params(model__epochs=2)  # speed of prediction does not depend on training length
    model.fit(train, y)
    space = NB201Space()

    def baseline() -> None:
        for s in strings:
            space.parse(s)

    def subject() -> None:
        nb201_encoder._ids_from_string.cache_clear()  # no help from earlier runs' parse cache
        model.predict(strings)

    base, ours = _interleaved_medians(benchmark, baseline, subject)
    benchmark.extra_info.update(baseline_s=base, ratio=ours / base, archs_per_s=N / ours)
    assert ours < FACTOR[name] * base + 0.05, f"{name}: predicting {N} took {ours:.3f} s vs {base:.3f} s to parse them"
