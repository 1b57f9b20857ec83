"""An exact Gaussian-process posterior that grows with the data instead of being refit.

With the kernel's hyperparameters held fixed, a new observation adds one row
to the Cholesky factor ``L`` of ``K + jitter I`` (a triangular solve,
``O(n^2)``), where a refit factors the whole matrix again (``O(n^3)``). The
posterior at a set of *tracked* points (a strategy's candidate pool) grows
the same way: each point's row of ``(L^-1 K(X, points))^T`` gains one entry
per observation, so predicting a tracked point costs ``O(n)`` instead of a
triangular solve of ``O(n^2)``. With ``z = L^-1 y`` also grown one entry at a
time, the mean needs no solve at all. Hyperparameters come from
scikit-learn's :class:`~sklearn.gaussian_process.GaussianProcessRegressor`
(its kernels and marginal-likelihood optimizer); predictions equal that
regressor's with ``normalize_y=True`` (targets standardized by their current
mean and standard deviation; the predictive standard deviation includes the
kernel's white noise).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.linalg import cholesky, solve_triangular

def _lbfgs(obj_func: Any, initial_theta: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, float]:
    """scikit-learn's default L-BFGS-B on the log marginal likelihood, capped at 50 iterations."""
    from scipy.optimize import minimize

    res = minimize(obj_func, initial_theta, method="L-BFGS-B", jac=True, bounds=bounds, options={"maxiter": 50})
    return res.x, float(res.fun)


