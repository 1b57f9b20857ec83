"""A surrogate refuses what it cannot answer: architectures of another space, outside its space, or unencodable."""

from __future__ import annotations

import numpy as np
import pytest

from nasbench_suite.errors import InvalidArchitectureError
from nasbench_suite.spaces import SPACES, get_space
from nasbench_suite.surrogates import make_surrogate
from nasbench_suite.surrogates.benchmark import FittedModel, SurrogateBenchmark
from nasbench_suite.surrogates.noise import NoiseModel
from nasbench_suite.surrogates.world import SampledWorld


def _surrogate(space: str) -> SurrogateBenchmark:
    sp = get_space(space)
    rng = np.random.default_rng(0)
    archs = [sp.sample(rng) for _ in range(30)]
    est = make_surrogate("ridge", space=space).fit(archs, rng.uniform(50, 90, size=30))
    return SurrogateBenchmark(name=f"toy-{space}", space=space, models=[FittedModel("toy", "test_acc", 1, est)])


@pytest.fixture(scope="module")
def nb201() -> SurrogateBenchmark:
    return _surrogate("nb201")


@pytest.mark.parametrize("other", [s for s in SPACES.names() if s != "nb201"])
def test_an_architecture_of_another_space_is_refused_by_name(nb201: SurrogateBenchmark, other: str) -> None:
    arch = get_space(other).sample(np.random.default_rng(1))
    world = SampledWorld(nb201, {("toy", "test_acc", 1): NoiseModel.constant(1.0)}, seed=0)
    for call in (
        lambda a: nb201.query(a, "toy"),
        lambda a: nb201.query_many([a], "toy", metric="test_acc"),
        lambda a: nb201.predict([a], "toy"),
        lambda a: nb201.costs_many([a], "toy", "params"),
        lambda a: world.query(a, "toy"),
    ):
        with pytest.raises(InvalidArchitectureError, match=f"{other!r}.*expected 'nb201'"):
            call(arch)
        with pytest.raises(InvalidArchitectureError):  # its string is no nb201 cell either
            call(arch.to_string())


@pytest.mark.parametrize(
    "bad",
    [
        "|conv_5x5~0|+|none~0|none~1|+|none~0|none~1|none~2|",  # an op the space does not have
        "|none~0|+|none~0|none~1|",  # too few edges
        15625,  # index past the last cell
        -1,
        "not an architecture",
        3.5,
        None,
    ],
)
def test_a_query_outside_the_space_is_a_clear_error(nb201: SurrogateBenchmark, bad: object) -> None:
    with pytest.raises(InvalidArchitectureError) as exc:
        nb201.query(bad, "toy")
    assert "nb201" in str(exc.value) or repr(bad)[:20] in str(exc.value)
    with pytest.raises(InvalidArchitectureError):
        nb201.query_many([nb201.search_space.parse(0), bad], "toy", metric="test_acc")


def test_a_surrogate_of_another_space_refuses_nb201_cells() -> None:
    nb101 = _surrogate("nb101")
    cell = get_space("nb201").parse(5)
    with pytest.raises(InvalidArchitectureError, match="'nb201'.*expected 'nb101'"):
        nb101.query(cell, "toy")
    with pytest.raises(InvalidArchitectureError):
        nb101.query(cell.to_string(), "toy")
    with pytest.raises(InvalidArchitectureError):
        nb101.query_many("not a list", "toy", metric="test_acc")


def test_a_predictor_fitted_on_another_space_is_refused() -> None:
    from nasbench_suite.surrogates.ensemble import EnsembleRegressor
    from nasbench_suite.surrogates.models.base import SurrogateDataError

    sp = get_space("nb201")
    est = make_surrogate("ridge", space="nb201").fit([sp.parse(i) for i in range(20)], np.arange(20.0))
    with pytest.raises(SurrogateDataError, match="fitted on search space 'nb201', but the benchmark serves 'nb101'"):
        SurrogateBenchmark(name="wrong", space="nb101", models=[FittedModel("toy", "test_acc", 1, est)])
    mixed = EnsembleRegressor(estimators=[make_surrogate("ridge", space="nb101"), make_surrogate("ridge", space="nb201")])
    with pytest.raises(SurrogateDataError, match="'nb201'"):
        SurrogateBenchmark(name="mixed", space="nb101", models=[FittedModel("toy", "test_acc", 1, mixed)])
