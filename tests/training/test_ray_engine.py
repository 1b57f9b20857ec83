"""The Ray engine gives the local engine's numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nasbench_suite.benchmark import METRICS
from nasbench_suite.training.generate import generate_table
from nasbench_suite.training.trainer import TrainProtocol

pytest.importorskip("ray")


def test_local_engine_does_not_import_ray() -> None:
    import subprocess
    import sys

    code = "import sys, nasbench_suite.training.engines.local, nasbench_suite.training.generate; print('ray' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


@pytest.mark.ray
@pytest.mark.slow
def test_ray_matches_local(tmp_path: Path, tiny: TrainProtocol) -> None:
    kwargs = dict(seeds=(0, 1), limit=2, workers=1, show_progress=False, write=False)
    local = generate_table(tmp_path / "local.h5", tiny, **kwargs)
    remote = generate_table(tmp_path / "ray.h5", tiny, engine="ray", **kwargs)
    keep = [i for i, m in enumerate(METRICS) if m != "train_time"]
    a, b = local.datasets["digits"], remote.datasets["digits"]
    assert local.archs == remote.archs
    assert np.array_equal(a.curves[..., keep], b.curves[..., keep])
    assert np.array_equal(a.costs[:, :2], b.costs[:, :2])  # params and flops; latency is wall-clock
