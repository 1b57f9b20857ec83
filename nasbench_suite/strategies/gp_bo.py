"""Gaussian-process Bayesian optimization with expected improvement on a one-hot encoding."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from nasbench_suite.strategies._acquisition import History, best_index, candidate_pool, expected_improvement, seed_from
from nasbench_suite.strategies._encoding import vector_encoder
from nasbench_suite.strategies._gp import IncrementalGP, fit_gp
from nasbench_suite.strategies.base import Observation, Proposal, SearchContext, Strategy, require

#: how the GP follows new results: ``incremental`` extends its Cholesky factor; ``refit`` refits it in full
UPDATES = ("incremental", "refit")
#: fresh (random, mutated) candidates per proposal unless given: a refit scores a new pool every time; the
#: incremental model keeps a pool of ``pool_size`` and adds these to it
FRESH_CANDIDATES = {"refit": (100, 100), "incremental": (5, 15)}


class GaussianProcessBO(Strategy):
    """GP regression (scikit-learn) + expected improvement, maximized over random and mutated candidates.

    After ``num_init`` random architectures, each proposal fits a GP
    (constant x Matern-5/2 + white noise, normalized targets) to every finished
    evaluation's encoding and proposes the candidate with the highest EI among
    ``num_random`` random architectures and ``num_mutations`` mutants (one or
    two edits) of the ``num_parents`` best so far, never one already proposed.
    Kernel hyperparameters are re-optimized (marginal likelihood, L-BFGS-B
    warm-started from the last optimum, at most 50 iterations) every
    ``optimize_every`` new results and kept fixed in between.

    With ``update="incremental"`` (the default) the posterior follows each
    result by one more row of its Cholesky factor
    (:class:`~nasbench_suite.strategies._gp.IncrementalGP`, ``O(n^2)``), the
    candidates form a pool that persists across proposals (each proposal adds
    ``num_random`` random and ``num_mutations`` mutated ones and proposes the
    pool's highest EI; the oldest leave beyond ``pool_size``), whose posterior
    is kept up to date in ``O(n)`` per candidate, and the marginal likelihood
    is optimized on at most ``max_opt_points`` finished evaluations drawn at
    random -- beyond that many, once per quarter of growth of the data at most.
    A 1,000-evaluation run takes seconds. With ``update="refit"`` every
    proposal refits scikit-learn's regressor on all results and scores a
    fresh pool (``O(n^3)`` per proposal; how runs recorded without an
    ``update`` parameter were made).

    Parameters
    ----------
    num_init, num_random, num_mutations, num_parents, optimize_every : int
        See above; ``num_random`` and ``num_mutations`` default to 100 each with
        ``update="refit"``, to 5 and 15 with ``update="incremental"``.
    update : {"incremental", "refit"}
        How the model follows new results (see above).
    max_opt_points, pool_size : int
        Evaluations the hyperparameter optimization uses at most (default 100); candidates kept (default
        500; ``update="incremental"``). Every parameter is recorded with its value, so runs made with
        other defaults replay with theirs.
    xi : float
        EI's exploration margin.
    encoding : str
        The space's vector encoding (``"onehot"`` or ``"path"``).
    """

    name = "gp-bo"
    #: cheap hyperparameters for conformance checks (smaller candidate pools)
    check_params: ClassVar[dict[str, Any]] = {"num_random": 30, "num_mutations": 30}
    #: parameters added after runs were published, with the value those runs used
    absent_params: ClassVar[dict[str, Any]] = {"update": "refit"}
    own_numerics = True  # a model fit on the observations decides the proposals

    def __init__(
        self,
        context: SearchContext,
        *,
        seed: int | np.random.Generator,
        num_init: int = 10,
        num_random: int | None = None,
        num_mutations: int | None = None,
        num_parents: int = 10,
        optimize_every: int = 20,
        xi: float = 0.0,
        encoding: str = "onehot",
        update: str = "incremental",
        max_opt_points: int = 100,
        pool_size: int = 500,
    ) -> None:
        super().__init__(context, seed=seed)
        require(update in UPDATES, f"update must be one of {UPDATES}, got {update!r}")
        fresh = FRESH_CANDIDATES[update]
        num_random = fresh[0] if num_random is None else num_random
        num_mutations = fresh[1] if num_mutations is None else num_mutations
        for label, v in (("num_init", num_init), ("num_parents", num_parents), ("optimize_every", optimize_every),
                         ("max_opt_points", max_opt_points), ("pool_size", pool_size)):
            require(int(v) >= 1, f"{label} must be >= 1, got {v!r}")
        require(int(num_random) + int(num_mutations) >= 1, "num_random + num_mutations must be >= 1")
        self.num_init = int(num_init)
        self.num_random = int(num_random)
        self.num_mutations = int(num_mutations)
        self.num_parents = int(num_parents)
        self.optimize_every = int(optimize_every)
        self.xi = float(xi)
        self.encoding = encoding
        self.update = update
        self.max_opt_points = int(max_opt_points)
        self.pool_size = int(pool_size)
        self._encode = vector_encoder(self.space, encoding, strategy=self.name)
        self._history = History()
        self._asked = 0
        self._kernel: Any = None
        self._optimized_at = 0
        self._gp: IncrementalGP | None = None
        self._pool: list[Any] = []  # candidates tracked by the incremental GP (living and dead), oldest first
        self._alive = np.zeros(0, dtype=bool)  # per pool entry: still a candidate
        self._pooled: dict[Any, int] = {}  # living candidate -> its pool index
        self._oldest = 0  # index of the oldest living candidate

    def ask(self) -> Proposal:
        self._asked += 1
        arch = None
        if self._asked > self.num_init and len(self._history) >= 2:
            arch = self._maximize_ei() if self.update == "refit" else self._propose_from_pool()
        if arch is None:
            arch = self.space.sample(self.rng)
        self._history.proposed.add(arch)
        return Proposal(arch)

    def _fit(self, X: np.ndarray, y: np.ndarray, *, optimize: bool | None = None) -> Any:
        """scikit-learn's regressor fitted to ``(X, y)``; ``optimize`` (default: on schedule) re-optimizes the kernel."""
        n = len(self._history)
        if optimize is None:
            optimize = self._kernel is None or n - self._optimized_at >= self.optimize_every
        gp = fit_gp(X, y, self._kernel, optimize=optimize, random_state=seed_from(self.rng) if optimize else None)
        if optimize:
            self._optimized_at = n
        self._kernel = gp.kernel_
        return gp

    def _posterior(self) -> IncrementalGP:
        """The incremental posterior brought up to date with the history (hyperparameters re-optimized on schedule)."""
        h = self._history
        n = len(h)
        last = self._optimized_at
        if self._gp is not None and n - last < max(self.optimize_every, last // 4 if last > self.max_opt_points else 0):
            done = len(self._gp)
            return self._gp.extend(self._encode(h.archs[done:]), h.values[done:])
        self._compact()
        X, y = self._encode(h.archs), np.asarray(h.values)
        idx = np.arange(n)
        if n > self.max_opt_points:
            idx = np.sort(self.rng.choice(n, size=self.max_opt_points, replace=False))
        self._fit(X[idx], y[idx], optimize=True)
        gp = IncrementalGP(self._kernel).extend(X, y)
        if self._gp is not None:
            gp.track(self._gp.tracked)
        self._gp = gp
        return gp

    def _propose_from_pool(self) -> Any:
        """The highest-EI candidate of the pool after adding this proposal's fresh ones; it leaves the pool.

        Candidates that leave (proposed, or the oldest beyond ``pool_size``) are marked dead and dropped from
        the GP's tracked points only when they are the majority, so that a proposal copies no ``O(n m)`` array.
        """
        h = self._history
        gp = self._posterior()
        fresh = candidate_pool(self.space, self.rng, h.top(self.num_parents), n_random=self.num_random,
                               n_mutations=self.num_mutations, exclude=h.proposed)
        fresh = [a for a in fresh if a not in self._pooled]
        if fresh:
            gp.track(self._encode(fresh))
            for arch in fresh:
                self._pooled[arch] = len(self._pool)
                self._pool.append(arch)
            self._alive = np.concatenate([self._alive, np.ones(len(fresh), dtype=bool)])
        while len(self._pooled) > self.pool_size:  # the oldest living candidates leave
            self._leave(self._pool[self._oldest])
        if not self._pooled:
            return None
        mean, std = gp.predict_tracked()
        ei = np.where(self._alive, expected_improvement(mean, std, h.best(), xi=self.xi), -np.inf)
        arch = self._pool[best_index(ei)]
        self._leave(arch)
        if 2 * len(self._pooled) < len(self._pool):
            self._compact()
        return arch

    def _compact(self) -> None:
        """Drop the dead candidates from the pool and the GP's tracked points."""
        if self._gp is not None and len(self._pooled) < len(self._pool):
            self._gp.keep(self._alive)
            self._pool = [a for a, alive in zip(self._pool, self._alive) if alive]
            self._pooled = {a: i for i, a in enumerate(self._pool)}
            self._alive = np.ones(len(self._pool), dtype=bool)
            self._oldest = 0

    def _leave(self, arch: Any) -> None:
        """Mark a pool member dead (it is proposed, or the oldest beyond the pool's size)."""
        self._alive[self._pooled.pop(arch)] = False
        while self._oldest < len(self._pool) and not self._alive[self._oldest]:
            self._oldest += 1

    def _maximize_ei(self) -> Any:
        h = self._history
        candidates = candidate_pool(self.space, self.rng, h.top(self.num_parents), n_random=self.num_random,
                                    n_mutations=self.num_mutations, exclude=h.proposed)
        if not candidates:
            return None
        gp = self._fit(self._encode(h.archs), np.asarray(h.values))
        mean, std = gp.predict(self._encode(candidates), return_std=True)
        ei = expected_improvement(mean, std, h.best(), xi=self.xi)
        return candidates[best_index(ei)]

    def tell(self, proposal: Proposal, observation: Observation) -> None:
        self._history.add(proposal.arch, observation.value)
