"""The numpy TPE (strategies._parzen) against Optuna's own Parzen estimator, and the tpe strategy's two implementations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nasbench_suite.strategies import Observation
from nasbench_suite.strategies._parzen import CategoricalTPE, _Mixture, default_gamma, default_weights
from nasbench_suite.testing.strategies import drive, make

SIZES = (5, 5, 3, 5)


def _optuna_estimator(obs: np.ndarray, multivariate: bool):
    optuna = pytest.importorskip("optuna")
    from optuna.samplers._tpe.parzen_estimator import _ParzenEstimator, _ParzenEstimatorParameters
    from optuna.samplers._tpe.sampler import default_weights as optuna_weights

    space = {f"x{d}": optuna.distributions.CategoricalDistribution(list(range(c))) for d, c in enumerate(SIZES)}
    params = _ParzenEstimatorParameters(prior_weight=1.0, consider_magic_clip=True, consider_endpoints=False,
                                        weights=optuna_weights, multivariate=multivariate)
    return _ParzenEstimator({f"x{d}": obs[:, d].astype(float) for d in range(len(SIZES))}, space, params)


@pytest.mark.parametrize("k", [0, 1, 7, 24, 25, 60])
def test_mixture_density_is_optunas(k: int) -> None:
    rng = np.random.default_rng(k)
    obs = np.stack([rng.integers(c, size=k) for c in SIZES], axis=1).reshape(k, len(SIZES))
    x = np.stack([rng.integers(c, size=200) for c in SIZES], axis=1)
    ours = _Mixture(obs, SIZES, 1.0).log_pdf(x, list(range(len(SIZES))))
    theirs = _optuna_estimator(obs, True).log_pdf({f"x{d}": x[:, d].astype(float) for d in range(len(SIZES))})
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_mixture_samples_follow_its_density() -> None:
    rng = np.random.default_rng(0)
    obs = np.array([[0, 1, 2, 3], [0, 1, 0, 0], [4, 4, 2, 1]])
    mix = _Mixture(obs, SIZES, 1.0)
    x = mix.sample(rng, 40_000, [0, 1])
    freq = np.zeros((5, 5))
    np.add.at(freq, (x[:, 0], x[:, 1]), 1.0)
    grid = np.array([(a, b) for a in range(5) for b in range(5)])
    density = np.exp(mix.log_pdf(grid, [0, 1])).reshape(5, 5)
    assert density.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(freq / len(x), density, atol=0.01)


def test_gamma_and_weights_are_optunas() -> None:
    from optuna.samplers._tpe.sampler import default_gamma as og, default_weights as ow

    for n in (0, 1, 9, 10, 11, 24, 25, 26, 249, 250, 251, 1000):
        assert default_gamma(n) == og(n)
        np.testing.assert_array_equal(default_weights(n), ow(n))


@pytest.mark.parametrize("multivariate", [True, False])
def test_suggestions_concentrate_on_the_good_trials(multivariate: bool) -> None:
    rng = np.random.default_rng(0)
    tpe = CategoricalTPE(SIZES, multivariate=multivariate)
    for _ in range(100):  # the value is the number of zeros among the choices
        ids = tuple(int(rng.integers(c)) for c in SIZES)
        tpe.add(ids, float(sum(i == 0 for i in ids)))
    zeros = [sum(i == 0 for i in tpe.suggest(rng)) for _ in range(200)]
    uniform = sum(1 / c for c in SIZES)
    assert np.mean(zeros) > 2 * uniform


def test_split_puts_the_best_gamma_trials_below_ties_to_the_earlier() -> None:
    tpe = CategoricalTPE((3,))
    for i, v in enumerate([1.0, 5.0, 5.0, 2.0, 0.0, 3.0, 4.0, 1.0, 0.5, 2.5, 5.0, 0.1]):
        tpe.add((i % 3,), v)
    below, above = tpe._split()  # gamma(12) = 2: the trials 1 and 2 (5.0, earlier than trial 10)
    np.testing.assert_array_equal(below[:, 0], [1, 2])
    assert len(above) == 10


def test_numpy_tpe_is_seeded_and_skips_nan_results() -> None:
    a, b = drive(make("tpe", seed=3), 40), drive(make("tpe", seed=3), 40)
    assert [p.arch for p in a] == [p.arch for p in b]
    s = make("tpe", seed=0)
    p = s.ask()
    s.tell(p, Observation(p.arch, 108, math.nan, 1.0))
    assert len(s._tpe) == 0


def test_the_two_implementations_are_parameters_of_one_strategy() -> None:
    assert make("tpe", seed=0).params()["implementation"] == "numpy"
    assert make("tpe", seed=0, implementation="optuna").params()["implementation"] == "optuna"
    with pytest.raises(ValueError, match="implementation must be one of .*'numpy'.*got 'scipy'"):
        make("tpe", seed=0, implementation="scipy")
