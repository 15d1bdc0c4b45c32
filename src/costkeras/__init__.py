"""costkeras: cost-sensitive neural classification for scikit-learn and Keras.

``CostSensitiveKerasClassifier`` and the losses import Keras (and its
backend) on first use, so ``import costkeras.metrics`` and
``from costkeras import MinimumCostClassifier`` (NumPy and scikit-learn only)
stay light.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "CostSensitiveKerasClassifier": "costkeras.estimator",
    "MinimumCostClassifier": "costkeras.minimum_cost",
}

#: What skops must trust to load a saved costkeras estimator, and all it must trust for
#: one given no functions, callbacks or classes of its user's as parameters (Keras
#: models, optimizers, losses and metrics are stored in Keras's own formats and loaded
#: by Keras in safe mode):
#: ``skops.io.load(file, trusted=costkeras.SKOPS_TRUSTED_TYPES)``.
SKOPS_TRUSTED_TYPES = [
    "costkeras.estimator.CostSensitiveKerasClassifier",
    "costkeras.minimum_cost.MinimumCostClassifier",
    "costkeras._scikeras.heads.Head",
    "costkeras._scikeras.persistence.KerasObject",
    "costkeras._scikeras.targets.Target",
    "costkeras._scikeras.targets.TargetEncoder",
]

__all__ = [
    "SKOPS_TRUSTED_TYPES",
    "CostSensitiveKerasClassifier",
    "MinimumCostClassifier",
    "__version__",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'costkeras' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
