"""ParEGO (Knowles, IEEE TEC 2006): a random scalarisation per proposal, maximised over a Gaussian-process model."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from nasbench_suite.strategies._acquisition import candidate_pool, expected_improvement, seed_from
from nasbench_suite.strategies._encoding import vector_encoder
from nasbench_suite.strategies._pareto import chebyshev, measured, minimised, n_objectives, normalised
from nasbench_suite.strategies.base import Observation, Proposal, SearchContext, Strategy, require
from nasbench_suite.strategies._gp import fit_gp


class ParEGO(Strategy):
    """Random augmented-Chebyshev scalarisations of the objectives, each optimised by GP expected improvement.

    After ``num_init`` random architectures, each proposal draws a weight
    vector uniformly from the simplex, scales every observed objective to
    [0, 1] by its observed range, scalarises with ``max(w * f) + rho *
    sum(w * f)``, fits a GP (scikit-learn; constant x Matern-5/2 + white
    noise, normalised targets, kernel re-optimised every ``optimize_every``
    results) on the space's vector encoding, and proposes the candidate with
    the highest expected improvement of the scalarisation among
    ``num_random`` random architectures and ``num_mutations`` mutants of the
    ``num_parents`` best under that weight, never a network already proposed.
    Objectives that were not measured leave the row out of the model's data.

    Parameters
    ----------
    num_init, num_random, num_mutations, num_parents, optimize_every : int
        See above.
    rho : float
        Weight of the augmentation term (Knowles' 0.05).
    encoding : str
        The space's vector encoding (``"onehot"`` or ``"path"``).
    """

    name = "parego"
    multi_objective: ClassVar[bool] = True
    check_params: ClassVar[dict[str, Any]] = {"num_random": 30, "num_mutations": 30}
    own_numerics = True  # a model fit on the observations decides the proposals

    def __init__(self, context: SearchContext, *, seed: int | np.random.Generator, num_init: int = 10,
                 num_random: int = 100, num_mutations: int = 100, num_parents: int = 10, optimize_every: int = 20,
                 rho: float = 0.05, encoding: str = "onehot") -> None:
        super().__init__(context, seed=seed)
        for label, v in (("num_init", num_init), ("num_parents", num_parents), ("optimize_every", optimize_every)):
            require(int(v) >= 1, f"{label} must be >= 1, got {v!r}")
        require(int(num_random) + int(num_mutations) >= 1, "num_random + num_mutations must be >= 1")
        require(float(rho) >= 0, f"rho must be >= 0, got {rho!r}")
        self.num_init = int(num_init)
        self.num_random = int(num_random)
        self.num_mutations = int(num_mutations)
        self.num_parents = int(num_parents)
        self.optimize_every = int(optimize_every)
        self.rho = float(rho)
        self.encoding = encoding
        self._encode = vector_encoder(self.space, encoding, strategy=self.name)
        self._archs: list[Any] = []
        self._vectors: list[tuple[float, ...]] = []
        self._proposed: set[Any] = set()  # membership only
        self._keys: set[str] = set()
        self._asked = 0
        self._kernel: Any = None
        self._optimized_at = 0

    def ask(self) -> Proposal:
        self._asked += 1
        arch = None
        if self._asked > self.num_init:
            arch = self._maximise()
        if arch is None:
            arch = self.space.sample(self.rng)
        self._proposed.add(arch)
        self._keys.add(arch.canonical_key())
        return Proposal(arch)

    def _fit(self, X: np.ndarray, y: np.ndarray) -> Any:
        n = len(y)
        optimize = self._kernel is None or n - self._optimized_at >= self.optimize_every
        gp = fit_gp(X, y, self._kernel, optimize=optimize, random_state=seed_from(self.rng) if optimize else None)
        if optimize:
            self._optimized_at = n
        self._kernel = gp.kernel_
        return gp

    def _maximise(self) -> Any:
        F = np.asarray(self._vectors, dtype=float).reshape(len(self._vectors), n_objectives(self.context))
        ok = measured(F)
        if ok.sum() < 2:
            return None
        weights = self.rng.dirichlet(np.ones(F.shape[1]))
        score = -chebyshev(normalised(F[ok]), weights, rho=self.rho)  # maximised
        archs = [a for a, good in zip(self._archs, ok) if good]
        parents = [archs[i] for i in np.argsort(-score, kind="stable")[: self.num_parents]]
        pool = candidate_pool(self.space, self.rng, parents, n_random=self.num_random, n_mutations=self.num_mutations,
                              exclude=self._proposed)
        pool = [a for a in pool if a.canonical_key() not in self._keys]
        if not pool:
            return None
        gp = self._fit(self._encode(archs), score)
        mean, std = gp.predict(self._encode(pool), return_std=True)
        return pool[int(np.argmax(expected_improvement(mean, std, float(score.max()))))]

    def tell(self, proposal: Proposal, observation: Observation) -> None:
        self._archs.append(proposal.arch)
        self._vectors.append(minimised(self.context, observation))
