"""The trainer: a recorded protocol, deterministic numbers, and well-formed curves."""

from __future__ import annotations

import numpy as np
import pytest

from nasbench_suite.benchmark import METRICS
from nasbench_suite.spaces.nb201 import Architecture
from nasbench_suite.training.trainer import TrainProtocol, train_architecture

ARCH = Architecture.from_string("|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|")
SMALL = TrainProtocol(dataset="digits", channels=4, epochs=2, batch_size=128)
TIME = METRICS.index("train_time")


def _numbers(curves: np.ndarray) -> np.ndarray:
    return np.delete(curves, TIME, axis=1)  # wall-clock time is the one non-reproducible metric


def test_protocol_round_trips_through_a_dict() -> None:
    assert TrainProtocol.from_dict(SMALL.to_dict()) == SMALL
    assert SMALL.to_dict()["nesterov"] is True and SMALL.to_dict()["momentum"] == 0.9


def test_protocol_rejects_nonpositive_sizes() -> None:
    with pytest.raises(ValueError, match="epochs"):
        TrainProtocol(epochs=0)


def test_same_seed_gives_identical_numbers_and_other_seeds_differ() -> None:
    a = train_architecture(ARCH, SMALL, seed=3, measure_costs=False)
    b = train_architecture(ARCH, SMALL, seed=3, measure_costs=False)
    c = train_architecture(ARCH, SMALL, seed=4, measure_costs=False)
    assert np.array_equal(_numbers(a.curves), _numbers(b.curves))
    assert not np.array_equal(_numbers(a.curves), _numbers(c.curves))


def test_curves_and_costs_are_well_formed() -> None:
    rec = train_architecture(ARCH.to_string(), SMALL, seed=0)
    assert rec.curves.shape == (2, len(METRICS)) and np.isfinite(rec.curves).all()
    accs = rec.curves[:, [METRICS.index(m) for m in ("train_acc", "valid_acc", "test_acc")]]
    assert ((accs >= 0) & (accs <= 100)).all()
    assert (rec.curves[:, TIME] > 0).all()
    assert rec.params > 0 and rec.flops > 0 and rec.latency > 0
