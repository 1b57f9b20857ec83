"""MOBSTER-style model-based asynchronous successive halving (after Klein et al., "Model-based Asynchronous
Hyperparameter and Neural Architecture Search", 2020, and Syne Tune's ``MOBSTER``).

ASHA schedules (stopping or promotion rule, :mod:`nasbench_suite.strategies._asha`); what is new is where a
new trial's architecture comes from: a Gaussian process of the results at one rung, maximising expected
improvement over that rung's best. As in Syne Tune's per-rung ("independent") model, each rung has its own
GP over the space's vector encoding, with its own kernel hyperparameters; the rung modelled is the highest
that holds at least ``min_points`` measured results, so the model moves up the rungs as the search does.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from nasbench_suite.strategies._acquisition import candidate_pool, expected_improvement, seed_from
from nasbench_suite.strategies._asha import STOPPING, VARIANTS, AsyncSuccessiveHalving
from nasbench_suite.strategies._encoding import vector_encoder
from nasbench_suite.strategies._gp import IncrementalGP, fit_gp
from nasbench_suite.strategies.base import SearchContext, require


class _Rung:
    """The measured results at one fidelity (in arrival order) and the GP kernel fitted to them."""

    def __init__(self) -> None:
        self.archs: list[Any] = []
        self.values: list[float] = []
        self.kernel: Any = None  # the last fitted kernel (None: never fitted)
        self.optimized_at = 0  # results held when its hyperparameters were last optimized

    def top(self, k: int) -> list[Any]:
        """The ``k`` best architectures, best first (earlier first on ties)."""
        order = np.argsort(-np.asarray(self.values), kind="stable")[:k]
        return [self.archs[i] for i in order]


class MOBSTER(AsyncSuccessiveHalving):
    """Asynchronous successive halving whose new architectures maximise a per-rung GP's expected improvement.

    Rungs, stopping and promotion as in :class:`~nasbench_suite.strategies.asha.ASHA` (``variant``
    chooses the rule, as in ``async-hb``). Each rung keeps its own GP (constant x Matern-5/2 + white
    noise on the space's vector encoding, normalised targets; scikit-learn's regressor) of the results
    measured there. The first ``num_init`` new architectures are random, as is every one until some rung
    holds ``min_points`` measured results. Afterwards a new architecture is proposed at the highest rung
    with that many: its GP (fitted to the latest ``max_points`` results there, hyperparameters
    re-optimized every ``optimize_every`` new results and kept fixed in between) scores ``num_random``
    random architectures and ``num_mutations`` mutants (one or two edits) of that rung's
    ``num_parents`` best by expected improvement over the rung's best result, and the highest-scoring
    one not proposed before is taken. While that rung's data are unchanged the scored candidates are
    reused, next best first, so workers asking at once get distinct architectures without a refit.
    Unlike Syne Tune's MOBSTER there is no joint model over fidelities and pending evaluations are not
    fantasised. With a single fidelity it is GP-based BO started at random.

    Parameters
    ----------
    eta : float
        Reduction factor (> 1).
    min_fidelity, max_fidelity : int, optional
        Lowest and highest epoch to use (default: the benchmark's lowest and full budget).
    variant : {"stopping", "promotion"}
        How trials move up the rungs.
    num_init : int
        New architectures drawn at random before the model proposes (>= 0).
    min_points : int
        Fewest measured results a rung needs before its GP proposes (>= 2).
    num_random, num_mutations, num_parents : int
        Candidates scored per fit: random ones, mutants, and how many of the rung's best are mutated.
    optimize_every : int
        New results at a rung between re-optimizations of its kernel's hyperparameters (>= 1).
    max_points : int
        Most results of a rung the GP is fitted to (the latest; >= ``min_points``).
    xi : float
        EI's exploration margin (>= 0).
    encoding : str
        The space's vector encoding (``"onehot"`` or ``"path"``, as the space offers).
    """

    name = "mobster"
    own_numerics = True  # a GP fitted to the observations decides the proposals
    #: cheap hyperparameters for conformance checks (smaller candidate pools)
    check_params: ClassVar[dict[str, Any]] = {"num_random": 20, "num_mutations": 20}

    def __init__(self, context: SearchContext, *, seed: int | np.random.Generator, eta: float = 3.0,
                 min_fidelity: int | None = None, max_fidelity: int | None = None, variant: str = STOPPING,
                 num_init: int = 10, min_points: int = 10, num_random: int = 100, num_mutations: int = 50,
                 num_parents: int = 10, optimize_every: int = 20, max_points: int = 200, xi: float = 0.0,
                 encoding: str = "onehot") -> None:
        require(variant in VARIANTS, f"variant must be one of {VARIANTS}, got {variant!r}")
        self.variant = variant
        super().__init__(context, seed=seed, eta=eta, min_fidelity=min_fidelity, max_fidelity=max_fidelity)

        def count(label: str, v: Any, low: int) -> int:
            require(not isinstance(v, bool) and isinstance(v, int) and v >= low,
                    f"{label} must be an int >= {low}, got {v!r}")
            return v

        self.num_init = count("num_init", num_init, 0)
        self.min_points = count("min_points", min_points, 2)
        self.num_random = count("num_random", num_random, 0)
        self.num_mutations = count("num_mutations", num_mutations, 0)
        require(num_random + num_mutations >= 1,
                f"num_random + num_mutations must be >= 1, got {num_random} + {num_mutations}")
        self.num_parents = count("num_parents", num_parents, 1)
        self.optimize_every = count("optimize_every", optimize_every, 1)
        self.max_points = count("max_points", max_points, 2)
        require(max_points >= min_points, f"max_points ({max_points}) must be >= min_points ({min_points})")
        require(not isinstance(xi, bool) and isinstance(xi, (int, float)) and math.isfinite(xi) and xi >= 0,
                f"xi must be a finite number >= 0, got {xi!r}")
        self.xi = xi
        self.encoding = encoding
        self._encode = vector_encoder(self.space, encoding, strategy=self.name)
        self._rungs: dict[int, _Rung] = {}  # epoch -> its measured results
        self._proposed: set[Any] = set()  # membership only: never iterated (hash order is not stable)
        self._started = 0
        self._scored: tuple[int, int] | None = None  # (epoch, results) the ranked candidates were scored with
        self._ranked: list[Any] = []  # scored candidates, the highest EI last

    # ------------------------------------------------------------- hooks of the ASHA core
    def observe(self, arch: Any, epoch: int, value: float) -> None:
        if not math.isnan(value):
            rung = self._rungs.setdefault(epoch, _Rung())
            rung.archs.append(arch)
            rung.values.append(float(value))

    def sample(self, bracket: int) -> Any:
        self._started += 1
        arch = self._propose() if self._started > self.num_init else None
        if arch is None:
            arch = self.space.sample(self.rng)
        self._proposed.add(arch)
        return arch

    # ------------------------------------------------------------- the model
    def _modelled(self) -> int | None:
        """The highest epoch holding at least ``min_points`` measured results (None: none yet)."""
        return max((e for e, r in self._rungs.items() if len(r.values) >= self.min_points), default=None)

    def _propose(self) -> Any:
        epoch = self._modelled()
        if epoch is None:
            return None
        key = (epoch, len(self._rungs[epoch].values))
        if key != self._scored:
            self._ranked = self._score(epoch)
            self._scored = key
        while self._ranked:
            arch = self._ranked.pop()
            if arch not in self._proposed:
                return arch
        return None

    def _score(self, epoch: int) -> list[Any]:
        """Candidates for the rung at ``epoch``, ordered by its GP's expected improvement (the best last)."""
        rung = self._rungs[epoch]
        candidates = candidate_pool(self.space, self.rng, rung.top(self.num_parents), n_random=self.num_random,
                                    n_mutations=self.num_mutations, exclude=self._proposed)
        if not candidates:
            return []
        n = len(rung.values)
        optimize = rung.kernel is None or n - rung.optimized_at >= self.optimize_every
        X = self._encode(rung.archs[-self.max_points:])
        y = np.asarray(rung.values[-self.max_points:])
        if optimize:
            rung.kernel = fit_gp(X, y, rung.kernel, optimize=True, random_state=seed_from(self.rng)).kernel_
            rung.optimized_at = n
        # the posterior of the fitted kernel (scikit-learn's regressor's, without its per-fit overhead)
        mean, std = IncrementalGP(rung.kernel).extend(X, y).predict(self._encode(candidates))
        ei = expected_improvement(mean, std, max(rung.values), xi=float(self.xi))
        order = np.argsort(-ei, kind="stable")  # the highest EI first, the earlier candidate first among equals
        return [candidates[i] for i in order[::-1]]
