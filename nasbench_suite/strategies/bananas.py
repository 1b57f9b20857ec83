"""BANANAS: Bayesian optimization with an ensemble of neural predictors (White et al., AAAI 2021)."""

from __future__ import annotations

from collections import deque
from typing import Any, ClassVar

import numpy as np

from nasbench_suite.strategies._acquisition import History, candidate_pool, seed_from
from nasbench_suite.strategies._encoding import resolve_encoding, vector_encoder
from nasbench_suite.strategies._ensemble import MLPEnsemble
from nasbench_suite.strategies.base import Observation, Proposal, SearchContext, Strategy, require

ACQUISITIONS = ("its", "ucb")
#: how the ensemble follows new results: ``warm`` continues training it; ``refit`` trains a fresh one
UPDATES = ("warm", "refit")


class Bananas(Strategy):
    """Neural-ensemble BO on the path encoding with mutation-based acquisition search.

    After ``num_init`` random architectures, each iteration trains an ensemble
    of ``num_ensemble`` MLPs on every finished evaluation (path encoding of
    the space), builds ``num_candidates`` new architectures by mutating the
    ``num_parents`` best ones (one or two edits), scores them with the
    acquisition and queues the ``batch_size`` best for evaluation (the paper's
    k architectures per iteration). Acquisitions: ``"its"`` -- independent
    Thompson sampling, one draw per candidate from ``N(mean, std)`` of the
    ensemble; ``"ucb"`` -- ``mean + ucb_beta * std``.

    Parameters
    ----------
    num_init, batch_size, num_ensemble, num_candidates, num_parents : int
        See above.
    acquisition : {"its", "ucb"}
    ucb_beta : float
        Exploration weight of UCB.
    encoding : str, optional
        The space's vector encoding fed to the predictor (``"path"``, ``"onehot"``, ...). Default: the
        path encoding where the space defines one, else its flat encoding (one-hot); the resolved
        name is what :meth:`params` reports.
    hidden : list of int
        Hidden layer widths of each MLP.
    train_steps : int
        Full-batch Adam steps of a fit from a random initialization.
    update : {"warm", "refit"}
        ``"warm"`` (the default): the first fit starts from a random initialization; each later one continues
        from the previous weights for ``warm_steps`` steps on all results (a fresh Adam state), so a
        1,000-evaluation run takes seconds. ``"refit"``: every fit starts afresh (``train_steps`` steps; how runs
        recorded without an ``update`` parameter were made).
    warm_steps : int
        Adam steps of a warm-started fit.
    warm_batch : int or None
        Rows of the results each warm-started step trains on, drawn afresh per step (default 256), so a
        step's cost stops growing with the data; ``None``: every step uses all results (how runs recorded
        with ``update="warm"`` and without this parameter were made).
    """

    name = "bananas"
    #: cheap hyperparameters for conformance checks (a small, briefly trained ensemble)
    check_params: ClassVar[dict[str, Any]] = {"num_ensemble": 2, "train_steps": 30}
    #: parameters added after runs were published, with the value those runs used
    absent_params: ClassVar[dict[str, Any]] = {"update": "refit", "warm_batch": None}
    own_numerics = True  # a model fit on the observations decides the proposals

    def __init__(
        self,
        context: SearchContext,
        *,
        seed: int | np.random.Generator,
        num_init: int = 10,
        batch_size: int = 10,
        num_ensemble: int = 5,
        num_candidates: int = 100,
        num_parents: int = 10,
        acquisition: str = "its",
        ucb_beta: float = 0.5,
        encoding: str | None = None,
        hidden: list[int] | tuple[int, ...] = (32, 32),
        train_steps: int = 100,
        update: str = "warm",
        warm_steps: int = 20,
        warm_batch: int | None = 256,
    ) -> None:
        super().__init__(context, seed=seed)
        require(acquisition in ACQUISITIONS, f"acquisition must be one of {ACQUISITIONS}, got {acquisition!r}")
        require(update in UPDATES, f"update must be one of {UPDATES}, got {update!r}")
        for label, v in (("num_init", num_init), ("batch_size", batch_size), ("num_ensemble", num_ensemble),
                         ("num_candidates", num_candidates), ("num_parents", num_parents), ("train_steps", train_steps),
                         ("warm_steps", warm_steps)):
            require(int(v) >= 1, f"{label} must be >= 1, got {v!r}")
        require(warm_batch is None or int(warm_batch) >= 1, f"warm_batch must be >= 1 or None, got {warm_batch!r}")
        self.num_init = int(num_init)
        self.batch_size = int(batch_size)
        self.num_ensemble = int(num_ensemble)
        self.num_candidates = int(num_candidates)
        self.num_parents = int(num_parents)
        self.acquisition = acquisition
        self.ucb_beta = float(ucb_beta)
        self.encoding = resolve_encoding(self.space, encoding, strategy=self.name)
        self.hidden = [int(h) for h in hidden]
        self.train_steps = int(train_steps)
        self.update = update
        self.warm_steps = int(warm_steps)
        self.warm_batch = None if warm_batch is None else int(warm_batch)
        self._model: MLPEnsemble | None = None
        self._encode = vector_encoder(self.space, self.encoding, strategy=self.name)
        self._history = History()
        self._queue: deque[Any] = deque()
        self._asked = 0

    def ask(self) -> Proposal:
        self._asked += 1
        if self._asked > self.num_init and not self._queue and len(self._history) >= 2:
            self._refill()
        arch = self._queue.popleft() if self._queue else self.space.sample(self.rng)
        self._history.proposed.add(arch)
        return Proposal(arch)

    def _refill(self) -> None:
        h = self._history
        candidates = candidate_pool(self.space, self.rng, h.top(self.num_parents), n_random=0,
                                    n_mutations=self.num_candidates, exclude=h.proposed)
        if not candidates:
            return
        X, y = self._encode(h.archs), np.asarray(h.values)
        if self.update == "refit" or self._model is None:
            model = MLPEnsemble(members=self.num_ensemble, hidden=tuple(self.hidden), steps=self.train_steps,
                                seed=seed_from(self.rng)).fit(X, y)
        else:
            batch = self.warm_batch
            model = self._model.partial_fit(X, y, steps=self.warm_steps, batch=batch,
                                            seed=seed_from(self.rng) if batch is not None and batch < len(y) else 0)
        if self.update == "warm":
            self._model = model
        preds = model.predict(self._encode(candidates))
        mean, std = preds.mean(axis=0), preds.std(axis=0)
        if self.acquisition == "its":
            score = self.rng.normal(mean, np.maximum(std, 1e-12))
        else:
            score = mean + self.ucb_beta * std
        order = np.argsort(-score, kind="stable")[: self.batch_size]
        self._queue.extend(candidates[i] for i in order)

    def tell(self, proposal: Proposal, observation: Observation) -> None:
        self._history.add(proposal.arch, observation.value)
