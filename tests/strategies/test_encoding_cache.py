"""A strategy's vector encoder keeps each architecture's row: same rows as the space's encoder, in call order."""

from __future__ import annotations

import numpy as np

from nasbench_suite.spaces import get_bundle
from nasbench_suite.spaces.nb201 import NB201Space
from nasbench_suite.strategies import _encoding
from nasbench_suite.strategies._encoding import vector_encoder


def test_cached_rows_equal_the_spaces_encoder_with_repeats_and_in_order(monkeypatch) -> None:
    space = NB201Space()
    rng = np.random.default_rng(0)
    archs = [space.sample(rng) for _ in range(50)]
    plain = get_bundle(space.name, who="test").vector_encoder("onehot", who="test")
    calls: list[int] = []

    def counting(batch):
        calls.append(len(batch))
        return plain(batch)

    class Bundle:
        def vector_encoder(self, kind, *, who):
            return counting

    monkeypatch.setattr(_encoding, "get_bundle", lambda name, *, who: Bundle())
    encode = vector_encoder(space, "onehot", strategy="test")
    first = encode(archs[:30])
    again = encode(archs[20:] + archs[:5] + archs[20:21])  # 20 new, 11 cached, one repeated within the call
    np.testing.assert_array_equal(first, plain(archs[:30]))
    np.testing.assert_array_equal(again, plain(archs[20:] + archs[:5] + archs[20:21]))
    assert calls == [30, 20]  # only the architectures not seen before are encoded
    assert encode([]).shape[0] == 0


def test_a_full_cache_starts_over(monkeypatch) -> None:
    monkeypatch.setattr(_encoding, "CACHE_SIZE", 10)
    space = NB201Space()
    rng = np.random.default_rng(1)
    archs = [space.sample(rng) for _ in range(25)]
    encode = vector_encoder(space, "onehot", strategy="test")
    plain = get_bundle(space.name, who="test").vector_encoder("onehot", who="test")
    for lo in range(0, 25, 4):
        np.testing.assert_array_equal(encode(archs[lo : lo + 8]), plain(archs[lo : lo + 8]))
