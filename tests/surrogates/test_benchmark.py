"""SurrogateBenchmark: the Benchmark protocol, noise, costs, optimum, save/load and bad files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import nasbench_suite as nbs
from nasbench_suite.benchmark import METRICS, Benchmark, EvalResult
from nasbench_suite.errors import ChecksumMismatchError, InvalidArchitectureError, NotMeasuredError, StoreFormatError, UnknownNameError
from nasbench_suite.spaces.nb201 import Architecture, NB201Space
from nasbench_suite.store import write_store
from nasbench_suite.surrogates.benchmark import SurrogateBenchmark
from nasbench_suite.surrogates.costs import nb201_costs
from nasbench_suite.surrogates.encoders import get_encoder
from nasbench_suite.surrogates.io import IncompatibleSurrogateError, open_surrogate
from nasbench_suite.surrogates.training import fit_surrogate, group_split_indices, split_indices
from nasbench_suite.testing.tables import make_small_data


@pytest.fixture(scope="module")
def table_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tab") / "small.h5"
    write_store(path, make_small_data(n_arch=60, seeds=(0, 1, 2), epochs=3, dataset="toy"))
    return path


@pytest.fixture(scope="module")
def fitted(table_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[SurrogateBenchmark, Path]:
    table = nbs.open_benchmark(table_path)
    bench, held = fit_surrogate(table, model="ridge", epochs=[1, 3], train_size=40, seed=0)
    assert len(held) == 2
    split = bench.card["models"][0]["split"]
    assert split["method"] == "group-held-out by canonical key"
    assert split["train_size"] == 40 and split["test_size"] + split["isomorphs_excluded"] == 20
    assert all(len(h.y_true) == split["test_size"] for h in held)
    out = tmp_path_factory.mktemp("sur") / "toy-ridge"
    bench.save(out)
    return bench, out


def test_protocol(fitted: tuple[SurrogateBenchmark, Path]) -> None:
    bench, _ = fitted
    assert isinstance(bench, Benchmark)
    assert bench.datasets == ("toy",) and bench.metrics == ("test_acc",)
    assert bench.epochs("toy") == (1, 3) and bench.seeds("toy") == (-1,)
    arch = Architecture(("nor_conv_3x3",) * 6)  # not in the 60-row table: any architecture can be queried
    r = bench.query(arch, "toy")
    assert isinstance(r, EvalResult) and r.epoch == 3 and r.seed is None and r.arch == arch.to_string()
    assert np.isfinite(r.test_acc) and all(np.isnan(r.get(m)) for m in METRICS if m != "test_acc")
    assert bench.query(arch.to_string(), "toy", epoch=1).test_acc == bench.query(arch.index, "toy", epoch=1).test_acc
    every = bench.query_many(None, "toy", metric="test_acc")
    assert every.shape == (15625,) and np.isfinite(every).all()
    some = bench.query_many([arch, 5, arch.to_string()], "toy", metric="test_acc")
    assert some[0] == some[2] == r.test_acc and some[1] == every[5]
    assert np.isnan(bench.query_many([arch], "toy", metric="valid_acc")).all()
    best, value = bench.optimum("toy")
    assert value == every.max() and bench.query(best, "toy").test_acc == value
    assert bench.optimum_method == "enumerated"


def test_unknown_names_and_fidelities(fitted: tuple[SurrogateBenchmark, Path]) -> None:
    bench, _ = fitted
    with pytest.raises(UnknownNameError, match="toy"):
        bench.query(0, "cifar10")
    with pytest.raises(NotMeasuredError, match=r"\[1, 3\]"):
        bench.query(0, "toy", epoch=2)
    with pytest.raises(NotMeasuredError, match="noise=True"):
        bench.query(0, "toy", seed=0)
    with pytest.raises(UnknownNameError):
        bench.query_many([0], "toy", metric="accuracy")
    with pytest.raises(NotMeasuredError):
        bench.optimum("toy", metric="valid_acc")


def test_architectures_of_other_spaces_are_rejected(fitted: tuple[SurrogateBenchmark, Path]) -> None:
    from nasbench_suite.spaces.nb101 import NB101Space

    bench, _ = fitted
    with pytest.raises(InvalidArchitectureError, match="nb101"):
        bench.query(NB101Space().sample(np.random.default_rng(0)), "toy")
    with pytest.raises(InvalidArchitectureError):
        bench.query_many(["not an architecture"], "toy", metric="test_acc")


def test_save_load_round_trip_and_catalog(fitted: tuple[SurrogateBenchmark, Path]) -> None:
    bench, out = fitted
    loaded = nbs.open_benchmark(out)  # the catalog opens a folder with card.json as a surrogate
    assert isinstance(loaded, SurrogateBenchmark) and loaded.checksum == bench.checksum
    np.testing.assert_array_equal(
        loaded.query_many(None, "toy", metric="test_acc", epoch=1), bench.query_many(None, "toy", metric="test_acc", epoch=1)
    )
    card = json.loads((out / "card.json").read_text())
    assert card["source"]["benchmark"] == "small" and card["models"][0]["split"]["train_size"] == 40
    assert "quality" in card["models"][0] and (out / "card.md").read_text().startswith("# Surrogate")


def test_noise_is_calibrated_and_reproducible(fitted: tuple[SurrogateBenchmark, Path], table_path: Path) -> None:
    _, out = fitted
    noisy = open_surrogate(out, noise=True)
    again = open_surrogate(out, noise=True)
    assert noisy.seeds("toy") == (0, 1, 2)
    a = noisy.query_many(None, "toy", metric="test_acc", seed=1)
    np.testing.assert_array_equal(a, again.query_many(None, "toy", metric="test_acc", seed=1))
    assert again.query(7, "toy", seed=1).test_acc == a[7]  # per (arch, seed): order and batch do not matter
    b = noisy.query_many(None, "toy", metric="test_acc", seed=2)
    mean = noisy.query_many(None, "toy", metric="test_acc")
    assert not np.allclose(a, b)
    # spread matches the table's seed-to-seed standard deviation
    table = nbs.open_benchmark(table_path)
    per_seed = np.stack([table.query_many(None, "toy", metric="test_acc", seed=s) for s in (0, 1, 2)], axis=1)
    table_sd = np.sqrt(np.mean(np.var(per_seed, axis=1, ddof=1)))
    noise_sd = np.std(np.stack([noisy.query_many(None, "toy", metric="test_acc", seed=s) for s in (0, 1, 2)]) - mean)
    assert noise_sd == pytest.approx(table_sd, rel=0.15)
    with pytest.raises(NotMeasuredError, match="seeds"):
        noisy.query(0, "toy", seed=9)


def test_noise_needs_calibration_data(tmp_path: Path) -> None:
    path = tmp_path / "one-seed.h5"
    write_store(path, make_small_data(n_arch=30, seeds=(-1,), epochs=2, dataset="toy"))
    bench, _ = fit_surrogate(nbs.open_benchmark(path), model="ridge", train_size=20)
    bench.save(tmp_path / "s")
    with pytest.raises(ValueError, match="noise-std"):
        open_surrogate(tmp_path / "s", noise=True)
    bench2, _ = fit_surrogate(nbs.open_benchmark(path), model="ridge", train_size=20, noise_std=0.5)
    bench2.save(tmp_path / "s2")
    noisy = open_surrogate(tmp_path / "s2", noise=True)
    assert noisy.seeds("toy") == (0, 1, 2)
    diff = noisy.query_many(None, "toy", metric="test_acc", seed=0) - noisy.query_many(None, "toy", metric="test_acc")
    assert np.std(diff) == pytest.approx(0.5, rel=0.05)


def test_costs_from_the_table_and_from_the_formula(fitted: tuple[SurrogateBenchmark, Path], table_path: Path) -> None:
    bench, _ = fitted
    # the synthetic table's random costs: a least-squares fit on the one-hot encoding
    assert np.isfinite(bench.cost(3, "toy", "latency"))
    with pytest.raises(UnknownNameError):
        bench.cost(3, "toy", "energy")
    enc = get_encoder("nb201")
    ids = enc.op_ids(np.arange(15625))
    c10, c100 = nb201_costs(ids, "cifar10"), nb201_costs(ids, "cifar100")
    assert (c100["params"] - c10["params"] == 64 * 90 + 90).all()
    cheapest = Architecture(("none",) * 6).index
    assert c10["params"][cheapest] == c10["params"].min() and c10["flops"][cheapest] == c10["flops"].min()
    assert np.isnan(nb201_costs(ids[:2], "mnist")["params"]).all()


def test_nb201_cost_formula_matches_the_nats_archive(reference_dir: Path) -> None:
    from nasbench_suite.importers.nats_archive import read_nats_archive

    data = read_nats_archive(reference_dir / "nats_archive_sample" / "NATS-tss-v1_0-3ffb9-simple", progress=False, ori_test=True)
    enc = get_encoder("nb201")
    checked = 0
    for ds, table in data.datasets.items():
        costs = dict(zip(table.cost_names, table.costs.T))
        ok = np.isfinite(costs["params"])
        formula = nb201_costs(enc.op_ids([data.archs[i] for i in np.flatnonzero(ok)]), ds)
        if np.isnan(formula["params"]).any():
            continue
        np.testing.assert_allclose(formula["params"], costs["params"][ok], rtol=1e-9)
        np.testing.assert_allclose(formula["flops"], costs["flops"][ok], rtol=1e-6)
        checked += 1
    assert checked == 4  # cifar10-valid, cifar10, cifar100, ImageNet16-120


def test_tampered_or_incompatible_files_are_refused(fitted: tuple[SurrogateBenchmark, Path], tmp_path: Path) -> None:
    import shutil

    _, out = fitted
    bad = tmp_path / "bad"
    shutil.copytree(out, bad)
    state = next(p for p in bad.rglob("*.npz"))
    state.write_bytes(state.read_bytes() + b"x")
    with pytest.raises(ChecksumMismatchError, match="npz"):
        open_surrogate(bad)

    newer = tmp_path / "newer"
    shutil.copytree(out, newer)
    card = json.loads((newer / "card.json").read_text())
    card["format_version"] = 99
    (newer / "card.json").write_text(json.dumps(card))
    with pytest.raises(IncompatibleSurrogateError, match="99"):
        open_surrogate(newer)

    with pytest.raises(StoreFormatError, match="card.json"):
        open_surrogate(tmp_path)


def test_group_split_holds_out_no_isomorph_of_a_training_architecture() -> None:
    space = NB201Space()
    # ops of edges that cannot reach the output do not matter: many isomorphic twins
    archs = [Architecture(("none", a, b, "none", "none", "nor_conv_3x3")) for a in ("skip_connect", "avg_pool_3x3")
             for b in ("nor_conv_1x1", "nor_conv_3x3", "none")] * 3  # fmt: skip
    archs += [space.sample(np.random.default_rng(i)) for i in range(40)]
    from nasbench_suite.surrogates.training import canonical_groups

    groups = canonical_groups(space, archs)
    keys = [space.parse(a).canonical_key() for a in archs]
    train, test = group_split_indices(groups, 20, seed=3)
    uniform_train, uniform_rest = split_indices(len(archs), 20, seed=3)
    np.testing.assert_array_equal(train, uniform_train)  # the same training cells as the uniform split
    assert set(test) < set(uniform_rest) and len(test) < len(uniform_rest)  # twins of training cells are dropped
    assert not {keys[i] for i in test} & {keys[i] for i in train}
    assert {keys[i] for i in uniform_rest} & {keys[i] for i in train}  # the uniform split leaks twins
    from nasbench_suite.surrogates.training import heldout_split

    # a card recorded before splits were grouped has the same training rows: eval holds out the grouped rest
    np.testing.assert_array_equal(heldout_split({"seed": 3, "train_size": 20}, groups), test)


def test_split_indices() -> None:
    train, test = split_indices(100, 30, seed=1)
    assert len(train) == 30 and len(test) == 70 and not set(train) & set(test)
    np.testing.assert_array_equal(train, split_indices(100, 30, seed=1)[0])
    assert len(split_indices(100, 0.25, seed=0)[0]) == 25 and len(split_indices(100, None, seed=0)[1]) == 0
    with pytest.raises(ValueError, match="train_size"):
        split_indices(100, 101, seed=0)
    with pytest.raises(ValueError, match="train_size"):
        split_indices(100, 1, seed=0)



@pytest.mark.parametrize("space", ["nb101", "darts"])
def test_spaces_too_large_to_enumerate(space: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from nasbench_suite.spaces import get_space
    from nasbench_suite.surrogates import benchmark as module
    from nasbench_suite.surrogates import make_surrogate
    from nasbench_suite.surrogates.benchmark import FittedModel

    monkeypatch.setattr(module, "OPTIMUM_SAMPLE", 300)
    sp = get_space(space)
    rng = np.random.default_rng(0)
    archs = [sp.sample(rng) for _ in range(40)]
    y = rng.uniform(80, 95, size=40)
    model = make_surrogate("xgb", space=space).set_params(model__n_estimators=20).fit(archs, y)
    bench = SurrogateBenchmark(name=f"{space}-toy", space=space, models=[FittedModel("cifar10", "valid_acc", 100, model)])
    assert not bench.enumerable and "sampled" in bench.optimum_method
    values = bench.query_many(archs[:5], "cifar10", metric="valid_acc")
    np.testing.assert_array_equal(values, np.round(model.predict(archs[:5]), module.ANSWER_DECIMALS))
    assert bench.query(archs[0], "cifar10").valid_acc == pytest.approx(values[0])
    best, value = bench.optimum("cifar10", metric="valid_acc")
    assert bench.query(best, "cifar10").valid_acc == pytest.approx(value)
    with pytest.raises(ValueError, match="too large"):
        bench.query_many(None, "cifar10", metric="valid_acc")
    assert np.isnan(bench.cost(archs[0], "cifar10", "params"))  # no formula and no table costs
    bench.save(tmp_path / space)
    again = open_surrogate(tmp_path / space)
    np.testing.assert_allclose(again.query_many(archs[:5], "cifar10", metric="valid_acc"), values)


class _Shifted:
    """An estimator whose predictions are a fixed array plus an offset, as another CPU's last bits would be."""

    def __init__(self, values: np.ndarray, shift: float) -> None:
        self.values, self.shift = values, shift

    def predict(self, archs: list, return_std: bool = False):  # noqa: ANN201
        mean = self.values[: len(archs)] + self.shift
        return (mean, np.ones_like(mean)) if return_std else mean


