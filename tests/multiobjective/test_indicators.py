"""Hypervolume and IGD+ agree with independent implementations (pymoo, an exact 2-D sweep, the IGD+ formula)."""

from __future__ import annotations

import numpy as np
import pytest
from pymoo.indicators.hv import HV
from pymoo.indicators.igd_plus import IGDPlus

from nasbench_suite.multiobjective.indicators import hypervolume, igd_plus


def _random_front(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """``n`` mutually non-dominated points in the unit box: on a random concave/convex surface, jittered."""
    x = rng.dirichlet(np.ones(k), size=n) ** rng.uniform(0.5, 2.0)
    return x + rng.uniform(0, 0.01, size=x.shape)


def _sweep_2d(points: np.ndarray, ref: np.ndarray) -> float:
    """Exact 2-D hypervolume: sort by the first objective, add the rectangles of the staircase."""
    pts = points[np.all(points < ref, axis=1)]
    pts = pts[np.lexsort((pts[:, 1], pts[:, 0]))]
    area, best_y = 0.0, ref[1]
    for x, y in pts:
        if y < best_y:
            area += (ref[0] - x) * (best_y - y)
            best_y = y
    return area


def _igd_plus_formula(points: np.ndarray, reference: np.ndarray) -> float:
    """IGD+: mean over reference points z of min over points a of || max(a - z, 0) ||."""
    d = np.maximum(points[None, :, :] - reference[:, None, :], 0.0)
    return float(np.sqrt((d**2).sum(axis=2)).min(axis=1).mean())


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("seed", range(10))
def test_hypervolume_agrees_with_pymoo(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    pts = np.vstack([_random_front(rng, int(rng.integers(1, 40)), k), rng.uniform(0, 1.3, size=(10, k))])  # some dominated, some outside
    ref = np.full(k, 1.1)
    ours = hypervolume(pts, ref)
    inside = pts[np.all(pts < ref, axis=1)]
    theirs = float(HV(ref_point=ref)(inside)) if len(inside) else 0.0
    assert ours == pytest.approx(theirs, abs=1e-9, rel=0)
    assert ours > 0


@pytest.mark.parametrize("seed", range(20))
def test_hypervolume_agrees_with_an_exact_2d_sweep(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    pts = np.vstack([_random_front(rng, int(rng.integers(1, 60)), 2), rng.uniform(0, 1.3, size=(20, 2))])
    ref = np.array([1.1, 1.2])
    assert hypervolume(pts, ref) == pytest.approx(_sweep_2d(pts, ref), abs=1e-9, rel=0)


def test_hypervolume_of_nothing_inside_is_zero() -> None:
    assert hypervolume(np.array([[2.0, 0.0], [0.0, 2.0]]), np.array([1.0, 1.0])) == 0.0
    assert hypervolume(np.zeros((0, 2)), np.array([1.0, 1.0])) == 0.0
    assert hypervolume(np.array([[0.0, 0.0]]), np.array([1.0, 2.0])) == pytest.approx(2.0, abs=1e-12)


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("seed", range(10))
def test_igd_plus_agrees_with_pymoo_and_the_formula(seed: int, k: int) -> None:
    rng = np.random.default_rng(200 + seed)
    reference = _random_front(rng, 50, k)
    found = np.vstack([_random_front(rng, int(rng.integers(1, 30)), k) + 0.05, rng.uniform(0, 1.3, size=(5, k))])
    ours = igd_plus(found, reference)
    assert ours == pytest.approx(float(IGDPlus(reference)(found)), abs=1e-9, rel=0)
    assert ours == pytest.approx(_igd_plus_formula(found, reference), abs=1e-9, rel=0)
    assert igd_plus(reference, reference) == pytest.approx(0.0, abs=1e-12)
