"""Conformance checks every registered search strategy must pass.

Each check takes a strategy's registry name (and optionally a search space)
and raises ``AssertionError`` with a message saying what broke. They drive
the strategy with a deterministic synthetic objective -- no benchmark needed
-- so a third-party strategy can be checked with::

    from nasbench_suite.testing.strategies import check_strategy
    check_strategy("my-strategy")

or parametrized in pytest over :data:`CHECKS` (see ``tests/strategies``).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from typing import Any

from nasbench_suite.spaces import get_space
from nasbench_suite.strategies import Observation, Proposal, SearchContext, SearchExhausted, Strategy, get_strategy

#: fidelities offered in the checks: several, so multi-fidelity strategies can use them
FIDELITIES: tuple[int, ...] = (4, 12, 36, 108)


def synthetic_value(arch: Any, epoch: int, max_epoch: int) -> float:
    """A deterministic accuracy-like score in (0, 100): structure, hash noise and a fidelity effect."""
    text = arch.to_string()
    noise = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") / 2**32
    ops = getattr(arch, "ops", ())
    structure = sum(2.0 if op == "nor_conv_3x3" else 1.0 if op == "nor_conv_1x1" else 0.0 for op in ops)
    score = 40.0 + 4.0 * structure + 8.0 * noise
    return score * (0.6 + 0.4 * math.log1p(epoch) / math.log1p(max_epoch))


#: objectives of the multi-objective checks: the synthetic value (maximised) and a synthetic size (minimised)
OBJECTIVES: tuple[str, ...] = ("valid_acc:max", "params:min")


def synthetic_size(arch: Any) -> float:
    """A deterministic size-like cost >= 1 that grows with the synthetic score's structure term, plus hash noise."""
    text = arch.to_string()
    noise = int.from_bytes(hashlib.sha256(("size" + text).encode()).digest()[:4], "big") / 2**32
    ops = getattr(arch, "ops", ())
    return 1.0 + sum(3.0 if op == "nor_conv_3x3" else 1.0 if op == "nor_conv_1x1" else 0.0 for op in ops) + 4.0 * noise


def make(name: str, *, seed: int = 0, space: str = "nb201", fidelities: tuple[int, ...] = FIDELITIES,
         objectives: tuple[str, ...] = (), **params: Any) -> Strategy:
    """An instance of strategy ``name`` on ``space`` with the check fidelities (and ``objectives``, if given).

    The class's ``check_params`` (cheap settings for checks) apply unless ``params`` override them.
    """
    cls = get_strategy(name)
    context = SearchContext(get_space(space), fidelities, objectives=objectives)
    return cls(context, seed=seed, **{**cls.check_params, **params})


def drive(strategy: Strategy, n: int, *, batch: int = 1, nan_every: int = 0,
          value: Callable[[Any, int, int], float] = synthetic_value) -> list[Proposal]:
    """Ask ``batch`` proposals, tell them in reverse order, repeat until ``n`` were asked; return them.

    ``nan_every > 0`` reports every ``nan_every``-th result as NaN (not measured). Where the context
    has objectives, every observation also carries ``(value, synthetic_size)`` (see :data:`OBJECTIVES`).
    """
    multi = bool(strategy.context.objectives)
    space = strategy.context.space
    max_epoch = strategy.context.max_fidelity
    asked: list[Proposal] = []
    while len(asked) < n:
        round_: list[Proposal] = []
        for _ in range(min(batch, n - len(asked))):
            try:
                prop = strategy.ask()
            except SearchExhausted:
                return asked
            check_proposal(strategy, prop)
            round_.append(prop)
            asked.append(prop)
        for prop in reversed(round_):
            arch = space.parse(prop.arch)
            epoch = max_epoch if prop.epoch is None else prop.epoch
            v = math.nan if nan_every and len(asked) % nan_every == 0 else value(arch, epoch, max_epoch)
            objectives = (v, synthetic_size(arch)) if multi else None
            strategy.tell(prop, Observation(arch, epoch, v, float(epoch), objectives))
    return asked


def _trace(props: list[Proposal]) -> list[tuple[str, Any]]:
    return [(p.arch.to_string(), p.epoch) for p in props]


# ------------------------------------------------------------------ checks
def check_proposal(strategy: Strategy, prop: Any) -> None:
    """``prop`` is a Proposal of an architecture of the strategy's space at one of its fidelities."""
    name = type(strategy).name
    assert isinstance(prop, Proposal), f"{name}: ask() returned {type(prop).__name__} {prop!r:.100}, expected a Proposal"
    space = strategy.context.space
    assert getattr(prop.arch, "space", None) == space.name, (
        f"{name}: proposed {prop.arch!r:.100}, which is not an architecture of space {space.name!r}"
    )
    assert space.parse(prop.arch) == prop.arch, f"{name}: proposed an architecture the space does not parse back: {prop.arch!r:.100}"
    fids = strategy.context.fidelities
    assert prop.epoch is None or (type(prop.epoch) is int and prop.epoch in fids), (
        f"{name}: proposed epoch {prop.epoch!r}; expected None or one of {fids}"
    )
    if not strategy.multi_fidelity:
        assert prop.epoch in (None, fids[-1]), f"{name} is not multi-fidelity but proposed epoch {prop.epoch}"


