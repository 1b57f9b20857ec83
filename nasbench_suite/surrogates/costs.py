"""Costs of architectures a surrogate was not trained on: exact formulas or fitted linear models.

A :class:`~nasbench_suite.surrogates.benchmark.SurrogateBenchmark` answers
``cost(arch, dataset, name)`` for any architecture of the space. Where the
table it was fitted on measured a cost, a linear model on the one-hot
encoding is fitted to it (exact for NB201, whose every edge is instantiated
whatever its op); where the table has none, a space may provide a closed
formula (its bundle's ``cost_formula``, see :mod:`nasbench_suite.spaces.bundle`); otherwise the cost is NaN.
"""

from __future__ import annotations

import numpy as np

from nasbench_suite.spaces.nb201 import OPS

#: (number of classes, input resolution) of the datasets the formulas know
DATASETS: dict[str, tuple[int, int]] = {
    "cifar10": (10, 32),
    "cifar10-valid": (10, 32),
    "cifar100": (100, 32),
    "ImageNet16-120": (120, 16),
}


def nb201_costs(op_ids: np.ndarray, dataset: str) -> dict[str, np.ndarray]:
    """Parameters and FLOPs of NB201 networks as NAS-Bench-201 itself counts them.

    The macro skeleton: a 3x3 stem to 16 channels, three stages of 5 cells
    (16, 32, 64 channels at full, half and quarter resolution) joined by residual reduction
    blocks, then BN, global pooling and a linear classifier. Parameters
    include BatchNorm's affine weights; FLOPs are the multiply-accumulates of
    convolutions and the classifier (pooling, BN and activations are not
    counted), for one input (32x32 for CIFAR, 16x16 for ImageNet16-120): the
    ``params`` / ``flop`` numbers of the NB201 / NATS-Bench archives, times
    10^6. Datasets outside :data:`DATASETS` give NaN.
    """
    n = len(op_ids)
    if dataset not in DATASETS:
        return {"params": np.full(n, np.nan), "flops": np.full(n, np.nan)}
    n_classes, res = DATASETS[dataset]
    conv3 = (op_ids == OPS.index("nor_conv_3x3")).sum(axis=1)
    conv1 = (op_ids == OPS.index("nor_conv_1x1")).sum(axis=1)
    params = np.full(n, 3 * 16 * 9 + 2 * 16 + 2 * 64 + 64 * n_classes + n_classes, dtype=np.float64)
    flops = np.full(n, res * res * 16 * 3 * 9 + 64 * n_classes + n_classes, dtype=np.float64)
    for c, h in ((16, res), (32, res // 2), (64, res // 4)):
        params += 5 * (conv3 * (9 * c * c + 2 * c) + conv1 * (c * c + 2 * c))
        flops += 5 * h * h * c * c * (9 * conv3 + conv1)
    for c, h in ((16, res), (32, res // 2)):  # residual reduction block c -> 2c, output h/2
        params += 9 * c * 2 * c + 4 * c + 9 * 2 * c * 2 * c + 4 * c + c * 2 * c
        out = (h // 2) ** 2
        flops += out * (9 * 2 * c * c + 9 * 2 * c * 2 * c + 2 * c * c)
    return {"params": params, "flops": flops}




def fit_linear_cost(X: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, float, float] | None:
    """Least-squares ``values ~ X @ coef + intercept`` on measured rows; ``None`` with fewer than 2.

    Returns ``(coef, intercept, r2)``; ``r2`` on the fitted rows says how
    well a linear model holds (1.0 for NB201's params and FLOPs).
    """
    ok = np.isfinite(values)
    if ok.sum() < 2:
        return None
    A = np.concatenate([X[ok], np.ones((ok.sum(), 1))], axis=1)
    sol, *_ = np.linalg.lstsq(A, values[ok], rcond=None)
    pred = A @ sol
    resid = float(np.sum((values[ok] - pred) ** 2))
    total = float(np.sum((values[ok] - values[ok].mean()) ** 2))
    r2 = 1.0 - resid / total if total > 0 else 1.0
    return sol[:-1], float(sol[-1]), r2
