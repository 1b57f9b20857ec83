"""The named surrogates of :data:`~nasbench_suite.surrogates.SURROGATES`.

Each preset fixes the encoding, the target transform and hyperparameters
that were chosen once by cross-validation on training sets of 100 and 1,000
NB201 cells (see ``benchmarks/surrogate_quality.py``), so that users and
the CLI get a good model from its name alone. Every factory takes the
search space and a seed, and returns an unfitted estimator over
architectures.
"""

from __future__ import annotations

from nasbench_suite.surrogates.ensemble import EnsembleRegressor
from nasbench_suite.surrogates.estimator import ArchRegressor


def gin(space: str, *, random_state: int = 0) -> ArchRegressor:
    """GIN on the graph encoding, rank-normal targets."""
    from nasbench_suite.surrogates.models.gin import GINRegressor

    return ArchRegressor(GINRegressor(random_state=random_state), space=space, encoding="graph", target="quantile")


def xgb(space: str, *, random_state: int = 0) -> ArchRegressor:
    """XGBoost on the rich ``features`` encoding, rank-normal targets."""
    from nasbench_suite.surrogates.models.xgb import XGBRegressor

    return ArchRegressor(XGBRegressor(random_state=random_state), space=space, encoding="features", target="quantile")


def rf(space: str, *, random_state: int = 0) -> ArchRegressor:
    """Random forest on the ``features`` encoding, rank-normal targets."""
    from nasbench_suite.surrogates.models.forest import RandomForestRegressor

    return ArchRegressor(RandomForestRegressor(random_state=random_state), space=space, encoding="features", target="quantile")


def gp(space: str, *, random_state: int = 0) -> ArchRegressor:
    """Gaussian process on the ``features`` encoding, rank-normal targets."""
    from nasbench_suite.surrogates.models.gp import GaussianProcessRegressor

    return ArchRegressor(GaussianProcessRegressor(random_state=random_state), space=space, encoding="features", target="quantile")


def ridge(space: str, *, random_state: int = 0) -> ArchRegressor:
    """Ridge regression on the ``features`` encoding, rank-normal targets (deterministic: the seed is unused)."""
    from nasbench_suite.surrogates.models.ridge import RidgeRegressor

    return ArchRegressor(RidgeRegressor(), space=space, encoding="features", target="quantile")


def mlp(space: str, *, random_state: int = 0) -> ArchRegressor:
    """scikit-learn MLP on the ``features`` encoding, rank-normal targets."""
    from nasbench_suite.surrogates.models.mlp import MLPRegressor

    return ArchRegressor(MLPRegressor(random_state=random_state), space=space, encoding="features", target="quantile")


def ensemble(space: str, *, random_state: int = 0) -> EnsembleRegressor:
    """Mean of a GIN, XGBoost and a GP (seeds ``random_state + i``); their spread is the predictive std.

    The three err differently (message passing on the graph, trees and a
    kernel on the ``features`` encoding), so their mean ranks better than any
    of them alone.
    """
    return EnsembleRegressor(estimators=[gin(space), xgb(space), gp(space)], random_state=random_state)


def lgbm(space: str, *, random_state: int = 0) -> ArchRegressor:
    """LightGBM on the ``features`` encoding, rank-normal targets."""
    from nasbench_suite.surrogates.models.lgbm import LGBMRegressor

    return ArchRegressor(LGBMRegressor(random_state=random_state), space=space, encoding="features", target="quantile")


def ngboost(space: str, *, random_state: int = 0) -> ArchRegressor:
    """NGBoost (a boosted normal: mean and std) on the ``features`` encoding, rank-normal targets.

    Needs the ``predictors`` extra (``pip install 'nasbench-suite[predictors]'``).
    """
    from nasbench_suite.surrogates.models.ngb import NGBoostRegressor, _require_ngboost

    _require_ngboost()
    return ArchRegressor(NGBoostRegressor(random_state=random_state), space=space, encoding="features", target="quantile")


def deep_ensemble(space: str, *, random_state: int = 0) -> ArchRegressor:
    """A deep ensemble of five mean-variance MLPs on the ``features`` encoding, rank-normal targets."""
    from nasbench_suite.surrogates.models.deep_ensemble import DeepEnsembleRegressor

    return ArchRegressor(DeepEnsembleRegressor(random_state=random_state), space=space, encoding="features", target="quantile")


def wl_gp(space: str, *, random_state: int = 0) -> ArchRegressor:
    """GP with a Weisfeiler-Lehman subtree kernel on the ``graph`` encoding (NAS-BOWL), rank-normal targets."""
    from nasbench_suite.surrogates.models.wl_gp import WLGaussianProcessRegressor

    return ArchRegressor(WLGaussianProcessRegressor(random_state=random_state), space=space, encoding="graph", target="quantile")


def arch2vec(space: str, *, random_state: int = 0) -> ArchRegressor:
    """A graph autoencoder pretrained on 2,000 unlabeled cells of ``space``, then a GP on its embeddings."""
    from nasbench_suite.surrogates.models.arch2vec import Arch2VecRegressor

    return ArchRegressor(Arch2VecRegressor(space=space, random_state=random_state), space=space, encoding="graph", target="quantile")
