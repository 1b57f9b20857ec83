"""The conformance checks catch the faults they are meant to catch."""

from __future__ import annotations

import numpy as np
import pytest

from nasbench_suite.strategies import STRATEGIES, Proposal, Strategy
from nasbench_suite.testing.strategies import CHECKS, check_strategy


class Good(Strategy):
    name = "good"

    def __init__(self, context, *, seed, width: int = 3) -> None:
        super().__init__(context, seed=seed)
        self.width = width

    def ask(self):
        return Proposal(self.space.sample(self.rng))

    def tell(self, proposal, observation) -> None:
        pass


class ReturnsNone(Good):
    name = "returns-none"

    def ask(self):
        return None


class Unseeded(Good):
    name = "unseeded"

    def ask(self):
        return Proposal(self.space.sample(np.random.default_rng()))


class LowEpochs(Good):
    name = "low-epochs"

    def ask(self):
        return Proposal(self.space.sample(self.rng), self.context.fidelities[0])


class FakeMultiFidelity(Good):
    name = "fake-mf"
    multi_fidelity = True


class Sequential(Good):
    name = "sequential"

    def __init__(self, context, *, seed, width: int = 3) -> None:
        super().__init__(context, seed=seed, width=width)
        self.pending = False

    def ask(self):
        if self.pending:
            raise RuntimeError("ask() before tell()")
        self.pending = True
        return super().ask()

    def tell(self, proposal, observation) -> None:
        self.pending = False


class SetParams(Good):
    name = "set-params"

    def __init__(self, context, *, seed, width=frozenset({1})) -> None:
        super().__init__(context, seed=seed, width=width)


class ForeignArch(Good):
    name = "foreign"

    def ask(self):
        return Proposal(self.space.sample(self.rng).to_string())


class NanBreaks(Good):
    name = "nan-breaks"

    def tell(self, proposal, observation) -> None:
        if observation.value != observation.value:
            raise ValueError("NaN")


@pytest.fixture()
def register(monkeypatch):
    def add(cls) -> str:
        monkeypatch.setitem(STRATEGIES._targets, cls.name, cls)
        return cls.name

    return add


def test_a_good_strategy_passes(register) -> None:
    check_strategy(register(Good))


@pytest.mark.parametrize(
    ("cls", "check", "message"),
    [
        (ReturnsNone, "valid_proposals", "returned NoneType"),
        (ForeignArch, "valid_proposals", "not an architecture of space 'nb201'"),
        (Unseeded, "reproducible", "seed 11 gave different proposals"),
        (LowEpochs, "valid_proposals", "is not multi-fidelity but proposed epoch 4"),
        (FakeMultiFidelity, "fidelities", "is multi-fidelity but used epochs [108]"),
        (Sequential, "async_asks", "ask() before tell()"),
        (SetParams, "params", "not JSON-serializable"),
        (NanBreaks, "handles_nan", "NaN"),
    ],
)
def test_faults_are_caught(register, cls, check: str, message: str) -> None:
    name = register(cls)
    with pytest.raises((AssertionError, RuntimeError, ValueError)) as info:
        CHECKS[check](name)
    assert message in str(info.value)


def test_unknown_keywords_must_be_refused(register) -> None:
    class Lenient(Good):
        name = "lenient"

        def __init__(self, context, *, seed, **anything) -> None:
            super().__init__(context, seed=seed)

    with pytest.raises(AssertionError, match="unknown keyword argument was accepted"):
        CHECKS["rejects_bad_params"](register(Lenient))
