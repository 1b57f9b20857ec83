"""One-shot (weight-sharing) search as an ask/tell strategy.

On its first :meth:`~OneShotStrategy.ask` the strategy trains the supernet
of the space's bundle once (seeded from its Generator, see
:mod:`nasbench_suite.estimation.weight_sharing`) and proposes the derived
architecture. Later asks continue down the search's own ranking, one
architecture per isomorphism class: DARTS and GDAS by the architecture's
log-probability under the learned ``alpha`` (the sum over its edges of
``log_softmax(alpha)``), RS-WS by supernet validation accuracy; the strategy
raises :class:`SearchExhausted` when the ranking is used up. Evaluation
results are not used (one-shot methods do not learn from them).

On a listed table (a :class:`~nasbench_suite.spaces.table_space.TableSpace`:
the cells a sampled table holds, which cannot answer for others) RS-WS ranks
candidates drawn from the held cells; DARTS and GDAS, whose derived cell is
the argmax over the whole space, refuse at construction (a derived cell the
table lacks has no honest stand-in: the nearest held cell is another
network). They run on full tables and on surrogate benchmarks, which
evaluate any cell.

The search's measured cost is exposed as :attr:`OneShotStrategy.search_cost_seconds`
(wall seconds) and :attr:`OneShotStrategy.search_cpu_seconds`;
:meth:`OneShotStrategy.take_search_cost` hands the CPU seconds not yet charged
to the harness, which charges them on its clock before the first evaluation
(CPU time, like the tables' ``train_time``, so load from other processes
does not inflate it).

What the search decided is recorded (:meth:`OneShotStrategy.decisions`): the
method and search seed, the derived cell, a sha256 of the trained supernet's
weights, the final ``alpha`` (DARTS, GDAS) or every scored candidate with its
supernet accuracy and loss (RS-WS), and the proposals made from that ranking
in order (as the space's plugin records cells: official indices on NB201, strings
on DARTS). A replay (:meth:`OneShotStrategy.replay_decisions`)
proposes the recorded cells without training; a recompute trains afresh and
is judged by :meth:`OneShotStrategy.compare_decisions` (derived cell, rank
agreement of the scores; see :mod:`nasbench_suite.strategies._decisions`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np

from nasbench_suite.estimation.supernet_plugin import SupernetPlugin, get_supernet
from nasbench_suite.estimation.weight_sharing import WSConfig, WSResult, search
from nasbench_suite.strategies._decisions import MIN_RANK_AGREEMENT, DecisionCheck, ReplayError, derived_check, rank_agreement
from nasbench_suite.strategies.base import (
    Observation,
    OwnCompute,
    Proposal,
    SearchContext,
    SearchExhausted,
    Strategy,
    require,
    require_training_data,
)

__all__ = ["OneShotStrategy", "ranked_by_alphas"]


def ranked_by_alphas(alphas: np.ndarray, *, space: str = "nb201") -> Iterator[Any]:
    """``space``'s architectures, most probable first under ``alphas`` (the plugin's ranking; NB201: every cell)."""
    return get_supernet(space, who="ranking by alphas").ranked(alphas)


class OneShotStrategy(OwnCompute, Strategy):
    """Base of the one-shot strategies; subclasses set :attr:`method` and list their hyperparameters."""

    #: the :func:`~nasbench_suite.estimation.weight_sharing.search` method
    method: ClassVar[str]
    #: cheap hyperparameters for conformance checks (as scikit-learn's checks shorten ``max_iter``)
    check_params: ClassVar[dict[str, Any]] = {"epochs": 1, "steps_per_epoch": 1, "batch_size": 16, "channels": 4}

    def __init__(self, context: SearchContext, *, seed: int | np.random.Generator, **config: Any) -> None:
        super().__init__(context, seed=seed)
        from nasbench_suite.spaces.table_space import TableSpace

        who = f"{type(self).__name__} (one-shot search)"
        self.plugin: SupernetPlugin = get_supernet(self.space.name, who=who)
        self.config = WSConfig(**config)  # validates the values
        require_training_data(context, self.config.dataset, type(self).__name__)
        #: the held cells of a listed table (RS-WS draws its candidates there); None on a full space
        self._pool = self.space if isinstance(self.space, TableSpace) else None
        if self._pool is not None and self.method != "rsws":
            from nasbench_suite.spaces.bundle import UnsupportedCapabilityError

            raise UnsupportedCapabilityError(
                f"{who} derives its cell from the supernet's weights over the whole {self.space.name!r} space, but "
                f"this benchmark is a listed table of {len(self._pool.archs)} architectures, which cannot evaluate "
                f"a derived cell it does not hold: search a surrogate benchmark of the space or a full table, "
                f"or use ws-rsws, which ranks the table's own cells")
        for name, value in config.items():
            setattr(self, name, value)
        self.result: WSResult | None = None
        self.search_cost_seconds = 0.0
        self._order: Iterator[Any] | None = None
        self._seen: set[str] = set()
        self._search_seed: int | None = None
        self._proposed: list[int] = []
        self._exhausted = False
        self._replay: dict[str, Any] | None = None

    def _search(self) -> None:
        self._search_seed = int(self.rng.integers(2**31 - 1))
        if self._replay is not None:
            if self._replay.get("search_seed") != self._search_seed:
                raise ReplayError(f"{self.name}: the recorded decisions are of search seed {self._replay.get('search_seed')!r}, "
                                  f"this run's is {self._search_seed}")
            self._order = (self.plugin.from_record(i) for i in self._replay["proposals"])
            return
        cpu = time.process_time()
        self.result = search(self.method, seed=self._search_seed, config=self.config, space=self.space.name,
                             pool=self._pool)
        self.search_cpu_seconds = time.process_time() - cpu
        self.search_cost_seconds = self.result.seconds
        if self.result.alphas is not None:
            self._order = self.plugin.ranked(self.result.alphas)
        else:
            self._order = (self.space.parse(a) for a, _, _ in self.result.ranking)

    def ask(self) -> Proposal:
        if self._order is None:
            self._search()
        for arch in self._order:  # type: ignore[union-attr]
            key = arch.canonical_key()
            if key not in self._seen:
                self._seen.add(key)
                self._proposed.append(self.plugin.record(arch))
                return Proposal(arch)
        if self._replay is not None and not self._replay.get("exhausted"):
            raise ReplayError(f"{self.name}: the run asks for more than the {len(self._proposed)} recorded proposals")
        self._exhausted = True
        raise SearchExhausted(f"{self.name}: every architecture of the one-shot ranking has been proposed")

    def decisions(self) -> dict[str, Any] | None:
        """What the search decided and what was proposed from it (``None`` before the first ask)."""
        if self._replay is not None:
            return {**self._replay, "proposals": list(self._proposed), "exhausted": self._exhausted}
        if self.result is None:
            return None
        out: dict[str, Any] = {
            "kind": "one-shot",
            "method": self.method,
            "search_seed": self._search_seed,
            "derived": self.result.arch.to_string(),
            "supernet_sha256": self.result.weights_sha256,
        }
        if self.result.alphas is not None:
            out["alphas"] = np.asarray(self.result.alphas, dtype=np.float64).tolist()
        else:
            parse = self.space.parse
            out["scores"] = [[self.plugin.record(parse(a)), acc, loss] for a, acc, loss in self.result.ranking]
        out["proposals"] = list(self._proposed)
        out["exhausted"] = self._exhausted
        return out

    def replay_decisions(self, decisions: dict[str, Any]) -> None:
        """Propose the recorded cells in the recorded order, without training (see the module docstring)."""
        if not isinstance(decisions, dict) or decisions.get("kind") != "one-shot" or decisions.get("method") != self.method:
            raise ReplayError(f"{self.name}: expected recorded one-shot decisions of method {self.method!r}, "
                              f"got {str(decisions)[:120]!r}")
        if not isinstance(decisions.get("proposals"), list) or not isinstance(decisions.get("search_seed"), int):
            raise ReplayError(f"{self.name}: recorded decisions lack 'proposals' (a list) or 'search_seed' (an int)")
        if self._order is not None:
            raise ReplayError(f"{self.name}: decisions must be replayed before the first ask")
        self._replay = dict(decisions)

    def recompute_decisions(self) -> dict[str, Any]:
        """Train the supernet afresh with this run's search seed; the decisions without proposals, with the space."""
        self._replay = None
        self._search()
        out = self.decisions()
        assert out is not None
        out.pop("proposals")
        out.pop("exhausted")
        out["space"] = self.space.name
        return out

    @classmethod
    def compare_decisions(cls, recorded: dict[str, Any], recomputed: dict[str, Any], *,
                          test_of: Any = None) -> DecisionCheck:
        """Derived cell (same network, or test metric within tolerance) and rank agreement of the scores.

        The space is the recomputed decisions' ``space`` (records made before
        other spaces had supernets are of nb201).
        """
        from nasbench_suite.spaces import get_space

        space = str(recomputed.get("space") or recorded.get("space") or "nb201")
        parse = get_space(space).parse
        plugin = get_supernet(space, who=f"{cls.__name__} (comparing decisions)")

        def same(a: str, b: str) -> bool:
            return parse(a).canonical_key() == parse(b).canonical_key()

        details = []
        ok, text = derived_check(recorded["derived"], recomputed["derived"], same_network=same, test_of=test_of)
        details.append(text)
        if "alphas" in recorded and "alphas" in recomputed:
            cells = [plugin.from_record(i) for i in (recorded.get("proposals") or [])[:1000]]
            if len(cells) >= 2:
                rho = rank_agreement(plugin.log_probs(recorded["alphas"], cells), plugin.log_probs(recomputed["alphas"], cells))
                label = f"ranking of the {len(cells)} proposed cells"
            else:
                rho, label = 1.0, "ranking"
        else:
            mine = {_key(i): acc for i, acc, _ in recorded.get("scores") or []}
            theirs = {_key(i): acc for i, acc, _ in recomputed.get("scores") or []}
            common = sorted(set(mine) & set(theirs))
            if len(common) != len(mine):
                return DecisionCheck(False, (*details, f"scored {len(theirs)} candidates, {len(common)} of the recorded {len(mine)}"))
            rho = rank_agreement([mine[i] for i in common], [theirs[i] for i in common])
            label = f"supernet accuracy of the {len(common)} candidates"
        rank_ok = rho >= MIN_RANK_AGREEMENT
        details.append(f"{label}: Spearman {rho:.4f} (needs >= {MIN_RANK_AGREEMENT:g})")
        same_weights = recorded.get("supernet_sha256") == recomputed.get("supernet_sha256")
        details.append("supernet weights: " + ("bit-identical" if same_weights else "differ in their bits"))
        return DecisionCheck(ok and rank_ok, tuple(details))

    def tell(self, proposal: Proposal, observation: Observation) -> None:
        """One-shot search does not learn from evaluations."""

    @property
    def derived(self) -> Any | None:
        """The architecture the one-shot search derived (``None`` before the first ask)."""
        return None if self.result is None else self.result.arch



def _key(value: Any) -> Any:
    """A recorded cell as a dict key (an index as an int, a string as itself)."""
    return value if isinstance(value, str) else int(value)
