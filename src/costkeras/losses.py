"""The Keras losses of costkeras, kept importable from their first home.

They live in :mod:`costkeras.keras.losses` with the other Keras-native pieces
(metrics, layers); ``from costkeras.losses import ...`` keeps working and gives
the same classes.
"""

from .keras.losses import (
    ArgmaxWeightedCrossEntropy,
    ClassWeightedCrossEntropy,
    ExpectedCostCrossEntropy,
    forum_weights_from_costs,
)

__all__ = [
    "ArgmaxWeightedCrossEntropy",
    "ClassWeightedCrossEntropy",
    "ExpectedCostCrossEntropy",
    "forum_weights_from_costs",
]
