"""Per-architecture costs: parameter count, FLOPs and batch-1 latency."""

from __future__ import annotations

import statistics
import time

import torch
from torch import nn

__all__ = ["count_flops", "count_params", "measure_latency"]


def count_params(net: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in net.parameters() if p.requires_grad)


def count_flops(net: nn.Module, sample: torch.Tensor) -> int:
    """FLOPs of one forward pass of ``sample`` (one input), by :class:`torch.utils.flop_counter.FlopCounterMode`.

    The counter covers convolutions and matrix products (2 FLOPs per multiply-add);
    pooling, normalization and activations are not counted.
    """
    from torch.utils.flop_counter import FlopCounterMode

    was_training = net.training
    net.eval()
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        net(sample)
    net.train(was_training)
    return int(counter.get_total_flops())


def measure_latency(net: nn.Module, sample: torch.Tensor, *, repeats: int = 5, warmup: int = 2) -> float:
    """Median seconds of one eval-mode forward pass of ``sample`` (batch size 1)."""
    was_training = net.training
    net.eval()
    times = []
    with torch.no_grad():
        for i in range(warmup + repeats):
            if sample.device.type == "cuda":
                torch.cuda.synchronize(sample.device)
            start = time.perf_counter()
            net(sample)
            if sample.device.type == "cuda":
                torch.cuda.synchronize(sample.device)
            if i >= warmup:
                times.append(time.perf_counter() - start)
    net.train(was_training)
    return float(statistics.median(times))
