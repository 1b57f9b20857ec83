"""Seeded, recorded training of one network of any search space under a :class:`TrainProtocol`.

The network comes from the space's builder (:func:`nasbench_suite.training.builders.get_builder`)
for the protocol's skeleton, channels and cells.

A :class:`TrainProtocol` records every choice that changes the numbers. On
the CPU, the same protocol, seed and thread count give bit-identical curves
(the timing metric aside): the seed alone drives initialization (through
``torch.manual_seed``) and shuffling (a private ``torch.Generator``), and
deterministic algorithms are enforced during the run.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from nasbench_suite.benchmark import METRICS, Metric
from nasbench_suite.numerics import deterministic
from nasbench_suite.spaces import get_space
from nasbench_suite.training.builders import get_builder
from nasbench_suite.training.data import ImageData, load_dataset
from nasbench_suite.training.protocol import TrainProtocol

__all__ = ["RunRecord", "TrainProtocol", "train_architecture"]


@dataclass(frozen=True)
class RunRecord:
    """One trained (architecture, seed): ``curves[epoch, metric]`` in :data:`METRICS` order, and the costs."""

    arch: str
    seed: int
    curves: np.ndarray
    params: float
    flops: float
    latency: float


def _evaluate(net: nn.Module, x: torch.Tensor, ys: tuple[torch.Tensor, ...]) -> list[tuple[float, float]]:
    """(loss, accuracy %) of each split; ``x`` holds the splits' images concatenated, one forward pass."""
    net.eval()
    with torch.no_grad():
        outs = net(x).split([len(y) for y in ys])
        return [
            (float(F.cross_entropy(out, y)), 100.0 * float((out.argmax(1) == y).sum()) / len(y))
            for out, y in zip(outs, ys)
        ]


def _recalibrate_bn(net: nn.Module, x: torch.Tensor, batch_size: int) -> None:
    """Replace BatchNorm running statistics by their exact average over ``x`` (batches in order)."""
    bns = [m for m in net.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    saved = [bn.momentum for bn in bns]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative moving average: the plain mean over batches
    net.train()
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            net(x[start : start + batch_size])
    for bn, momentum in zip(bns, saved):
        bn.momentum = momentum


def _cosine(base: float, minimum: float, step: int, total: int) -> float:
    return minimum + 0.5 * (base - minimum) * (1.0 + math.cos(math.pi * step / total))


def train_architecture(
    arch: Any,
    protocol: TrainProtocol,
    *,
    seed: int,
    space: str = "nb201",
    device: str | torch.device = "cpu",
    data: ImageData | None = None,
    data_root: str | None = None,
    measure_costs: bool = True,
) -> RunRecord:
    """Train ``arch`` (an architecture of ``space``, or its string) under ``protocol`` with ``seed``;
    per-epoch metrics and the architecture's costs.

    Accuracies are percentages; the train metrics are sample-weighted means
    over the epoch's batches; ``train_time`` is the seconds (by ``protocol.train_clock``) spent in that
    epoch's training steps.
    """
    builder = get_builder(space, protocol.skeleton)
    arch = get_space(space).parse(arch)
    device = torch.device(device)
    data = (data if data is not None else load_dataset(protocol.dataset, root=data_root)).to(device)
    with deterministic():
        torch.manual_seed(seed)
        net = builder.build(
            arch,
            in_channels=data.in_channels,
            num_classes=data.num_classes,
            channels=protocol.channels,
            cells=protocol.cells,
        ).to(device)
        opt = torch.optim.SGD(
            net.parameters(),
            lr=protocol.lr,
            momentum=protocol.momentum,
            nesterov=protocol.nesterov,
            weight_decay=protocol.weight_decay,
            foreach=True,
        )
        shuffler = torch.Generator().manual_seed(seed)
        n = len(data.train_y)
        bs = protocol.batch_size
        per_epoch = math.ceil(n / bs)
        total = per_epoch * protocol.epochs
        curves = np.full((protocol.epochs, len(METRICS)), np.nan)
        col = {m: METRICS.index(m.value) for m in Metric}
        eval_x = torch.cat([data.valid_x, data.test_x])
        clock = time.thread_time if protocol.counts_cpu_time(device.type) else time.perf_counter
        step = 0
        for epoch in range(protocol.epochs):
            net.train()
            perm = torch.randperm(n, generator=shuffler).to(device)
            loss_sum = torch.zeros((), device=device)
            correct = torch.zeros((), dtype=torch.long, device=device)
            start = clock()
            for b in range(per_epoch):
                idx = perm[b * bs : (b + 1) * bs]
                x, y = data.train_x[idx], data.train_y[idx]
                for group in opt.param_groups:
                    group["lr"] = _cosine(protocol.lr, protocol.min_lr, step, total)
                out = net(x)
                loss = F.cross_entropy(out, y)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                step += 1
                loss_sum += loss.detach() * len(y)
                correct += (out.detach().argmax(1) == y).sum()
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            curves[epoch, col[Metric.TRAIN_TIME]] = clock() - start
            curves[epoch, col[Metric.TRAIN_LOSS]] = float(loss_sum) / n
            curves[epoch, col[Metric.TRAIN_ACC]] = 100.0 * float(correct) / n
            if protocol.bn_recalibrate:
                _recalibrate_bn(net, data.train_x[: protocol.bn_recalibrate], bs)
            (vl, va), (tl, ta) = _evaluate(net, eval_x, (data.valid_y, data.test_y))
            curves[epoch, col[Metric.VALID_LOSS]], curves[epoch, col[Metric.VALID_ACC]] = vl, va
            curves[epoch, col[Metric.TEST_LOSS]], curves[epoch, col[Metric.TEST_ACC]] = tl, ta
    params = flops = latency = math.nan
    if measure_costs:
        from nasbench_suite.training.costs import count_flops, count_params, measure_latency

        sample = data.valid_x[:1]
        params, flops = float(count_params(net)), float(count_flops(net, sample))
        latency = measure_latency(net, sample)
    return RunRecord(arch.to_string(), int(seed), curves, params, flops, latency)
