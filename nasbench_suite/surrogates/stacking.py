"""Stacking predictor families with a combination chosen by inner cross-validation on the training cells.

:class:`StackedRegressor` holds named component estimators over
architectures (e.g. a learning-curve extrapolator, a zero-cost proxy model,
an encoding model, a boosted model on everything). ``fit`` splits the
*training cells only* into folds grouped by the space's ``canonical_key``
(isomorphic cells share a fold, so no fold is scored on a twin of its
training rows), collects every component's out-of-fold predictions, and
scores each candidate by the pooled Kendall tau of its cross-validated
predictions:

* each single component (its out-of-fold predictions; its fitted prediction
  passes through a monotone map), and
* a non-negative ridge stack of every component's standardized prediction
  (weights fitted without the held fold, on the other folds' out-of-fold
  predictions).

The best candidate is refitted on all training cells. Components too data-hungry
for the training size (``min_sizes``) are not candidates there, so small
training sets fall back to the best inner-CV family; a component whose
inputs the table does not hold (no zero-cost columns, no curve epoch before the
target) is skipped and said so in ``skipped_``.

Predictions live in the rank-normal space of the training targets; the
cross-validated residual spread of the chosen candidate is the predictive
std, so ``predict(..., return_std=True)`` is always available.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils.validation import check_is_fitted

from nasbench_suite.errors import NasBenchError
from nasbench_suite.surrogates.models.base import SurrogateDataError, check_target
from nasbench_suite.surrogates.targets import TargetTransform

#: the candidate name of the stack of every component
STACK = "stack"


def group_folds(groups: np.ndarray, n_folds: int, seed: int) -> np.ndarray:
    """Fold number of every row: whole groups dealt round-robin in a seeded random order.

    Returns ``(n,)`` ints in ``[0, k)`` with ``k = min(n_folds, number of groups)``.
    """
    groups = np.asarray(groups)
    unique = np.unique(groups)
    order = np.random.default_rng([seed, 7]).permutation(unique.size)
    fold_of_group = np.empty(unique.size, dtype=np.int64)
    fold_of_group[order] = np.arange(unique.size) % max(1, min(n_folds, unique.size))
    return fold_of_group[np.searchsorted(unique, groups)]


def _tau(y: np.ndarray, pred: np.ndarray) -> float:
    from scipy.stats import kendalltau

    if pred.size < 2 or np.ptp(pred) == 0:
        return -np.inf
    t = float(kendalltau(y, pred).statistic)
    return t if np.isfinite(t) else -np.inf


def _nnls_ridge(S: np.ndarray, z: np.ndarray, ridge: float) -> tuple[np.ndarray, float]:
    """Weights ``w >= 0`` and intercept minimising ``|S w + b - z|^2 + ridge |w|^2``."""
    from scipy.optimize import nnls

    mean_s, mean_z = S.mean(axis=0), float(z.mean())
    A = np.vstack([S - mean_s, np.sqrt(ridge) * np.eye(S.shape[1])])
    w, _ = nnls(A, np.concatenate([z - mean_z, np.zeros(S.shape[1])]))
    return w, mean_z - float(mean_s @ w)


class StackedRegressor(RegressorMixin, BaseEstimator):
    """Named component predictors combined by the single family or stack that inner cross-validation ranks best.

    Parameters
    ----------
    components
        ``[(name, estimator), ...]``: unfitted estimators over architectures
        (``fit(archs, y)``, ``predict(archs)``); clones are fitted.
    space
        Search-space name, for the isomorphism classes the folds are grouped by.
    n_folds
        Inner folds (fewer where the training cells have fewer classes).
    min_sizes
        ``{name: n}``: a component is a candidate only with at least ``n`` training cells.
    fallback
        Names of components tried one at a time, in this order, only where
        the others yield nothing (all skipped for too few cells or inputs the
        table lacks, or none ranks the cells): table-agnostic models that keep
        the stack usable where the informed families cannot be fitted, without
        competing with them, or with each other, on noisy inner-CV scores.
    ridge
        Ridge penalty of the stack's non-negative weights (on standardized predictions).
    random_state
        Seed of the fold assignment.
    """

    def __init__(self, components: Sequence[Any] = (), *, space: str = "nb201", n_folds: int = 5,
                 min_sizes: dict[str, int] | None = None, fallback: Sequence[str] = (), ridge: float = 1.0,
                 random_state: int = 0) -> None:
        self.components = components
        self.space = space
        self.n_folds = n_folds
        self.min_sizes = min_sizes
        self.fallback = fallback
        self.ridge = ridge
        self.random_state = random_state

    def _named(self) -> list[tuple[str, Any]]:
        named = [(str(name), est) for name, est in self.components]
        names = [n for n, _ in named]
        if not named or len(set(names)) != len(names) or STACK in names:
            raise ValueError(f"components must be (name, estimator) pairs with distinct names other than {STACK!r}, got {names}")
        fallback = set(map(str, self.fallback))
        if fallback - set(names) or fallback == set(names):
            raise ValueError(f"fallback must name some but not all components {names}, got {list(self.fallback)}")
        return named

    def _groups(self, archs: list[Any]) -> np.ndarray:
        from nasbench_suite.spaces import get_space
        from nasbench_suite.surrogates.training import canonical_groups

        return canonical_groups(get_space(self.space), archs)

    # ------------------------------------------------------------------ fit
    def fit(self, archs: Sequence[Any] | np.ndarray, y: Any) -> StackedRegressor:
        """Choose and fit the combination on ``archs`` and their targets ``y`` alone."""
        archs, y = list(archs), check_target(y)
        if len(archs) != len(y):
            raise SurrogateDataError(f"got {len(archs)} architectures but {len(y)} targets")
        if self.n_folds < 2:
            raise ValueError(f"n_folds must be >= 2, got {self.n_folds!r}")
        named = self._named()
        minimum = dict(self.min_sizes or {})
        self.folds_ = group_folds(self._groups(archs), self.n_folds, self.random_state)
        k = int(self.folds_.max()) + 1
        if k < 2:
            raise SurrogateDataError(f"{len(archs)} training cells form {k} isomorphism class: inner cross-validation needs two")
        self.target_ = TargetTransform.fit("quantile", y)
        z = self.target_.transform(y)
        self.skipped_: dict[str, str] = {}
        self.rejected_: dict[str, str] = {}
        by_name = dict(named)
        fallback = [str(f) for f in self.fallback]
        tiers = [[(n, e) for n, e in named if n not in fallback]] + [[(f, by_name[f])] for f in fallback]
        for i, tier in enumerate(tiers):
            oof: dict[str, np.ndarray] = {}
            for name, est in tier:
                if len(archs) < minimum.get(name, 0):
                    self.skipped_[name] = f"needs >= {minimum[name]} training cells, got {len(archs)}"
                    continue
                try:
                    oof[name] = self._out_of_fold(est, archs, y, k)
                except (NasBenchError, LookupError, ValueError) as err:  # inputs this table does not hold
                    self.skipped_[name] = f"{type(err).__name__}: {err}"
            if not oof:
                continue
            try:
                self._select(oof, by_name, archs, y, z, k)
            except SurrogateDataError as err:  # nothing in this tier ranks the cells: the next one stands in
                self.rejected_.update({n: str(err) for n in oof if n not in self.rejected_})
                continue
            for later in tiers[i + 1:]:
                for name, _ in later:
                    self.skipped_[name] = "fallback, not needed: other components were fitted"
            return self
        raise SurrogateDataError(f"no component could be fitted and rank the training cells: skipped {self.skipped_}, "
                                 f"rejected {self.rejected_}")

    def _select(self, oof: dict[str, np.ndarray], by_name: dict[str, Any], archs: list[Any], y: np.ndarray,
                z: np.ndarray, k: int) -> None:
        """Score every candidate of the out-of-fold predictions ``oof`` and refit the best one that ranks."""
        names = list(oof)
        P = np.column_stack([oof[n] for n in names])
        self.pred_mean_all_ = P.mean(axis=0)
        scale = P.std(axis=0)
        self.pred_scale_all_ = np.where(scale > 0, scale, 1.0)
        S = (P - self.pred_mean_all_) / self.pred_scale_all_
        candidates = [[i] for i in range(len(names))] + ([list(range(len(names)))] if len(names) > 1 else [])
        self.cv_scores_: dict[str, float] = {}
        ranked: list[tuple[float, int, list[int], float]] = []
        for order, cols in enumerate(candidates):
            label = names[cols[0]] if len(cols) == 1 else STACK
            # held-fold predictions: the weights fitted without the fold, scaled to sum 1, so that the folds'
            # predictions pool on one scale and a single family scores its own out-of-fold ranking
            cv_pred, cv_fit = np.zeros_like(z), np.empty_like(z)
            for f in range(k):
                held = self.folds_ == f
                w, b = _nnls_ridge(S[~held][:, cols], z[~held], self.ridge)
                if w.sum() > 0:
                    cv_pred[held] = S[held][:, cols] @ (w / w.sum())
                cv_fit[held] = S[held][:, cols] @ w + b
            score = _tau(y, P[:, cols[0]] if len(cols) == 1 else cv_pred)
            self.cv_scores_[label] = round(score, 6) if np.isfinite(score) else None
            if np.isfinite(score):
                ranked.append((-score, order, cols, float(np.std(z - cv_fit))))
        if not ranked:
            raise SurrogateDataError(f"no candidate ranks the training cells in cross-validation: {self.cv_scores_}")
        fitted: dict[str, Any] = {}
        # best inner-CV score first; a candidate whose refit on every cell predicts one value (a GP whose
        # kernel collapsed onto the noise term) ranks nothing, and the next one is taken
        for _, _, best, best_resid in sorted(ranked, key=lambda item: item[:2]):
            if self._combine(S, z, names, best, best_resid, by_name, fitted, archs, y):
                return
            self.rejected_[names[best[0]] if len(best) == 1 else STACK] = "constant predictions on the training cells"
        raise SurrogateDataError(f"every candidate predicts a constant after refitting: {self.rejected_}")

    def _combine(self, S: np.ndarray, z: np.ndarray, names: list[str], best: list[int], best_resid: float,
                 by_name: dict[str, Any], fitted: dict[str, Any], archs: list[Any], y: np.ndarray) -> bool:
        """Refit (into ``fitted``) and set the combination of columns ``best``; False where it predicts one value."""
        w, b = _nnls_ridge(S[:, best], z, self.ridge)
        if len(best) == 1 and w[0] <= 0:  # keep the chosen family's ranking whatever the calibration says
            w = np.array([1e-3])
            b = float(z.mean() - S[:, best[0]].mean() * w[0])
        keep = [c for c, wc in zip(best, w) if wc > 0]
        if not keep:
            return False
        for c in keep:
            if names[c] not in fitted:
                fitted[names[c]] = clone(by_name[names[c]]).fit(archs, y)
        estimators = [fitted[names[c]] for c in keep]
        raw = np.column_stack([np.asarray(e.predict(archs), dtype=np.float64) for e in estimators])
        if np.ptp(((raw - self.pred_mean_all_[keep]) / self.pred_scale_all_[keep]) @ w[[best.index(c) for c in keep]]) == 0:
            return False
        self.choice_ = names[best[0]] if len(best) == 1 else STACK
        self.names_ = [names[c] for c in keep]
        self.weights_ = np.asarray([w[best.index(c)] for c in keep], dtype=np.float64)
        self.intercept_ = float(b)
        self.pred_mean_, self.pred_scale_ = self.pred_mean_all_[keep], self.pred_scale_all_[keep]
        self.resid_std_ = max(best_resid, 1e-6)
        self.estimators_ = estimators
        return True

    def _out_of_fold(self, est: Any, archs: list[Any], y: np.ndarray, k: int) -> np.ndarray:
        out = np.empty(len(archs), dtype=np.float64)
        idx = np.arange(len(archs))
        for f in range(k):
            held = self.folds_ == f
            fitted = clone(est).fit([archs[i] for i in idx[~held]], y[~held])
            out[held] = np.asarray(fitted.predict([archs[i] for i in idx[held]]), dtype=np.float64)
        if not np.isfinite(out).all():
            raise ValueError("non-finite out-of-fold predictions")
        return out

    # -------------------------------------------------------------- predict
    def predict(self, archs: Sequence[Any] | np.ndarray, return_std: bool = False) -> Any:
        """Predicted targets ``(n,)``; with ``return_std`` also the cross-validated predictive std."""
        check_is_fitted(self)
        archs = list(archs)
        if not archs:
            empty = np.zeros(0, dtype=np.float64)
            return (empty, empty.copy()) if return_std else empty
        S = np.column_stack([np.asarray(e.predict(archs), dtype=np.float64) for e in self.estimators_])
        zhat = ((S - self.pred_mean_) / self.pred_scale_) @ self.weights_ + self.intercept_
        if not return_std:
            return self.target_.inverse(zhat)
        upper, lower = self.target_.inverse(zhat + self.resid_std_), self.target_.inverse(zhat - self.resid_std_)
        return self.target_.inverse(zhat), (upper - lower) / 2.0

    def table_inputs(self) -> dict[str, Any]:
        """What the fitted components read from the table, merged (see ``InformedRegressor.table_inputs``)."""
        check_is_fitted(self)
        out: dict[str, Any] = {"benchmark": None, "dataset": None, "zc": [], "curve": None}
        for est in self.estimators_:
            if hasattr(est, "table_inputs"):
                got = est.table_inputs()
                out["benchmark"], out["dataset"] = got["benchmark"], got["dataset"]
                out["zc"] = sorted(set(out["zc"]) | set(got["zc"]))
                out["curve"] = out["curve"] or got["curve"]
        return out

    # ---------------------------------------------------------- persistence
    def _save_files(self, directory: Any) -> dict[str, Any]:
        from nasbench_suite.surrogates.io import save_estimator

        for i, est in enumerate(self.estimators_):
            save_estimator(est, directory / f"component{i}")
        np.savez(directory / "stack.npz", sorted_y=self.target_.sorted_y, weights=self.weights_,
                 pred_mean=self.pred_mean_, pred_scale=self.pred_scale_)
        return {"choice": self.choice_, "names": list(self.names_), "intercept": self.intercept_,
                "resid_std": self.resid_std_, "cv_scores": dict(self.cv_scores_), "skipped": dict(self.skipped_)}

    def _load_files(self, directory: Any, meta: dict[str, Any]) -> None:
        from nasbench_suite.surrogates.io import load_estimator

        self.names_ = [str(n) for n in meta["names"]]
        self.estimators_ = [load_estimator(directory / f"component{i}") for i in range(len(self.names_))]
        with np.load(directory / "stack.npz", allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        for key in ("weights", "pred_mean", "pred_scale"):
            if arrays[key].shape != (len(self.names_),):
                raise ValueError(f"StackedRegressor: {key} has shape {arrays[key].shape}, expected ({len(self.names_)},)")
        self.target_ = TargetTransform("quantile", arrays["sorted_y"])
        self.weights_, self.pred_mean_, self.pred_scale_ = arrays["weights"], arrays["pred_mean"], arrays["pred_scale"]
        self.choice_, self.intercept_, self.resid_std_ = str(meta["choice"]), float(meta["intercept"]), float(meta["resid_std"])
        self.cv_scores_, self.skipped_ = dict(meta["cv_scores"]), dict(meta["skipped"])


__all__ = ["STACK", "StackedRegressor", "group_folds"]
