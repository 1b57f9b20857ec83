"""The training protocol: every choice that changes a run's numbers, recorded in every generated table.

Kept free of heavy imports so that the command line can read its defaults
without loading PyTorch.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

__all__ = ["TRAIN_CLOCKS", "TrainProtocol"]

#: what ``train_time`` can count (see :class:`TrainProtocol`)
TRAIN_CLOCKS = ("cpu-thread", "wall")


def _torch_version() -> str:
    import torch

    return str(torch.__version__)


@dataclass(frozen=True)
class TrainProtocol:
    """Everything that defines a training run, recorded in every generated table.

    The defaults are the suite's standard protocol (the ``nb201-digits``
    table's). SGD with Nesterov momentum, the learning rate cosine-annealed from ``lr``
    to 0 over all steps (updated every step), cross-entropy loss, weight decay
    on every parameter. Evaluation uses the whole valid and test splits in
    eval mode after each epoch (one forward pass over both splits together).

    With ``bn_recalibrate = K > 0``, every BatchNorm's running statistics are
    replaced before each evaluation by their exact average over the first K
    training images (a gradient-free forward pass in train mode, in the
    split's fixed order, in batches of ``batch_size``). Training is
    unchanged; evaluation stops depending on the lag of the momentum-averaged
    statistics, which in short runs (a few dozen steps) is the largest source
    of seed-to-seed noise and makes early-epoch values meaningless.

    ``train_clock`` says what an epoch's ``train_time`` counts: ``"cpu-thread"``
    (the default) is the CPU time of the training thread on the CPU, so other
    load on the machine does not inflate it, and wall time on a GPU;
    ``"wall"`` is wall-clock time everywhere (what tables recorded before the
    field existed).
    """

    dataset: str = "digits-hard"
    skeleton: str = "light"
    channels: int = 8
    cells: int = 1
    epochs: int = 12
    batch_size: int = 128
    optimizer: str = "sgd"
    momentum: float = 0.9
    nesterov: bool = True
    lr: float = 0.1
    lr_schedule: str = "cosine-per-step"
    min_lr: float = 0.0
    weight_decay: float = 5e-4
    loss: str = "cross_entropy"
    bn_recalibrate: int = 256
    train_clock: str = "cpu-thread"
    torch_version: str = field(default_factory=_torch_version)
    threads: int = 1

    def __post_init__(self) -> None:
        for name in ("channels", "cells", "epochs", "batch_size", "threads"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be a positive integer, got {getattr(self, name)!r}")
        if self.train_clock not in TRAIN_CLOCKS:
            raise ValueError(f"train_clock must be one of {', '.join(TRAIN_CLOCKS)}, got {self.train_clock!r}")
        if int(self.bn_recalibrate) < 0:
            raise ValueError(f"bn_recalibrate must be 0 (off) or a number of training images, got {self.bn_recalibrate!r}")

    def counts_cpu_time(self, device: str) -> bool:
        """Whether ``train_time`` on ``device`` (e.g. ``"cpu"``, ``"cuda:0"``) is the training thread's CPU time."""
        return self.train_clock == "cpu-thread" and str(device).split(":")[0] == "cpu"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable dict of every field."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainProtocol:
        """The protocol recorded by :meth:`to_dict` (unknown keys are ignored)."""
        names = {f.name for f in fields(cls)}
        known = {k: v for k, v in data.items() if k in names}
        # fields recorded before they existed had these values
        known.setdefault("train_clock", "wall")
        known.setdefault("bn_recalibrate", 0)
        return cls(**known)
