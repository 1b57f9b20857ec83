"""The stacked OMNI predictor: inner cross-validation on the training cells alone, grouped by isomorphism class."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin, clone

from nasbench_suite.spaces import get_space
from nasbench_suite.store import write_store
from nasbench_suite.surrogates import INFORMED
from nasbench_suite.surrogates.informed_presets import MLP_MIN_SIZE, MODEL_MIN_SIZE
from nasbench_suite.surrogates.io import load_estimator, save_estimator
from nasbench_suite.surrogates.models.base import SurrogateDataError
from nasbench_suite.surrogates.stacking import STACK, StackedRegressor, group_folds
from nasbench_suite.surrogates.training import canonical_groups
from nasbench_suite.testing.tables import make_small_data

#: what the spy components saw: ("fit" | "predict", architectures)
SEEN: list[tuple[str, list[str]]] = []
#: the true value of every architecture of the peeking test
TRUE: dict[str, float] = {}
#: the training architectures of the peeking test
TRAIN: set[str] = set()


class Oracle(RegressorMixin, BaseEstimator):
    """A fixed function of the architecture: the true value times ``inside`` on training cells, ``outside`` elsewhere."""

    def __init__(self, inside: float = 1.0, outside: float = 1.0) -> None:
        self.inside = inside
        self.outside = outside

    def fit(self, archs: Any, y: Any) -> Oracle:
        SEEN.append(("fit", list(archs)))
        self.fitted_ = True
        return self

    def predict(self, archs: Any) -> np.ndarray:
        SEEN.append(("predict", list(archs)))
        return np.array([TRUE[a] * (self.inside if a in TRAIN else self.outside) for a in archs])


@pytest.fixture()
def cells() -> tuple[list[str], np.ndarray, list[str]]:
    """40 training and 80 other NB201 cells with random true values (recorded in TRUE and TRAIN)."""
    space = get_space("nb201")
    rng = np.random.default_rng(3)
    archs = list(dict.fromkeys(space.sample(rng).to_string() for _ in range(200)))[:120]
    values = rng.normal(size=len(archs))
    TRUE.clear()
    TRUE.update(zip(archs, values))
    TRAIN.clear()
    TRAIN.update(archs[:40])
    SEEN.clear()
    return archs[:40], values[:40], archs[40:]


def test_group_folds_keep_classes_together_and_are_seeded() -> None:
    groups = np.array([0, 0, 1, 2, 2, 2, 3, 4, 5, 5, 6])
    folds = group_folds(groups, 3, seed=1)
    assert set(folds) == {0, 1, 2}
    for g in np.unique(groups):
        assert len(set(folds[groups == g])) == 1
    np.testing.assert_array_equal(folds, group_folds(groups, 3, seed=1))
    assert set(group_folds(np.array([7, 7, 8]), 5, seed=0)) == {0, 1}  # no more folds than classes


def test_inner_selection_uses_training_cells_only(cells) -> None:
    train, y, rest = cells
    # right on the training cells, backwards elsewhere; and the other way round: a selection that looked at
    # any cell outside the training set would prefer the second
    honest, peeker = Oracle(inside=1.0, outside=-1.0), Oracle(inside=-1.0, outside=1.0)
    model = StackedRegressor([("honest", honest), ("peeker", peeker)], space="nb201", random_state=0).fit(train, y)
    assert model.choice_ == "honest" and model.names_ == ["honest"]
    assert model.cv_scores_["honest"] == pytest.approx(1.0) and model.cv_scores_["peeker"] == pytest.approx(-1.0)
    # every architecture a component was fitted on or asked about during fit is a training cell
    assert SEEN and all(set(archs) <= TRAIN for _, archs in SEEN)
    # the inner folds hold whole isomorphism classes: no fit saw a twin of the cells it then predicted
    groups = dict(zip(train, canonical_groups(get_space("nb201"), train)))
    fits = [a for kind, a in SEEN if kind == "fit"]
    preds = [a for kind, a in SEEN if kind == "predict"]
    k = int(model.folds_.max()) + 1
    for fitted_on, asked in zip(fits[:2 * k], preds[:2 * k]):
        assert not {groups[a] for a in fitted_on} & {groups[a] for a in asked}
    assert len(fits) == 2 * k + 1  # k folds per component, then the chosen one on all
    # the refit is asked about its own training cells only, to check that it ranks them at all
    assert len(preds) == 2 * k + 1 and preds[-1] == fits[-1] == list(train)
    # predictions keep the chosen family's ranking
    pred = model.predict(rest)
    assert np.corrcoef(np.argsort(np.argsort(pred)), np.argsort(np.argsort([-TRUE[a] for a in rest])))[0, 1] > 0.999


def test_stack_and_fallbacks(cells) -> None:
    train, y, rest = cells
    half = Oracle(inside=1.0, outside=1.0)
    model = StackedRegressor([("a", half), ("b", Oracle(inside=0.5, outside=0.5))], space="nb201",
                             min_sizes={"b": 41}).fit(train, y)
    assert model.skipped_ == {"b": "needs >= 41 training cells, got 40"} and STACK not in model.cv_scores_
    mean, std = model.predict(rest, return_std=True)
    assert mean.shape == std.shape == (80,) and (std > 0).all()
    with pytest.raises(ValueError, match="distinct names"):
        StackedRegressor([("a", half), ("a", half)]).fit(train, y)
    with pytest.raises(SurrogateDataError, match="one isomorphism class|1 isomorphism class"):
        StackedRegressor([("a", half)]).fit([train[0], train[0]], y[:2])


class Collapsing(Oracle):
    """The oracle on the inner folds, but one value for every cell once fitted on more than ``n`` cells."""

    def __init__(self, inside: float = 1.0, outside: float = 1.0, n: int = 39) -> None:
        super().__init__(inside, outside)
        self.n = n

    def fit(self, archs: Any, y: Any) -> Collapsing:
        self.collapsed_ = len(archs) > self.n
        return super().fit(archs, y)

    def predict(self, archs: Any) -> np.ndarray:
        return np.zeros(len(archs)) if self.collapsed_ else super().predict(archs)


def test_fallbacks_stand_in_only_where_nothing_else_fits(cells) -> None:
    train, y, rest = cells
    parts = [("a", Oracle()), ("b", Oracle(inside=0.5, outside=0.5)), ("c", Oracle(inside=-1.0))]
    # "a" can be fitted: the fallbacks are not even tried, though "c" would score as well
    model = StackedRegressor(parts, space="nb201", fallback=("b", "c")).fit(train, y)
    assert set(model.cv_scores_) == {"a"} and model.choice_ == "a"
    assert model.skipped_ == {n: "fallback, not needed: other components were fitted" for n in ("b", "c")}
    # "a" needs more cells than there are: the first fallback stands in alone, the second is not needed
    model = StackedRegressor(parts, space="nb201", min_sizes={"a": 41}, fallback=("b", "c")).fit(train, y)
    assert set(model.cv_scores_) == {"b"} and model.choice_ == "b"
    assert model.skipped_ == {"a": "needs >= 41 training cells, got 40", "c": "fallback, not needed: other components were fitted"}
    # a first fallback that collapses to a constant gives way to the second
    parts = [("a", Oracle()), ("b", Collapsing()), ("c", Oracle(inside=0.5, outside=0.5))]
    model = StackedRegressor(parts, space="nb201", min_sizes={"a": 41}, fallback=("b", "c")).fit(train, y)
    assert model.choice_ == "c" and model.rejected_["b"] == "constant predictions on the training cells"
    for bad in (("z",), ("a", "b", "c")):
        with pytest.raises(ValueError, match="fallback must name some but not all components"):
            StackedRegressor(parts, space="nb201", fallback=bad).fit(train, y)


def test_a_candidate_whose_refit_predicts_a_constant_gives_way_to_the_next(cells) -> None:
    train, y, rest = cells
    # "collapse" ranks every inner fold perfectly, then predicts one value once refitted on all 40 cells
    parts = [("collapse", Collapsing()), ("half", Oracle(inside=0.5, outside=0.5)), ("noise", Oracle(inside=0.0))]
    model = StackedRegressor(parts, space="nb201").fit(train, y)
    assert model.cv_scores_["collapse"] == pytest.approx(1.0) and model.rejected_ == {"collapse": "constant predictions on the training cells"}
    assert model.choice_ in ("half", STACK) and np.ptp(model.predict(rest)) > 0
    with pytest.raises(SurrogateDataError, match="rejected .*constant predictions on the training cells"):
        StackedRegressor([("collapse", Collapsing()), ("also", Collapsing())], space="nb201").fit(train, y)


def _curve_table(tmp_path: Path, *, proxies: bool) -> tuple[str, list[str], np.ndarray]:
    """A 120-cell table whose final valid accuracy follows its early curve and its synflow score."""
    data = make_small_data(n_arch=120, epochs=8, seed=2)
    table = data.datasets["toy"]
    rng = np.random.default_rng(5)
    quality = rng.normal(size=120)
    slope = np.linspace(0.2, 1.0, 8)
    table.curves[:] = 50 + 10 * quality[:, None, None, None] * slope[None, None, :, None] + rng.normal(size=table.curves.shape)
    table.columns.clear()
    if proxies:
        table.columns["zc/synflow"] = np.exp(quality + rng.normal(scale=0.5, size=120))
    write_store(tmp_path / "t.h5", data)
    metric = table.metrics.index("valid_acc")
    return str(tmp_path / "t.h5"), data.archs, table.curves[:, :, -1, metric].mean(axis=1)


def test_omni_on_a_small_table_fits_predicts_and_saves(tmp_path: Path) -> None:
    bench, archs, y = _curve_table(tmp_path, proxies=True)
    small = INFORMED.get("omni")("nb201", benchmark=bench, random_state=0).fit(archs[:12], y[:12])
    # on fewer than MODEL_MIN_SIZE cells only the learning-curve family is a candidate: omni is lc-bayes there
    assert set(small.skipped_) == {"zc", "enc", "boost", "mlp", "gp", "ridge"} and set(small.cv_scores_) == {"lc"}
    assert small.choice_ == "lc" and small.skipped_["gp"].startswith("fallback, not needed")
    lc = INFORMED.get("lc-bayes")("nb201", benchmark=bench).fit(archs[:12], y[:12])
    np.testing.assert_array_equal(np.argsort(small.predict(archs[60:])), np.argsort(lc.predict(archs[60:])))
    big = INFORMED.get("omni")("nb201", benchmark=bench, random_state=0).fit(archs[:MODEL_MIN_SIZE], y[:MODEL_MIN_SIZE])
    assert set(big.cv_scores_) == {"lc", "zc", "enc", "boost", STACK} and set(big.skipped_) == {"mlp", "gp", "ridge"}
    assert big.skipped_["mlp"] == f"needs >= {MLP_MIN_SIZE} training cells, got {MODEL_MIN_SIZE}"
    assert big.table_inputs()["zc"] == ["synflow"] and big.table_inputs()["curve"]["metric"] == "valid_acc"
    test = archs[60:]
    mean, std = big.predict(test, return_std=True)
    assert mean.shape == (60,) and np.isfinite(mean).all() and (std > 0).all()
    np.testing.assert_allclose(big.predict(test), mean)
    from scipy.stats import kendalltau

    assert kendalltau(y[60:], mean).statistic > 0.5
    np.testing.assert_array_equal(clone(big).fit(archs[:MODEL_MIN_SIZE], y[:MODEL_MIN_SIZE]).predict(test), mean)
    save_estimator(big, tmp_path / "m")
    loaded = load_estimator(tmp_path / "m")
    np.testing.assert_allclose(loaded.predict(test), mean, rtol=1e-12)
    assert loaded.choice_ == big.choice_ and loaded.cv_scores_ == big.cv_scores_
    assert big.predict([]).shape == (0,)


def test_omni_skips_the_families_a_table_cannot_feed(tmp_path: Path) -> None:
    bench, archs, y = _curve_table(tmp_path, proxies=False)
    model = INFORMED.get("omni")("nb201", benchmark=bench).fit(archs[:30], y[:30])
    assert "zc" in model.skipped_ and "reads nothing" in model.skipped_["zc"]
    assert "zc" not in model.cv_scores_ and model.table_inputs()["zc"] == []
