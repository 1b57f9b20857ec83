"""Every preset over architectures: fit/predict contract, bad input, seeds, save/load, versions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import cross_val_score

from nasbench_suite.errors import InvalidArchitectureError, StoreFormatError, UnknownNameError
from nasbench_suite.spaces.nb201 import Architecture, NB201Space
from nasbench_suite.surrogates import MODELS, SURROGATES, make_surrogate
from nasbench_suite.surrogates.ensemble import EnsembleRegressor
from nasbench_suite.surrogates.estimator import ArchRegressor
from nasbench_suite.surrogates.io import IncompatibleSurrogateError, load_estimator, save_estimator
from nasbench_suite.surrogates.models.ridge import RidgeRegressor
from nasbench_suite.surrogates.targets import TargetTransform

SHRINK = {"epochs": 3, "n_estimators": 10, "max_iter": 20, "n_restarts_optimizer": 0, "n_steps": 150, "n_unlabeled": 100}


def small(estimator: Any) -> Any:
    """``estimator`` with its training budget cut (nested members too), for fast tests."""
    params = estimator.get_params(deep=True)
    estimator.set_params(**{k: SHRINK[k.rsplit("__", 1)[-1]] for k in params if k.rsplit("__", 1)[-1] in SHRINK})
    for member in getattr(estimator, "estimators", None) or []:
        small(member)
    return estimator


def toy_data(n: int = 40, seed: int = 0) -> tuple[list[Architecture], np.ndarray]:
    """Random cells with a target that depends on their ops (more conv 3x3 is better)."""
    rng = np.random.default_rng(seed)
    archs = [NB201Space().sample(rng) for _ in range(n)]
    y = np.array([60.0 + 5 * a.ops.count("nor_conv_3x3") - 4 * a.ops.count("none") for a in archs]) + rng.normal(0, 0.5, n)
    return archs, y


@pytest.fixture(scope="module", params=SURROGATES.names())
def preset(request: pytest.FixtureRequest) -> tuple[str, Any]:
    archs, y = toy_data()
    try:
        model = small(make_surrogate(request.param, space="nb201", random_state=3))
    except ImportError as exc:  # a preset of an optional extra that is not installed
        pytest.skip(f"{request.param}: {exc}")
    return request.param, model.fit(archs, y)


def test_presets_learn_and_keep_the_contract(preset: tuple[str, Any]) -> None:
    name, model = preset
    archs, y = toy_data(n=60, seed=1)
    pred = model.predict(archs)
    assert pred.shape == (60,) and np.isfinite(pred).all()
    if name != "mlp":  # a 20-iteration MLP is not expected to have learned
        assert np.corrcoef(pred, y)[0, 1] > 0.5, name
    assert model.predict([]).shape == (0,)
    fresh = clone(model)
    with pytest.raises(NotFittedError):
        fresh.predict(archs)


def test_presets_are_seeded(preset: tuple[str, Any]) -> None:
    name, model = preset
    archs, y = toy_data()
    again = clone(model).fit(archs, y)
    np.testing.assert_allclose(again.predict(archs), model.predict(archs), rtol=1e-6, err_msg=name)


def test_save_load_gives_identical_predictions(preset: tuple[str, Any], tmp_path: Path) -> None:
    name, model = preset
    save_estimator(model, tmp_path / name)
    loaded = load_estimator(tmp_path / name)
    assert type(loaded) is type(model) and loaded.get_params().keys() == model.get_params().keys()
    archs, _ = toy_data(n=30, seed=2)
    np.testing.assert_allclose(loaded.predict(archs), model.predict(archs), rtol=1e-9, atol=1e-9, err_msg=name)
    assert not list((tmp_path / name).rglob("*.pkl")) and not list((tmp_path / name).rglob("*.pickle"))


def test_ensemble_reports_a_spread() -> None:
    archs, y = toy_data()
    ens = EnsembleRegressor(estimators=[small(make_surrogate("xgb", space="nb201")), ArchRegressor(RidgeRegressor())]).fit(archs, y)
    mean, std = ens.predict(archs, return_std=True)
    assert mean.shape == std.shape == (40,) and (std >= 0).all() and std.max() > 0
    np.testing.assert_allclose(mean, ens.predict(archs))
    # identical deterministic members: no spread
    same = EnsembleRegressor(ArchRegressor(RidgeRegressor()), n_members=3).fit(archs, y)
    assert np.allclose(same.predict(archs, return_std=True)[1], 0.0)
    with pytest.raises(ValueError, match="estimator"):
        EnsembleRegressor().fit(archs, y)


def test_bad_targets_are_refused() -> None:
    archs, _ = toy_data(n=5)
    model = ArchRegressor(RidgeRegressor())
    with pytest.raises(ValueError, match="empty"):
        model.fit([], [])
    with pytest.raises(ValueError, match="constant"):
        model.fit(archs, [70.0] * 5)
    with pytest.raises(ValueError, match="NaN"):
        model.fit(archs, [70.0, np.nan, 1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="5 architectures but 4 targets"):
        model.fit(archs, [1.0, 2.0, 3.0, 4.0])
    with pytest.raises(ValueError, match="needs a model"):
        ArchRegressor().fit(archs, [1.0, 2.0, 3.0, 4.0, 5.0])
    with pytest.raises(UnknownNameError, match="features"):
        ArchRegressor(RidgeRegressor(), encoding="nope").fit(archs, [1.0, 2.0, 3.0, 4.0, 5.0])
    with pytest.raises(UnknownNameError, match="ridge"):
        make_surrogate("nope", space="nb201")


def test_architectures_from_another_space_are_refused() -> None:
    from nasbench_suite.spaces.nb101 import NB101Space

    archs, y = toy_data()
    model = ArchRegressor(RidgeRegressor()).fit(archs, y)
    with pytest.raises(InvalidArchitectureError, match="nb101"):
        model.predict([NB101Space().sample(np.random.default_rng(0))])


def test_cross_validation_over_architectures() -> None:
    archs, y = toy_data(n=60)
    scores = cross_val_score(ArchRegressor(RidgeRegressor(), encoding="onehot"), archs, y, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.5


def test_target_transform() -> None:
    y = np.array([10.0, 85.0, 90.0, 90.0, 93.5, 94.0])
    q = TargetTransform.fit("quantile", y)
    z = q.transform(y)
    assert np.all(np.diff(z) >= 0) and z[2] == z[3]
    np.testing.assert_allclose(q.inverse(z), y)
    grid = np.linspace(-6, 6, 200)
    assert np.all(np.diff(q.inverse(grid)) > 0)  # strictly monotone, also beyond the training range
    assert np.array_equal(TargetTransform.fit("none", y).inverse(y), y)
    with pytest.raises(UnknownNameError):
        TargetTransform.fit("log", y)


def test_incompatible_or_unknown_model_files(tmp_path: Path) -> None:
    archs, y = toy_data()
    save_estimator(ArchRegressor(RidgeRegressor()).fit(archs, y), tmp_path / "m")
    record = json.loads((tmp_path / "m" / "estimator.json").read_text())

    shutil.copytree(tmp_path / "m", tmp_path / "newer")
    (tmp_path / "newer" / "estimator.json").write_text(json.dumps({**record, "format_version": 7}))
    with pytest.raises(IncompatibleSurrogateError, match="version 7"):
        load_estimator(tmp_path / "newer")

    shutil.copytree(tmp_path / "m", tmp_path / "foreign")
    (tmp_path / "foreign" / "estimator.json").write_text(json.dumps({**record, "class": "os.system"}))
    with pytest.raises(UnknownNameError, match="RidgeRegressor"):
        load_estimator(tmp_path / "foreign")

    shutil.copytree(tmp_path / "m", tmp_path / "broken")
    (tmp_path / "broken" / "model" / "state.npz").unlink()
    with pytest.raises(StoreFormatError, match="state.npz is missing"):
        load_estimator(tmp_path / "broken")


def test_model_registry_lists_every_saved_class() -> None:
    for name in MODELS.names():
        assert MODELS.get(name).__name__ == name


def test_gin_prediction_does_not_depend_on_the_batch() -> None:
    """An architecture's prediction is the same alone, in a small batch, or among thousands."""
    from nasbench_suite.surrogates.models.gin import PREDICT_CHUNK

    rng = np.random.default_rng(0)
    space = NB201Space()
    train = [space.sample(rng) for _ in range(50)]
    model = make_surrogate("gin", space="nb201").set_params(model__epochs=2)
    model.fit(train, rng.normal(size=50))
    many = [space.sample(rng) for _ in range(3 * PREDICT_CHUNK + 7)]
    every = model.predict(many)
    assert all(model.predict([a])[0] == every[i] for i, a in enumerate(many[:5]))
    picks = rng.choice(len(many), 40, replace=False)
    np.testing.assert_array_equal(model.predict([many[i] for i in picks]), every[picks])
    repeated = [many[3], many[1], many[3], many[3], many[0], many[1]]
    np.testing.assert_array_equal(model.predict(repeated), every[[3, 1, 3, 3, 0, 1]])


def test_gin_inference_path_computes_the_training_forward() -> None:
    """The fused inference kernels compute what the trained forward computes, on any node features."""
    import torch

    from nasbench_suite.surrogates.models.gin import GINRegressor

    rng = np.random.default_rng(3)
    n, nodes, features = 200, 7, 5
    adjacency = np.triu(rng.random((n, nodes, nodes)) < 0.4, k=1).astype(np.float32)
    node_features = rng.normal(size=(n, nodes, features)).astype(np.float32)
    X = np.concatenate([adjacency.reshape(n, -1), node_features.reshape(n, -1)], axis=1)
    model = GINRegressor(n_nodes=nodes, epochs=3).fit(X, rng.normal(size=n))
    with torch.no_grad():
        model.network_.eps.copy_(torch.tensor([0.3, -0.2, 0.5]))  # a non-zero self weight, as training reaches
        a, x = torch.tensor(adjacency), torch.tensor(node_features)
        np.testing.assert_allclose(model.network_.infer(a, x).numpy(), model.network_(a, x).numpy(), rtol=1e-5, atol=1e-5)
