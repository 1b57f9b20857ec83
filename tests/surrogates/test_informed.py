"""Predictors that read the table besides the cell: zero-cost rankers, curve extrapolation and OMNI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.stats import kendalltau
from sklearn.base import clone

from nasbench_suite.errors import NotMeasuredError, UnknownNameError
from nasbench_suite.store import write_store
from nasbench_suite.surrogates import INFORMED, ZC_PROXIES
from nasbench_suite.surrogates.io import load_estimator, save_estimator
from nasbench_suite.surrogates.table_inputs import observed_epochs, open_table
from nasbench_suite.testing.tables import make_small_data

BENCH = "nb201-digits"


@pytest.fixture(scope="module")
def digits() -> tuple[list[str], np.ndarray, list[str], np.ndarray]:
    """80 training and 400 other cells of the shipped digits table, with their valid accuracy at the last epoch."""
    table = open_table(BENCH)
    rng = np.random.default_rng(0)
    rows = rng.choice(len(table.archs), 480, replace=False)
    archs = [table.archs[i] for i in rows]
    y = table.query_many(archs, "digits-hard", metric="valid_acc")
    return archs[:80], y[:80], archs[80:], y[80:]


def make(name: str, **kw: object) -> object:
    return INFORMED.get(name)("nb201", benchmark=BENCH, **kw)


def test_the_proxy_list_is_the_estimation_registry() -> None:
    from nasbench_suite.estimation.zero_cost import PROXIES

    assert ZC_PROXIES == tuple(PROXIES.names())
    assert {f"zc-{p}" for p in ZC_PROXIES} | {"lc-bayes", "omni", "omni-boost"} <= set(INFORMED.names())


@pytest.mark.parametrize("name", ["omni", "omni-boost", "lc-bayes", "zc-synflow"])
def test_informed_predictors_rank_held_out_cells_and_save(name: str, digits, tmp_path: Path) -> None:
    train, y, test, y_test = digits
    model = make(name, random_state=1).fit(train, y)
    pred = model.predict(test)
    assert pred.shape == (400,) and np.isfinite(pred).all()
    assert kendalltau(y_test, pred).statistic > 0.45, name
    np.testing.assert_array_equal(clone(model).fit(train, y).predict(test), pred)  # seeded
    save_estimator(model, tmp_path / "m")
    np.testing.assert_allclose(load_estimator(tmp_path / "m").predict(test), pred, rtol=1e-12)
    assert model.predict([]).shape == (0,)


def test_what_they_read_and_the_uncertainty(digits) -> None:
    train, y, test, _ = digits
    lc = make("lc-bayes").fit(train, y)
    assert lc.table_inputs() == {"benchmark": BENCH, "dataset": "digits-hard", "zc": [],
                                 "curve": {"metric": "valid_acc", "epochs": [1, 2, 3]}}
    mean, std = lc.predict(test, return_std=True)
    np.testing.assert_allclose(mean, lc.predict(test))
    assert (std > 0).all()
    boost = make("omni-boost").fit(train, y)
    assert boost.table_inputs()["zc"] == list(ZC_PROXIES)
    assert boost.model_.n_features_in_ == boost.features(test[:2]).shape[1]
    with pytest.raises(TypeError, match="no predictive std"):
        boost.predict(test, return_std=True)
    omni = make("omni").fit(train, y)
    assert omni.table_inputs()["zc"] == list(ZC_PROXIES)
    mean, std = omni.predict(test, return_std=True)  # the cross-validated residual spread
    np.testing.assert_allclose(mean, omni.predict(test))
    assert (std > 0).all()
    assert make("zc-synflow").rank_only


def test_curve_prefix_epochs() -> None:
    table = open_table(BENCH)
    assert observed_epochs(table, "digits-hard", None, None) == (1, 2, 3)
    assert observed_epochs(table, "digits-hard", 4, None) == (1,)  # nothing that early: the first epoch
    assert observed_epochs(table, "digits-hard", None, 5) == (1, 2, 3, 4, 5)
    with pytest.raises(ValueError, match="before the target epoch 6"):
        observed_epochs(table, "digits-hard", 6, 6)
    with pytest.raises(NotMeasuredError, match="epoch 40"):
        observed_epochs(table, "digits-hard", None, 40)


def test_zero_cost_ranker_orients_and_floors_undefined_scores(tmp_path: Path) -> None:
    data = make_small_data(n_arch=30, epochs=4)
    table = data.datasets["toy"]
    score = np.linspace(0.0, 1.0, 30)
    score[[3, 7]] = np.nan
    table.columns["zc/synflow"] = score
    write_store(tmp_path / "t.h5", data)
    bench = str(tmp_path / "t.h5")
    ranker = INFORMED.get("zc-synflow")("nb201", benchmark=bench)
    y = -np.arange(30.0)  # the proxy ranks backwards on this table
    ranker.fit(data.archs, y)
    assert ranker.sign_ == -1.0
    pred = ranker.predict(data.archs)
    defined = np.isfinite(score)
    assert pred[~defined].max() < pred[defined].min()
    assert kendalltau(y[defined], pred[defined]).statistic == pytest.approx(1.0)
    with pytest.raises(UnknownNameError, match="'synflow'"):
        INFORMED.get("zc-nwot")("nb201", benchmark=bench).fit(data.archs, y)


def test_tables_without_proxies_or_of_another_space(tmp_path: Path) -> None:
    data = make_small_data(n_arch=30, epochs=8)
    data.datasets["toy"].columns.clear()
    write_store(tmp_path / "plain.h5", data)
    bench = str(tmp_path / "plain.h5")
    y = np.arange(30.0)
    with pytest.raises(NotMeasuredError, match="no zero-cost proxies.*nasbench zc"):
        INFORMED.get("zc-synflow")("nb201", benchmark=bench).fit(data.archs, y)
    omni = INFORMED.get("omni-boost")("nb201", benchmark=bench).set_params(model__n_estimators=10).fit(data.archs, y)
    assert omni.table_inputs()["zc"] == [] and omni.table_inputs()["curve"]["epochs"] == [1, 2]
    with pytest.raises(ValueError, match="space 'nb201'.*'nb101'"):
        INFORMED.get("omni-boost")("nb101", benchmark=bench).fit(data.archs, y)
    with pytest.raises(ValueError, match="needs benchmark="):
        INFORMED.get("lc-bayes")("nb201", benchmark="").fit(data.archs, y)
