"""One-shot search: DARTS / GDAS / RS-WS derive valid cells reproducibly; their strategies."""

from __future__ import annotations

import numpy as np
import pytest

from nasbench_suite.errors import UnknownNameError
from nasbench_suite.estimation.weight_sharing import METHODS, WSConfig, search
from nasbench_suite.estimation.ws_strategy import ranked_by_alphas
from nasbench_suite.spaces.nb201 import Architecture, NB201Space
from nasbench_suite.strategies import STRATEGIES, SearchContext, SearchExhausted, make_strategy
from nasbench_suite.testing.strategies import check_proposal, drive

#: one short epoch: 3 weight steps (and 3 architecture steps)
TINY = WSConfig(epochs=1, steps_per_epoch=3, candidates=12)
CHEAP = {"epochs": 1, "steps_per_epoch": 2}
WS = {"ws-darts": "darts", "ws-gdas": "gdas", "ws-rsws": "rsws"}


@pytest.mark.parametrize("method", METHODS)
def test_tiny_search_derives_a_valid_cell_deterministically(method: str) -> None:
    a = search(method, seed=3, config=TINY)
    b = search(method, seed=3, config=TINY)
    assert isinstance(a.arch, Architecture) and Architecture.from_string(a.arch.to_string()) == a.arch
    assert a.arch == b.arch and a.history == b.history and a.ranking == b.ranking
    assert a.seconds > 0 and len(a.history) == 1
    if method == "rsws":
        assert a.alphas is None and len(a.ranking) == 12 and a.ranking[0][0] == a.arch.to_string()
        accs = [r[1] for r in a.ranking]
        assert accs == sorted(accs, reverse=True)
        assert len({Architecture.from_string(r[0]).canonical_key() for r in a.ranking}) == 12
    else:
        assert a.alphas.shape == (6, 5)
        np.testing.assert_array_equal(a.alphas, b.alphas)
        assert a.arch.op_ids == tuple(np.argmax(a.alphas, axis=1))
        assert not np.allclose(a.alphas, search(method, seed=4, config=TINY).alphas)


def test_unknown_method_and_bad_config() -> None:
    with pytest.raises(UnknownNameError, match="valid: 'darts', 'gdas', 'rsws'"):
        search("enas", seed=0, config=TINY)
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        WSConfig(epochs=0)


def test_ranking_by_alphas_starts_at_the_argmax_and_covers_the_space() -> None:
    alphas = np.random.default_rng(0).normal(size=(6, 5))
    ranked = list(ranked_by_alphas(alphas))
    assert ranked[0].op_ids == tuple(alphas.argmax(1))
    assert len(set(ranked)) == 15625


@pytest.mark.parametrize("name", sorted(WS))
def test_strategy_proposes_the_derived_cell_then_distinct_classes(name: str) -> None:
    s = make_strategy(name, SearchContext(NB201Space(), (1, 3)), seed=5, **CHEAP)
    assert s.search_cost_seconds == 0.0 and s.derived is None
    props = drive(s, 10)
    assert props[0].arch == s.derived and s.search_cost_seconds > 0 and s.search_cpu_seconds > 0
    assert len({p.arch.canonical_key() for p in props}) == 10
    for p in props:
        check_proposal(s, p)
        assert p.epoch is None
    assert s.take_search_cost() == s.search_cpu_seconds and s.take_search_cost() == 0.0
    again = make_strategy(name, SearchContext(NB201Space(), (3,)), seed=5, **CHEAP)
    assert [p.arch for p in drive(again, 10)] == [p.arch for p in props]
    rebuilt = make_strategy(name, SearchContext(NB201Space(), (3,)), seed=5, **s.params())
    assert rebuilt.params() == s.params() and rebuilt.ask().arch == props[0].arch
    assert type(s).name == name and STRATEGIES.get(name) is type(s)


def test_rsws_is_exhausted_after_its_candidates() -> None:
    s = make_strategy("ws-rsws", SearchContext(NB201Space(), (3,)), seed=0, candidates=4, **CHEAP)
    assert len([s.ask() for _ in range(4)]) == 4
    with pytest.raises(SearchExhausted):
        s.ask()


def test_one_shot_strategies_refuse_other_spaces() -> None:
    from nasbench_suite.spaces import get_space

    with pytest.raises(ValueError, match="needs the supernet of search space 'nb101'"):
        make_strategy("ws-gdas", SearchContext(get_space("nb101"), (108,)), seed=0)