def fit_gp(X: np.ndarray, y: np.ndarray, kernel: Any, *, optimize: bool, random_state: Any = None) -> Any:
    """scikit-learn's GP regressor fitted to ``(X, y)``.

    With ``optimize`` the hyperparameters are re-optimized from ``kernel`` (the
    Matern-5/2 prior with white noise when ``kernel`` is None, seeded by
    ``random_state``); otherwise ``kernel`` is kept as it is. Read the fitted
    kernel from the result's ``kernel_``.
    """
    import warnings

    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    if optimize:
        kernel = kernel or (ConstantKernel(1.0, (1e-3, 1e3)) * Matern(length_scale=2.0, length_scale_bounds=(1e-2, 1e2), nu=2.5)
                            + WhiteKernel(1e-2, (1e-6, 1e0)))
        gp = GaussianProcessRegressor(kernel, normalize_y=True, optimizer=_lbfgs, random_state=random_state)
    else:
        gp = GaussianProcessRegressor(kernel, normalize_y=True, optimizer=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence notes at the kernel bounds
        gp.fit(X, y)
    return gp


#: added to the kernel matrix's diagonal, as scikit-learn's regressor does (its ``alpha``)
JITTER = 1e-10


def _grown(a: np.ndarray, rows: int, cols: int, *, order: str = "C", eye: bool = False,
           exact_cols: bool = False) -> np.ndarray:
    """``a`` in a zero buffer of at least ``rows x cols`` (capacity doubles, so growing one at a time copies
    ``O(size)`` in all); ``eye``: ones on the new part of the diagonal; ``exact_cols``: exactly ``cols`` columns."""
    if a.shape[0] >= rows and a.shape[1] >= cols:
        return a
    shape = (max(rows, 2 * a.shape[0], 16), max(cols, 2 * a.shape[1], 16))
    if exact_cols:
        shape = (shape[0], cols)
    out = np.zeros(shape, order=order)
    if eye:
        out[np.diag_indices(min(shape))] = 1.0
    out[: a.shape[0], : a.shape[1]] = a
    return out


class IncrementalGP:
    """GP posterior of a fixed scikit-learn ``kernel`` over observations (:meth:`extend`) and tracked points (:meth:`track`).

    The factor lives in a buffer whose unused part is the identity, so a
    triangular solve against the whole buffer needs no copy of the used part.
    """

    def __init__(self, kernel: Any) -> None:
        self.kernel = kernel
        self._n = 0
        self._X = np.zeros((0, 0))
        self._L = np.zeros((0, 0), order="F")  # [[L, 0], [0, I]]: L the lower factor of K(X, X) + JITTER I
        self._y: list[float] = []
        self._zy = np.zeros(0)  # L^-1 y
        self._z1 = np.zeros(0)  # L^-1 1
        self._m = 0
        self._P = np.zeros((0, 0))  # tracked points
        self._V = np.zeros((0, 0))  # (L^-1 K(X, points))^T
        self._prior = np.zeros(0)  # kernel.diag(points)
        self._explained = np.zeros(0)  # row sums of V^2: what the observations explain of each point's variance

    def __len__(self) -> int:
        return self._n

    @property
    def n_tracked(self) -> int:
        """How many points are tracked."""
        return self._m

    @property
    def tracked(self) -> np.ndarray:
        """The tracked points, in order (a copy)."""
        return self._P[: self._m].copy()

    def _solve(self, B: np.ndarray) -> np.ndarray:
        """``L^-1 B`` for ``B`` with ``n`` rows (``(n,)`` or ``(n, k)``): a vector is solved against the whole
        buffer (no copy of the factor), a matrix against a contiguous copy of the used part (no wasted flops)."""
        n, cap = self._n, self._L.shape[0]
        if B.ndim == 2 and B.shape[1] > 1:
            return solve_triangular(self._L[:n, :n], B, lower=True, check_finite=False)
        padded = np.zeros((cap,) + B.shape[1:])
        padded[:n] = B
        return solve_triangular(self._L, padded, lower=True, check_finite=False, overwrite_b=True)[:n]

    # ------------------------------------------------------------ observations
    def extend(self, X_new: np.ndarray, y_new: np.ndarray) -> IncrementalGP:
        """Add observations (rows of ``X_new``, targets ``y_new``): one Cholesky row each (afresh where rounding says so)."""
        X_new = np.atleast_2d(np.asarray(X_new, dtype=np.float64))
        y_new = np.atleast_1d(np.asarray(y_new, dtype=np.float64))
        if len(X_new) != len(y_new):
            raise ValueError(f"expected one target per input row, got {len(X_new)} rows and {len(y_new)} targets")
        if self._n == 0 and len(X_new) > 1:  # one factorization of all of them
            self._refactor(X_new, [float(v) for v in y_new])
            return self
        for x, y in zip(X_new, y_new):
            if not self._append(x[None, :], float(y)):
                self._refactor(np.vstack([self._X[: self._n], x[None, :]]), [*self._y, float(y)])
        return self

    def _append(self, x: np.ndarray, y: float) -> bool:
        n, m = self._n, self._m
        if n == 0:
            self._X = np.zeros((0, x.shape[1]))
        kxx = float(self.kernel.diag(x)[0]) + JITTER
        b = self._solve(self.kernel(self._X[:n], x)[:, 0]) if n else np.zeros(0)
        d2 = kxx - float(b @ b)
        if not d2 > 0.0:
            return False
        d = np.sqrt(d2)
        self._L = _grown(self._L, n + 1, n + 1, order="F", eye=True)
        self._L[n, :n] = b
        self._L[n, n] = d
        self._X = _grown(self._X, n + 1, x.shape[1], exact_cols=True)
        self._X[n] = x[0]
        if len(self._zy) < n + 1:
            self._zy = np.concatenate([self._zy[:n], np.zeros(max(n + 1, 2 * n) - n)])
            self._z1 = np.concatenate([self._z1[:n], np.zeros(max(n + 1, 2 * n) - n)])
        self._zy[n] = (y - b @ self._zy[:n]) / d
        self._z1[n] = (1.0 - b @ self._z1[:n]) / d
        self._y.append(y)
        if m:
            v = (self.kernel(self._P[:m], x)[:, 0] - self._V[:m, :n] @ b) / d
            self._V = _grown(self._V, m, n + 1)
            self._V[:m, n] = v
            self._explained[:m] += v * v
        self._n = n + 1
        return True

    def _refactor(self, X: np.ndarray, y: list[float]) -> None:
        """Factor ``K(X, X)`` afresh and recompute the tracked points against it."""
        K = self.kernel(X)
        K[np.diag_indices_from(K)] += JITTER
        n = len(X)
        self._L = _grown(np.zeros((0, 0), order="F"), n, n, order="F", eye=True)
        self._L[:n, :n] = cholesky(K, lower=True, check_finite=False)
        self._X, self._n, self._y = np.array(X, dtype=np.float64), n, list(y)
        self._zy = self._solve(np.asarray(y))
        self._z1 = self._solve(np.ones(n))
        points, self._m = self._P[: self._m].copy(), 0
        self.track(points)

    # ------------------------------------------------------------ tracked points
    def track(self, points: np.ndarray) -> IncrementalGP:
        """Keep the posterior at the rows of ``points`` up to date from now on (appended after those tracked)."""
        points = np.atleast_2d(np.asarray(points, dtype=np.float64))
        k, m, n = len(points), self._m, self._n
        if k == 0:
            return self
        self._P = _grown(self._P, m + k, points.shape[1], exact_cols=True)
        self._P[m : m + k] = points
        self._V = _grown(self._V, m + k, n)
        if len(self._prior) < m + k:
            grow = max(m + k, 2 * len(self._prior))
            self._prior = np.concatenate([self._prior[:m], np.zeros(grow - m)])
            self._explained = np.concatenate([self._explained[:m], np.zeros(grow - m)])
        self._prior[m : m + k] = self.kernel.diag(points)
        if n:
            V = self._solve(self.kernel(self._X[:n], points)).T
            self._V[m : m + k, :n] = V
            self._explained[m : m + k] = np.einsum("ij,ij->i", V, V)
        else:
            self._explained[m : m + k] = 0.0
        self._m = m + k
        return self

    def keep(self, mask: np.ndarray) -> IncrementalGP:
        """Stop tracking the points where ``mask`` (one bool per tracked point) is False; the rest keep their order."""
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != (self._m,):
            raise ValueError(f"expected a mask of {self._m} tracked points, got shape {mask.shape}")
        idx = np.flatnonzero(mask)
        k = len(idx)
        if k < self._m:
            self._P[:k] = self._P[idx]
            self._V[:k] = self._V[idx]
            self._prior[:k] = self._prior[idx]
            self._explained[:k] = self._explained[idx]
            self._m = k
        return self

    # ------------------------------------------------------------ prediction
    def _weights(self) -> tuple[np.ndarray, float, float]:
        """``L^-1`` of the standardized targets, and the standardization (mean, scale)."""
        n = self._n
        y = np.asarray(self._y)
        mu, sd = float(y.mean()), float(y.std())
        sd = sd if sd != 0.0 else 1.0  # scikit-learn's rule for constant targets
        return (self._zy[:n] - mu * self._z1[:n]) / sd, mu, sd

    def predict_tracked(self) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and standard deviation at the tracked points, in the targets' units."""
        w, mu, sd = self._weights()
        m, n = self._m, self._n
        mean = self._V[:m, :n] @ w
        std = np.sqrt(np.maximum(self._prior[:m] - self._explained[:m], 0.0))
        return mean * sd + mu, std * sd

    def predict(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and standard deviation at the rows of ``X`` (not tracked), in the targets' units."""
        w, mu, sd = self._weights()
        X = np.atleast_2d(np.asarray(X, dtype=np.float64))
        V = self._solve(self.kernel(self._X[: self._n], X))
        std = np.sqrt(np.maximum(self.kernel.diag(X) - np.einsum("ij,ij->j", V, V), 0.0))
        return (V.T @ w) * sd + mu, std * sd
