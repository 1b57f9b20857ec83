"""Regularized evolution warm-started with the top zero-cost-proxy architectures."""

from __future__ import annotations

import math
import time
from functools import cache
from typing import Any, ClassVar

import numpy as np

from nasbench_suite.spaces.bundle import UnsupportedCapabilityError
from nasbench_suite.strategies._decisions import MIN_RANK_AGREEMENT, DecisionCheck, ReplayError, rank_agreement
from nasbench_suite.strategies.base import OwnCompute, Proposal, SearchContext, require, require_training_data
from nasbench_suite.strategies.evolution import RegularizedEvolution


@cache
def _stored_scores(scores: str, proxy: str, dataset: str | None = None) -> tuple[tuple[str, ...], np.ndarray, float]:
    """(architecture strings, proxy values, CPU seconds the column took) of ``zc/<proxy>`` in a store file or benchmark.

    The column is read from the one dataset that holds it, or from ``dataset``
    (the searched one) where several do.

    The seconds are the sweep's recorded ``proxy_seconds_summed`` for that
    proxy (0 where the file does not record them, e.g. imported scores).
    """
    from nasbench_suite.catalog import resolve
    from nasbench_suite.errors import UnknownNameError

    bench = resolve(scores)
    key = f"zc/{proxy}"
    holders = [ds for ds in bench.datasets if key in bench.columns(ds)]
    if len(holders) > 1 and dataset in holders:
        holders = [dataset]
    if len(holders) != 1:
        found = sorted({k for ds in bench.datasets for k in bench.columns(ds) if k.startswith("zc/")})
        raise UnknownNameError(f"zero-cost column of {scores!r} (in exactly one dataset, or in the searched one)", key, found)
    compute = bench.dataset_provenance(holders[0]).get("zero_cost", {}).get("compute", {})
    seconds = float(compute.get("proxy_seconds_summed", {}).get(proxy, 0.0))
    return tuple(bench.archs), np.asarray(bench.columns(holders[0])[key], dtype=np.float64), seconds


def proxy_refusal(space: str) -> str | None:
    """Why proxies cannot be computed on networks of ``space`` here (``None``: they can): its builders."""
    from nasbench_suite.spaces import get_bundle

    return get_bundle(space).refusal("builder")


def _arch_id(arch: Any) -> int | str:
    """How a decision record names an architecture: its official index where the space has one, else its string."""
    index = getattr(arch, "index", None)
    return int(index) if isinstance(index, (int, np.integer)) else arch.to_string()


def _key(value: Any) -> str:
    return str(value)