def test_answers_do_not_depend_on_the_last_bits_of_a_prediction() -> None:
    """Predictions ~1e-11 apart, as GP kernels under other SIMD paths are, give the same answers, metrics and costs alike."""
    from nasbench_suite.spaces import get_space
    from nasbench_suite.surrogates.benchmark import ANSWER_DECIMALS, FittedModel

    sp = get_space("darts")
    rng = np.random.default_rng(3)
    archs = [sp.sample(rng) for _ in range(200)]
    values = rng.uniform(10, 95, size=200)
    answers = []
    for shift in (0.0, 1e-11, -1e-11):
        est = _Shifted(values, shift)
        bench = SurrogateBenchmark(
            name="shifted", space="darts",
            models=[FittedModel("digits-hard", "valid_acc", 12, est), FittedModel("digits-hard", "train_time", 12, est)],
        )
        answers.append(
            np.concatenate([
                bench.query_many(archs, "digits-hard", metric="valid_acc"),
                bench.query_many(archs, "digits-hard", metric="train_time"),
                bench.predict(archs, "digits-hard", metric="valid_acc", return_std=True)[0],
            ])
        )
    # an answer can differ only where a prediction lies within 1e-11 of the rounding grid: none of these does
    near = np.abs(values * 10**ANSWER_DECIMALS % 1 - 0.5) < 1e-5
    assert not near.any()
    np.testing.assert_array_equal(answers[0], answers[1])
    np.testing.assert_array_equal(answers[0], answers[2])
    assert not np.array_equal(values, values + 1e-11)  # the shift is visible before rounding
    np.testing.assert_allclose(answers[0][:200], values, atol=0.5 * 10.0**-ANSWER_DECIMALS)
