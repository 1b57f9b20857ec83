"""SMAC-style Bayesian optimization: a random forest surrogate, EI, and local search on the acquisition."""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np

from nasbench_suite.strategies._acquisition import History, expected_improvement, seed_from
from nasbench_suite.strategies._encoding import vector_encoder
from nasbench_suite.strategies._forest import fit_forest, forest_mean_std
from nasbench_suite.strategies.base import Observation, Proposal, SearchContext, Strategy, require


class SMAC(Strategy):
    """Random-forest BO in the manner of SMAC (Hutter et al., 2011).

    The forest (scikit-learn, bootstrapped trees as in SMAC: ``min_samples_leaf``
    3, 5/6 of the features per split) gives a mean and a variance (spread of
    the trees' predictions) per architecture. EI is maximized by local search
    over the space's neighbourhoods started from the ``num_ls_starts`` best
    evaluated architectures, together with ``num_random`` random architectures
    sorted by EI. A fraction ``random_fraction`` of the proposals are plain
    random samples (SMAC's interleaved random configurations). One forest fit
    yields up to ``proposals_per_fit`` proposals (the best distinct EI
    maximizers, queued): scikit-learn's forest is far slower to fit than
    SMAC's C++ one, and refitting after every result would dominate a sweep.
    ``proposals_per_fit=1`` is SMAC's one-per-iteration loop.

    Parameters
    ----------
    num_init : int
        Random architectures before the first model.
    num_trees : int
        Trees in the forest.
    num_ls_starts, max_ls_steps, num_random : int
        Acquisition search: local-search starts, steps per start, random candidates.
    random_fraction : float
        Probability that a proposal is a random sample.
    proposals_per_fit : int
        Queued proposals per model fit.
    encoding : str
        The space's vector encoding fed to the forest.
    """

    name = "smac"
    own_numerics = True  # a model fit on the observations decides the proposals

    def __init__(
        self,
        context: SearchContext,
        *,
        seed: int | np.random.Generator,
        num_init: int = 10,
        num_trees: int = 10,
        num_ls_starts: int = 5,
        max_ls_steps: int = 10,
        num_random: int = 100,
        random_fraction: float = 0.2,
        proposals_per_fit: int = 5,
        encoding: str = "onehot",
    ) -> None:
        super().__init__(context, seed=seed)
        for label, v in (("num_init", num_init), ("num_trees", num_trees), ("num_ls_starts", num_ls_starts),
                         ("max_ls_steps", max_ls_steps), ("proposals_per_fit", proposals_per_fit)):
            require(int(v) >= 1, f"{label} must be >= 1, got {v!r}")
        require(int(num_random) >= 0, f"num_random must be >= 0, got {num_random!r}")
        require(0.0 <= float(random_fraction) <= 1.0, f"random_fraction must be in [0, 1], got {random_fraction!r}")
        self.num_init = int(num_init)
        self.num_trees = int(num_trees)
        self.num_ls_starts = int(num_ls_starts)
        self.max_ls_steps = int(max_ls_steps)
        self.num_random = int(num_random)
        self.random_fraction = float(random_fraction)
        self.proposals_per_fit = int(proposals_per_fit)
        self.encoding = encoding
        self._encode = vector_encoder(self.space, encoding, strategy=self.name)
        self._history = History()
        self._queue: deque[Any] = deque()
        self._asked = 0

    def ask(self) -> Proposal:
        self._asked += 1
        arch = None
        if self._asked > self.num_init and len(self._history) >= 2 and self.rng.random() >= self.random_fraction:
            while self._queue and arch is None:
                arch = self._queue.popleft()
                if arch in self._history.proposed:  # proposed meanwhile as a random sample
                    arch = None
            if arch is None:
                self._queue.extend(self._maximize_ei())
                arch = self._queue.popleft() if self._queue else None
        if arch is None:
            arch = self.space.sample(self.rng)
        self._history.proposed.add(arch)
        return Proposal(arch)

    def _forest(self) -> list[Any]:
        """The trees of scikit-learn's bootstrapped forest on the history (see :mod:`~nasbench_suite.strategies._forest`)."""
        h = self._history
        return fit_forest(self._encode(h.archs), np.asarray(h.values), n_trees=self.num_trees, random_state=seed_from(self.rng),
                          min_samples_split=3, min_samples_leaf=3, max_features=5 / 6)

    def _ei(self, forest: list[Any], archs: list[Any]) -> np.ndarray:
        mean, std = forest_mean_std(forest, self._encode(archs))
        return expected_improvement(mean, std, self._history.best())

    def _maximize_ei(self) -> list[Any]:
        """Up to ``proposals_per_fit`` unproposed architectures with the highest EI, best first."""
        h = self._history
        forest = self._forest()
        # local search from the best evaluated architectures, all starts advanced together
        current = h.top(self.num_ls_starts)
        current_ei = self._ei(forest, current)
        for _ in range(self.max_ls_steps):
            moved = False
            neighbourhoods = [self.space.neighbours(a) for a in current]
            flat = [n for nb in neighbourhoods for n in nb]
            if not flat:
                break
            ei = self._ei(forest, flat)
            pos = 0
            for i, nb in enumerate(neighbourhoods):
                if not nb:  # a listed table may hold no neighbour of this architecture
                    continue
                j = int(np.argmax(ei[pos : pos + len(nb)]))
                if ei[pos + j] > current_ei[i]:
                    current[i], current_ei[i] = nb[j], ei[pos + j]
                    moved = True
                pos += len(nb)
            if not moved:
                break
        pool = list(zip(current, current_ei))
        if self.num_random:
            randoms = [self.space.sample(self.rng) for _ in range(self.num_random)]
            pool += list(zip(randoms, self._ei(forest, randoms)))
        order = sorted(range(len(pool)), key=lambda i: -pool[i][1])  # stable: earlier first on ties
        chosen: list[Any] = []
        for i in order:
            arch = pool[i][0]
            if arch not in h.proposed and arch not in chosen:
                chosen.append(arch)
                if len(chosen) == self.proposals_per_fit:
                    break
        if not chosen:  # every candidate was proposed before: the best unproposed neighbour of a local optimum
            for arch in current:
                fresh = [n for n in self.space.neighbours(arch) if n not in h.proposed]
                if fresh:
                    return [fresh[int(np.argmax(self._ei(forest, fresh)))]]
        return chosen

    def tell(self, proposal: Proposal, observation: Observation) -> None:
        self._history.add(proposal.arch, observation.value)
