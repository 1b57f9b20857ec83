"""Latency settings (batch, threads, device) and the timing of one network's forward pass under one.

A setting is written ``b<batch>-t<threads>`` for the CPU (``t``\\ *all*: every
core this process may run on) or ``b<batch>-<device>`` for an accelerator,
e.g. ``b1-t1``, ``b64-tall``, ``b64-cuda``. Its column in a cost file is
``latency_`` plus the setting with ``-`` turned into ``_`` (``latency_b1_t1``).

Examples
--------
>>> s = LatencySetting.parse("b64-tall")
>>> (s.batch, s.threads, s.device, s.column)
(64, None, 'cpu', 'latency_b64_tall')
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["LatencySetting", "parse_settings", "time_forward"]

_CPU = re.compile(r"^b([1-9][0-9]*)-t(all|[1-9][0-9]*)$")
_DEVICE = re.compile(r"^b([1-9][0-9]*)-(cuda(?::[0-9]+)?|mps)$")

#: environment variables that change how CPU threads wait and are placed; recorded with every CPU setting
THREAD_ENV = ("OMP_WAIT_POLICY", "OMP_PROC_BIND", "OMP_PLACES", "GOMP_SPINCOUNT", "KMP_BLOCKTIME", "OMP_NUM_THREADS")


@dataclass(frozen=True)
class LatencySetting:
    """Where and how a forward pass is timed: batch size, CPU threads (``None`` = all) and device."""

    batch: int
    threads: int | None = 1
    device: str = "cpu"

    @classmethod
    def parse(cls, text: str) -> LatencySetting:
        """The setting named ``text`` (``b1-t1``, ``b64-tall``, ``b64-cuda``, ``b64-cuda:1``).

        Raises ``ValueError`` naming the text and the accepted forms.
        """
        text = str(text).strip()
        if m := _CPU.match(text):
            return cls(int(m[1]), None if m[2] == "all" else int(m[2]), "cpu")
        if m := _DEVICE.match(text):
            return cls(int(m[1]), None, m[2])
        raise ValueError(f"latency setting {text!r} is not b<batch>-t<threads|all> (e.g. b1-t1, b64-tall) "
                         f"or b<batch>-<device> (e.g. b64-cuda)")

    @property
    def name(self) -> str:
        """The setting's text form (``b1-t1``)."""
        if self.device != "cpu":
            return f"b{self.batch}-{self.device}"
        return f"b{self.batch}-t{'all' if self.threads is None else self.threads}"

    @property
    def column(self) -> str:
        """The cost column it fills (``latency_b1_t1``)."""
        return "latency_" + re.sub(r"[^0-9a-z]", "_", self.name)

    def resolved_threads(self) -> int:
        """The CPU thread count it runs with: its own, else every core this process may use."""
        if self.threads is not None:
            return self.threads
        try:
            return len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            return os.cpu_count() or 1

    def describe(self) -> dict[str, Any]:
        """What the setting means, for the cost file (threads resolved, thread environment recorded)."""
        out: dict[str, Any] = {"name": self.name, "batch": self.batch, "device": self.device,
                               "threads": self.resolved_threads(), "threads_requested": self.threads or "all"}
        if self.device == "cpu":
            out["thread_env"] = {k: os.environ[k] for k in THREAD_ENV if k in os.environ}
        return out


def parse_settings(text: str) -> tuple[LatencySetting, ...]:
    """Comma-separated settings, each once (``"b1-t1,b64-tall"``)."""
    settings = tuple(LatencySetting.parse(part) for part in str(text).split(",") if part.strip())
    if not settings:
        raise ValueError(f"expected at least one latency setting (e.g. b1-t1,b64-tall), got {text!r}")
    columns = [s.column for s in settings]
    if len(set(columns)) != len(columns):
        raise ValueError(f"latency settings {text!r} name one setting twice")
    return settings


def time_forward(net: Any, sample: Any, *, repeats: int, warmup: int) -> np.ndarray:
    """Seconds of each of ``repeats`` eval-mode forward passes of ``sample``, after ``warmup`` untimed ones.

    Runs under ``torch.inference_mode``; on an accelerator each pass is
    bracketed by a device synchronisation so the time covers the kernels.
    """
    import torch

    if repeats < 1 or warmup < 0:
        raise ValueError(f"repeats must be >= 1 and warmup >= 0, got repeats={repeats!r}, warmup={warmup!r}")
    sync = sample.device.type == "cuda"
    net.eval()
    out = np.empty(repeats)
    with torch.inference_mode():
        for i in range(warmup + repeats):
            if sync:
                torch.cuda.synchronize(sample.device)
            start = time.perf_counter()
            net(sample)
            if sync:
                torch.cuda.synchronize(sample.device)
            if i >= warmup:
                out[i - warmup] = time.perf_counter() - start
    return out
