"""The trainer: a recorded protocol, deterministic numbers, and well-formed curves."""

from __future__ import annotations

import numpy as np
import pytest

from nasbench_suite.benchmark import METRICS
from nasbench_suite.spaces.nb201 import Architecture
from nasbench_suite.training.trainer import TrainProtocol, train_architecture

ARCH = Architecture.from_string("|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|")
SMALL = TrainProtocol(dataset="digits", channels=4, epochs=2, batch_size=128, bn_recalibrate=0)
TIME = METRICS.index("train_time")


def _numbers(curves: np.ndarray) -> np.ndarray:
    return np.delete(curves, TIME, axis=1)  # wall-clock time is the one non-reproducible metric


def test_protocol_round_trips_through_a_dict() -> None:
    assert TrainProtocol.from_dict(SMALL.to_dict()) == SMALL
    assert SMALL.to_dict()["nesterov"] is True and SMALL.to_dict()["momentum"] == 0.9


def test_protocol_rejects_nonpositive_sizes() -> None:
    with pytest.raises(ValueError, match="epochs"):
        TrainProtocol(epochs=0)
    with pytest.raises(ValueError, match="bn_recalibrate"):
        TrainProtocol(bn_recalibrate=-1)


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


def test_bn_recalibration_changes_evaluation_only() -> None:
    """Recalibrating BatchNorm statistics leaves training untouched and only changes the evaluated numbers."""
    recal = TrainProtocol(**{**SMALL.to_dict(), "bn_recalibrate": 256})
    plain = train_architecture(ARCH, SMALL, seed=1, measure_costs=False).curves
    a = train_architecture(ARCH, recal, seed=1, measure_costs=False).curves
    b = train_architecture(ARCH, recal, seed=1, measure_costs=False).curves
    assert np.array_equal(_numbers(a), _numbers(b))
    train_cols = [METRICS.index(m) for m in ("train_loss", "train_acc")]
    eval_cols = [METRICS.index(m) for m in ("valid_loss", "test_loss")]
    assert np.array_equal(a[:, train_cols], plain[:, train_cols])
    assert not np.allclose(a[:, eval_cols], plain[:, eval_cols])


def test_recalibrated_statistics_are_the_training_split_average() -> None:
    import torch
    from torch import nn

    from nasbench_suite.training.trainer import _recalibrate_bn

    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 3, 1), nn.BatchNorm2d(3))
    x = torch.randn(10, 1, 4, 4) * 3 + 1
    _recalibrate_bn(net, x, batch_size=5)
    bn = net[1]
    with torch.no_grad():
        per_batch = [net[0](x[i : i + 5]).mean(dim=(0, 2, 3)) for i in (0, 5)]
    torch.testing.assert_close(bn.running_mean, (per_batch[0] + per_batch[1]) / 2)
    assert bn.momentum == 0.1 and int(bn.num_batches_tracked) == 2


def test_train_clock_counts_thread_cpu_time_by_default_and_old_tables_read_as_wall(monkeypatch: pytest.MonkeyPatch) -> None:
    import itertools
    import time

    assert TrainProtocol().train_clock == "cpu-thread"
    legacy = {k: v for k, v in SMALL.to_dict().items() if k not in ("train_clock", "bn_recalibrate")}
    assert TrainProtocol.from_dict(legacy).train_clock == "wall" and TrainProtocol.from_dict(legacy).bn_recalibrate == 0
    with pytest.raises(ValueError, match="train_clock"):
        TrainProtocol(train_clock="gpu")

    # a thread clock that advances by exactly 7 s per reading: each epoch's train_time reads it twice
    ticks = itertools.count(0, 7.0)
    monkeypatch.setattr(time, "thread_time", lambda: next(ticks))
    cpu = train_architecture(ARCH, SMALL, seed=0, measure_costs=False).curves[:, TIME]
    wall = train_architecture(ARCH, TrainProtocol(**{**SMALL.to_dict(), "train_clock": "wall"}), seed=0,
                              measure_costs=False).curves[:, TIME]
    assert (cpu == 7.0).all()
    assert ((wall > 0) & (wall < 7.0)).all()
