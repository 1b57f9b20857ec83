"""The predictors with a method-given uncertainty report it through ``predict(X, return_std=True)``, saved and loaded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nasbench_suite.surrogates import make_surrogate
from nasbench_suite.surrogates.io import load_estimator, save_estimator
from nasbench_suite.spaces.nb201 import NB201Space

SHRINK = {"n_estimators": 20, "n_steps": 150, "n_unlabeled": 100, "epochs": 3, "n_restarts_optimizer": 0}


def small(estimator):  # type: ignore[no-untyped-def]
    """``estimator`` with its training budget cut, for fast tests."""
    params = estimator.get_params(deep=True)
    return estimator.set_params(**{k: SHRINK[k.rsplit("__", 1)[-1]] for k in params if k.rsplit("__", 1)[-1] in SHRINK})


def toy_data(n: int, seed: int = 0) -> tuple[list, np.ndarray]:
    """Random cells with a target that depends on their ops."""
    rng = np.random.default_rng(seed)
    archs = [NB201Space().sample(rng) for _ in range(n)]
    y = np.array([60.0 + 5 * a.ops.count("nor_conv_3x3") - 4 * a.ops.count("none") for a in archs]) + rng.normal(0, 0.5, n)
    return archs, y

WITH_STD = ("ngboost", "deep-ensemble", "wl-gp", "arch2vec", "gp", "rf")


@pytest.mark.parametrize("name", WITH_STD)
def test_std_is_positive_finite_and_survives_saving(name: str, tmp_path: Path) -> None:
    archs, y = toy_data(n=60)
    try:
        model = small(make_surrogate(name, space="nb201", random_state=2))
    except ImportError as exc:  # an optional extra that is not installed
        pytest.skip(f"{name}: {exc}")
    model.fit(archs, y)
    test, _ = toy_data(n=30, seed=5)
    mean, std = model.predict(test, return_std=True)
    assert mean.shape == std.shape == (30,)
    assert np.isfinite(std).all() and (std > 0).all(), name
    np.testing.assert_allclose(mean, model.predict(test), rtol=1e-9)
    save_estimator(model, tmp_path / name)
    again_mean, again_std = load_estimator(tmp_path / name).predict(test, return_std=True)
    np.testing.assert_allclose(again_mean, mean, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(again_std, std, rtol=1e-7, atol=1e-9)


def test_deep_ensemble_std_grows_away_from_the_data() -> None:
    """On inputs far outside the training range the members disagree more than on the training rows."""
    from nasbench_suite.surrogates.models.deep_ensemble import DeepEnsembleRegressor

    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(200, 3))
    y = X.sum(axis=1) + rng.normal(0, 0.05, 200)
    model = DeepEnsembleRegressor(n_steps=300, random_state=0).fit(X, y)
    near = model.predict(X[:50], return_std=True)[1]
    far = model.predict(X[:50] * 8.0, return_std=True)[1]
    assert np.median(far) > 2 * np.median(near)


def test_arch2vec_pretrains_on_sampled_cells_of_its_space() -> None:
    from nasbench_suite.surrogates.models.arch2vec import Arch2VecRegressor

    model = Arch2VecRegressor(space="nb201", n_unlabeled=50, random_state=4)
    width = model._unlabeled(8 * 8 + 8 * 7).shape
    assert width == (50, 8 * 8 + 8 * 7)
    with pytest.raises(ValueError, match="packs graphs into 120 columns, the input has 10"):
        model._unlabeled(10)
    assert Arch2VecRegressor(space=None)._unlabeled(120).shape == (0, 120)


def test_ngboost_stops_early_so_its_intervals_cover_unseen_cells() -> None:
    """Boosted to the end, NGBoost's scale collapses onto the training residuals; early stopping keeps it honest."""
    pytest.importorskip("ngboost")
    from nasbench_suite.predictors.scores import score

    archs, y = toy_data(n=40)
    test, y_test = toy_data(n=300, seed=9)
    covered = {}
    for rounds in (20, None):
        model = make_surrogate("ngboost", space="nb201", random_state=1)
        model.set_params(**{k: rounds for k in model.get_params(deep=True) if k.endswith("early_stopping_rounds")})
        mean, std = model.fit(archs, y).predict(test, return_std=True)
        covered[rounds] = score(y_test, mean, std)["coverage90"]
    assert covered[20] >= 0.75 and covered[None] < 0.2, covered
