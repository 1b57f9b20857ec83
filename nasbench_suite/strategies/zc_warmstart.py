"""Regularized evolution warm-started with the top zero-cost-proxy architectures."""

from __future__ import annotations

import math
import time
from functools import cache
from typing import Any, ClassVar

import numpy as np

from nasbench_suite.spaces.bundle import UnsupportedCapabilityError
from nasbench_suite.strategies.base import OwnCompute, Proposal, SearchContext, require, require_training_data
from nasbench_suite.strategies.evolution import RegularizedEvolution


@cache
def _stored_scores(scores: str, proxy: str) -> tuple[tuple[str, ...], np.ndarray, float]:
    """(architecture strings, proxy values, CPU seconds the column took) of ``zc/<proxy>`` in a store file or benchmark.

    The seconds are the sweep's recorded ``proxy_seconds_summed`` for that
    proxy (0 where the file does not record them, e.g. imported scores).
    """
    from nasbench_suite.catalog import resolve
    from nasbench_suite.errors import UnknownNameError

    bench = resolve(scores)
    key = f"zc/{proxy}"
    holders = [ds for ds in bench.datasets if key in bench.columns(ds)]
    if len(holders) != 1:
        found = sorted({k for ds in bench.datasets for k in bench.columns(ds) if k.startswith("zc/")})
        raise UnknownNameError(f"zero-cost column of {scores!r} (in exactly one dataset)", key, found)
    compute = bench.dataset_provenance(holders[0]).get("zero_cost", {}).get("compute", {})
    seconds = float(compute.get("proxy_seconds_summed", {}).get(proxy, 0.0))
    return tuple(bench.archs), np.asarray(bench.columns(holders[0])[key], dtype=np.float64), seconds


def proxy_refusal(space: str) -> str | None:
    """Why proxies cannot be computed on networks of ``space`` here (``None``: they can): its builders."""
    from nasbench_suite.spaces import get_bundle

    return get_bundle(space).refusal("builder")


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

    def _initial(self) -> list[Any]:
        """The warm-start cells, best proxy score first."""
        if self.scores is not None:
            archs, values, seconds = _stored_scores(self.scores, self.proxy)
            pool = [(float(v), a) for a, v in zip(archs, values)]
            self.search_cpu_seconds = seconds
        else:
            from nasbench_suite.estimation.zc_setup import ProxySetup, compute_proxies

            setup, start, cpu, pool, seen = ProxySetup(), time.perf_counter(), time.process_time(), [], set()
            for _ in range(20 * self.candidates):
                if len(pool) >= self.candidates:
                    break
                arch = self.space.sample(self.rng)
                key = arch.canonical_key()
                if key in seen:
                    continue
                seen.add(key)
                pool.append((compute_proxies(arch, [self.proxy], setup=setup, space=self.space.name)[self.proxy].value, arch.to_string()))
            self.search_cost_seconds = time.perf_counter() - start
            self.search_cpu_seconds = time.process_time() - cpu
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
        return chosen

    def ask(self) -> Proposal:
        if self._warm is None:
            self._warm = self._initial()
        if self._next < len(self._warm):
            self._next += 1
            self._asked += 1  # counts as one of the population_size initial proposals of the parent class
            return Proposal(self._warm[self._next - 1])
        return super().ask()