def check_reproducible(name: str, *, n: int = 40) -> None:
    """The same seed gives the same proposals, sequentially and with asynchronous batches."""
    for batch in (1, 4):
        a = _trace(drive(make(name, seed=11), n, batch=batch))
        b = _trace(drive(make(name, seed=11), n, batch=batch))
        first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), None)
        assert a == b, f"{name}: seed 11 gave different proposals (batch {batch}) from proposal {first}: {a[first]} vs {b[first]}"


def check_seed_matters(name: str, *, n: int = 30) -> None:
    """Different seeds give different proposals (the strategy uses its Generator)."""
    a = _trace(drive(make(name, seed=1), n))
    b = _trace(drive(make(name, seed=2), n))
    assert a != b, f"{name}: seeds 1 and 2 gave identical proposals"


def check_valid_proposals(name: str, *, n: int = 60) -> None:
    """Every proposal is a valid architecture of the space at an offered fidelity (checked in ``drive``)."""
    props = drive(make(name, seed=3), n)
    assert props, f"{name}: proposed nothing"


def check_async_asks(name: str, *, n: int = 48, batch: int = 8) -> None:
    """Several asks before any tell, results told out of order: still valid proposals, no error."""
    props = drive(make(name, seed=5), n, batch=batch)
    assert len(props) == n, f"{name}: proposed {len(props)} of {n} with batches of {batch}"


def check_fidelities(name: str, *, n: int = 120) -> None:
    """Multi-fidelity strategies use several fidelities including the full one; others use only the full one."""
    strategy = make(name, seed=7)
    n = n if strategy.multi_fidelity else min(n, 30)  # single-fidelity: any 30 proposals tell
    epochs = {FIDELITIES[-1] if p.epoch is None else p.epoch for p in drive(strategy, n, batch=2)}
    if strategy.multi_fidelity:
        assert len(epochs) >= 2 and FIDELITIES[-1] in epochs, (
            f"{name} is multi-fidelity but used epochs {sorted(epochs)} of {FIDELITIES} in {n} proposals"
        )
    else:
        assert epochs == {FIDELITIES[-1]}, f"{name}: used epochs {sorted(epochs)}; expected only {FIDELITIES[-1]}"
    single = make(name, seed=7, fidelities=(12,))
    drive(single, 20)  # one fidelity only: must still work


def check_params(name: str) -> None:
    """``params()`` is JSON-serializable and rebuilds an equal strategy that proposes the same."""
    s = make(name, seed=9)
    params = s.params()
    try:
        text = json.dumps(params, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise AssertionError(f"{name}: params() is not JSON-serializable: {exc}: {params!r}") from None
    rebuilt = make(name, seed=9, **json.loads(text))
    assert rebuilt.params() == params, f"{name}: rebuilding from params() gave params {rebuilt.params()} != {params}"
    assert _trace(drive(rebuilt, 20)) == _trace(drive(s, 20)), f"{name}: a strategy rebuilt from params() proposes differently"


def check_handles_nan(name: str, *, n: int = 40) -> None:
    """Results that were not measured (NaN values) do not break the strategy."""
    drive(make(name, seed=13), n, batch=3, nan_every=4)


def check_rejects_bad_params(name: str) -> None:
    """An unknown hyperparameter raises TypeError at construction."""
    try:
        make(name, seed=0, no_such_parameter=1)
    except TypeError:
        return
    raise AssertionError(f"{name}: an unknown keyword argument was accepted")


def check_multi_objective(name: str, *, n: int = 30) -> None:
    """With two objectives told per observation: valid proposals, reproducible under asynchronous batches, NaN-tolerant.

    Every strategy must accept a multi-objective run (single-objective ones keep optimising the value).
    """
    a = _trace(drive(make(name, seed=21, objectives=OBJECTIVES), n, batch=3, nan_every=7))
    b = _trace(drive(make(name, seed=21, objectives=OBJECTIVES), n, batch=3, nan_every=7))
    assert len(a) == n, f"{name}: proposed {len(a)} of {n} in a multi-objective run"
    assert a == b, f"{name}: seed 21 gave different proposals in a multi-objective run"


def check_on_space(name: str, space: str, *, n: int = 24) -> str | None:
    """Strategy ``name`` proposes valid architectures of ``space`` (asynchronous asks, some NaN results).

    Returns ``None`` when it ran, or the reason it refused the space at
    construction (:class:`~nasbench_suite.spaces.bundle.UnsupportedCapabilityError`:
    a combination its bundle documents as undefined). Any other error propagates.
    """
    from nasbench_suite.spaces.bundle import UnsupportedCapabilityError

    try:
        strategy = make(name, seed=17, space=space)
    except UnsupportedCapabilityError as exc:
        return str(exc)
    props = drive(strategy, n, batch=2, nan_every=5)
    assert props, f"{name}: proposed nothing on space {space!r}"
    assert all(p.arch.space == space for p in props), f"{name}: proposed architectures of another space than {space!r}"
    return None


#: every check, by name, for pytest parametrization
CHECKS: dict[str, Callable[[str], None]] = {
    "reproducible": check_reproducible,
    "seed_matters": check_seed_matters,
    "valid_proposals": check_valid_proposals,
    "async_asks": check_async_asks,
    "fidelities": check_fidelities,
    "params": check_params,
    "handles_nan": check_handles_nan,
    "rejects_bad_params": check_rejects_bad_params,
    "multi_objective": check_multi_objective,
}


def check_strategy(name: str) -> None:
    """Run every conformance check on strategy ``name``."""
    for check in CHECKS.values():
        check(name)
