"""Gaussian-process Bayesian optimization with expected improvement on a one-hot encoding."""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np

from nasbench_suite.strategies._acquisition import History, candidate_pool, expected_improvement, seed_from
from nasbench_suite.strategies._encoding import vector_encoder
from nasbench_suite.strategies.base import Observation, Proposal, SearchContext, Strategy, require


def _lbfgs(obj_func: Any, initial_theta: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, float]:
    """scikit-learn's default L-BFGS-B on the log marginal likelihood, capped at 50 iterations."""
    from scipy.optimize import minimize

    res = minimize(obj_func, initial_theta, method="L-BFGS-B", jac=True, bounds=bounds, options={"maxiter": 50})
    return res.x, float(res.fun)


class GaussianProcessBO(Strategy):
    """GP regression (scikit-learn) + expected improvement, maximized over random and mutated candidates.

    After ``num_init`` random architectures, each proposal fits a GP
    (constant x Matern-5/2 + white noise, normalized targets) to every finished
    evaluation's encoding and proposes the candidate with the highest EI among
    ``num_random`` random architectures and ``num_mutations`` mutants (one or
    two edits) of the ``num_parents`` best so far, never one already proposed.
    Kernel hyperparameters are re-optimized (marginal likelihood, L-BFGS-B
    warm-started from the last optimum, at most 50 iterations) every
    ``optimize_every`` new results and kept fixed in between, which keeps a
    300-evaluation run to seconds.

    Parameters
    ----------
    num_init, num_random, num_mutations, num_parents, optimize_every : int
        See above.
    xi : float
        EI's exploration margin.
    encoding : str
        The space's vector encoding (``"onehot"`` or ``"path"``).
    """

    name = "gp-bo"
    #: cheap hyperparameters for conformance checks (smaller candidate pools)
    check_params: ClassVar[dict[str, Any]] = {"num_random": 30, "num_mutations": 30}
    own_numerics = True  # a model fit on the observations decides the proposals

    def __init__(
        self,
        context: SearchContext,
        *,
        seed: int | np.random.Generator,
        num_init: int = 10,
        num_random: int = 100,
        num_mutations: int = 100,
        num_parents: int = 10,
        optimize_every: int = 20,
        xi: float = 0.0,
        encoding: str = "onehot",
    ) -> None:
        super().__init__(context, seed=seed)
        for label, v in (("num_init", num_init), ("num_parents", num_parents), ("optimize_every", optimize_every)):
            require(int(v) >= 1, f"{label} must be >= 1, got {v!r}")
        require(int(num_random) + int(num_mutations) >= 1, "num_random + num_mutations must be >= 1")
        self.num_init = int(num_init)
        self.num_random = int(num_random)
        self.num_mutations = int(num_mutations)
        self.num_parents = int(num_parents)
        self.optimize_every = int(optimize_every)
        self.xi = float(xi)
        self.encoding = encoding
        self._encode = vector_encoder(self.space, encoding, strategy=self.name)
        self._history = History()
        self._asked = 0
        self._kernel: Any = None
        self._optimized_at = 0

    def ask(self) -> Proposal:
        self._asked += 1
        arch = None
        if self._asked > self.num_init and len(self._history) >= 2:
            arch = self._maximize_ei()
        if arch is None:
            arch = self.space.sample(self.rng)
        self._history.proposed.add(arch)
        return Proposal(arch)

    def _fit(self, X: np.ndarray, y: np.ndarray) -> Any:
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

        n = len(y)
        optimize = self._kernel is None or n - self._optimized_at >= self.optimize_every
        if optimize:
            kernel = self._kernel or (ConstantKernel(1.0, (1e-3, 1e3)) * Matern(length_scale=2.0, length_scale_bounds=(1e-2, 1e2), nu=2.5)
                                      + WhiteKernel(1e-2, (1e-6, 1e0)))
            gp = GaussianProcessRegressor(kernel, normalize_y=True, optimizer=_lbfgs, random_state=seed_from(self.rng))
            self._optimized_at = n
        else:
            gp = GaussianProcessRegressor(self._kernel, normalize_y=True, optimizer=None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence notes at the kernel bounds
            gp.fit(X, y)
        self._kernel = gp.kernel_
        return gp

    def _maximize_ei(self) -> Any:
        h = self._history
        candidates = candidate_pool(self.space, self.rng, h.top(self.num_parents), n_random=self.num_random,
                                    n_mutations=self.num_mutations, exclude=h.proposed)
        if not candidates:
            return None
        gp = self._fit(self._encode(h.archs), np.asarray(h.values))
        mean, std = gp.predict(self._encode(candidates), return_std=True)
        ei = expected_improvement(mean, std, h.best(), xi=self.xi)
        return candidates[int(np.argmax(ei))]

    def tell(self, proposal: Proposal, observation: Observation) -> None:
        self._history.add(proposal.arch, observation.value)