class ZCRegularizedEvolution(OwnCompute, RegularizedEvolution):
    """Regularized evolution whose initial population is the top ``population_size`` cells by a zero-cost proxy.

    The warm start proposes, best proxy score first, one cell per isomorphism
    class (cells whose proxy is undefined are never chosen); evolution then
    proceeds exactly as :class:`RegularizedEvolution` (tournaments of
    ``sample_size``, one mutation, oldest member removed).

    The scores come from ``scores``, a store file (or benchmark name) with a
    ``zc/<proxy>`` column written by ``nasbench zc`` -- only that column is read,
    never a trained metric. Without ``scores`` the strategy computes the proxy
    itself for ``candidates`` uniformly drawn cells (networks and minibatch as
    :class:`~nasbench_suite.estimation.zc_setup.ProxySetup`'s defaults, i.e. the
    shipped digits table's protocol) and exposes the measured time as
    ``search_cost_seconds``. Either way the proxies' compute is charged on the
    harness clock (:meth:`take_search_cost`): the CPU seconds measured here, or
    those the stored column records for scoring every architecture.
    Computed scores are recorded with the warm start chosen from them
    (:meth:`decisions`), replayed without computing (:meth:`replay_decisions`)
    and re-checked by rank agreement (:meth:`compare_decisions`).

    Parameters
    ----------
    population_size, sample_size : int
        As in :class:`RegularizedEvolution`.
    proxy : str
        A registered zero-cost proxy (higher is better).
    scores : str, optional
        Store file or benchmark name holding ``zc/<proxy>``.
    candidates : int
        Cells scored on the fly when ``scores`` is not given.
    """

    name = "zc-re"
    #: cheap hyperparameters for conformance checks (as scikit-learn's checks shorten ``max_iter``)
    check_params: ClassVar[dict[str, Any]] = {"candidates": 4}

    def __init__(
        self,
        context: SearchContext,
        *,
        seed: int | np.random.Generator,
        population_size: int = 30,
        sample_size: int = 10,
        proxy: str = "synflow",
        scores: str | None = None,
        candidates: int = 100,
    ) -> None:
        super().__init__(context, seed=seed, population_size=population_size, sample_size=sample_size)
        from nasbench_suite.estimation.zero_cost import PROXIES

        PROXIES.get(proxy)  # unknown names raise, listing the valid ones
        require(int(candidates) >= 1, f"candidates must be >= 1, got {candidates!r}")
        if scores is None:
            from nasbench_suite.estimation.zc_setup import ProxySetup

            reason = proxy_refusal(self.space.name)
            if reason is not None:
                raise UnsupportedCapabilityError(
                    f"zc-re without stored scores computes proxies on networks of space {self.space.name!r}, "
                    f"but {reason}; give scores= a table with zc/{proxy} columns"
                )
            require_training_data(context, ProxySetup().dataset, "zc-re (without stored scores)")
        self.proxy = proxy
        self.scores = None if scores is None else str(scores)
        self.candidates = int(candidates)
        self.search_cost_seconds = 0.0
        self._warm: list[Any] | None = None
        self._next = 0
        self._pool: list[tuple[float, str]] = []
        self._chosen: list[Any] = []
        self._replay: dict[str, Any] | None = None

    def _initial(self) -> list[Any]:
        """The warm-start cells, best proxy score first."""
        if self.scores is not None:
            archs, values, seconds = _stored_scores(self.scores, self.proxy, self.context.dataset)
            pool = [(float(v), a) for a, v in zip(archs, values)]
            self.search_cpu_seconds = seconds
        else:
            from nasbench_suite.estimation.zc_setup import ProxySetup, compute_proxies

            setup, start, cpu, pool, seen = ProxySetup(), time.perf_counter(), time.process_time(), [], set()
            recorded = None if self._replay is None else self._recorded_scores()
            for _ in range(20 * self.candidates):
                if len(pool) >= self.candidates:
                    break
                arch = self.space.sample(self.rng)
                key = arch.canonical_key()
                if key in seen:
                    continue
                seen.add(key)
                if recorded is None:
                    value = compute_proxies(arch, [self.proxy], setup=setup, space=self.space.name)[self.proxy].value
                elif len(pool) < len(recorded) and recorded[len(pool)][0] == _arch_id(arch):
                    value = recorded[len(pool)][1]
                else:
                    raise ReplayError(f"zc-re: candidate {len(pool) + 1} is cell {_arch_id(arch)!r}, the recorded scores "
                                      f"have {recorded[len(pool)][0] if len(pool) < len(recorded) else 'none'}")
                pool.append((value, arch.to_string()))
            self.search_cost_seconds = time.perf_counter() - start
            self.search_cpu_seconds = time.process_time() - cpu
            self._pool = pool
        ranked = sorted(((v, i) for i, (v, _) in enumerate(pool) if not math.isnan(v)), key=lambda t: (-t[0], t[1]))
        chosen, keys = [], set()
        for _, i in ranked:
            arch = self.space.parse(pool[i][1])
            key = arch.canonical_key()
            if key not in keys:
                keys.add(key)
                chosen.append(arch)
                if len(chosen) >= self.population_size:
                    break
        if self._replay is not None:  # the recorded warm start, not a re-sort of rounded scores
            chosen = [self.space.parse(i) for i in self._replay["warm_start"]]
        self._chosen = chosen
        return chosen

    def _recorded_scores(self) -> list[tuple[int, float]]:
        assert self._replay is not None
        return [(i, math.nan if v is None else float(v)) for i, v in self._replay["scores"]]

    def decisions(self) -> dict[str, Any] | None:
        """The proxy score of every candidate (in draw order, official NB201 indices) and the warm start chosen.

        ``None`` with stored ``scores`` (nothing computed here) and before the first ask.
        """
        if self.scores is not None or self._warm is None:
            return None
        return {
            "kind": "zero-cost",
            "proxy": self.proxy,
            "scores": [[_arch_id(self.space.parse(a)), v] for v, a in self._pool],
            "warm_start": [_arch_id(a) for a in self._chosen],
        }

    def replay_decisions(self, decisions: dict[str, Any]) -> None:
        """Use the recorded proxy scores and warm start instead of computing them (the draws are repeated)."""
        if not isinstance(decisions, dict) or decisions.get("kind") != "zero-cost" or decisions.get("proxy") != self.proxy:
            raise ReplayError(f"zc-re: expected recorded zero-cost decisions of proxy {self.proxy!r}, got {str(decisions)[:120]!r}")
        if self.scores is not None:
            raise ReplayError("zc-re: a run on stored scores computes no decisions to replay")
        if not isinstance(decisions.get("scores"), list) or not isinstance(decisions.get("warm_start"), list):
            raise ReplayError("zc-re: recorded decisions lack 'scores' or 'warm_start' (lists)")
        if self._warm is not None:
            raise ReplayError("zc-re: decisions must be replayed before the first ask")
        self._replay = dict(decisions)

    def recompute_decisions(self) -> dict[str, Any]:
        """Score the candidates afresh (the same draws as the run)."""
        self._replay = None
        self._warm = self._initial()
        out = self.decisions()
        if out is None:
            raise ReplayError("zc-re: a run on stored scores computes no decisions to recompute")
        return out

    @classmethod
    def compare_decisions(cls, recorded: dict[str, Any], recomputed: dict[str, Any], *,
                          test_of: Any = None) -> DecisionCheck:
        """Rank agreement of the proxy scores of the same candidates, and how much of the warm start is shared."""
        mine = {_key(i): v for i, v in recorded["scores"]}
        theirs = {_key(i): v for i, v in recomputed["scores"]}
        if set(mine) != set(theirs):
            return DecisionCheck(False, (f"scored other candidates: {len(set(mine) & set(theirs))} of the recorded {len(mine)}",))
        common = sorted(mine)
        rho = rank_agreement([mine[i] for i in common], [theirs[i] for i in common])
        shared = len({_key(i) for i in recorded["warm_start"]} & {_key(i) for i in recomputed["warm_start"]})
        return DecisionCheck(rho >= MIN_RANK_AGREEMENT, (
            f"{recorded['proxy']} scores of the {len(common)} candidates: Spearman {rho:.4f} (needs >= {MIN_RANK_AGREEMENT:g})",
            f"warm start: {shared} of {len(recorded['warm_start'])} cells shared"))

    def ask(self) -> Proposal:
        if self._warm is None:
            self._warm = self._initial()
        if self._next < len(self._warm):
            self._next += 1
            self._asked += 1  # counts as one of the population_size initial proposals of the parent class
            return Proposal(self._warm[self._next - 1])
        return super().ask()
