"""Keras-native cost-sensitive pieces: losses, a metric and a decision layer.

For Keras users who write their own ``model.compile`` / ``model.fit`` (integer
or one-hot labels, arrays or ``tf.data``, one output or several) and never
touch scikit-learn. Everything here is written with ``keras.ops``, runs on
TensorFlow, JAX and PyTorch, saves in ``.keras`` files and imports no
scikit-learn:

- :mod:`costkeras.keras.losses`: ``ArgmaxWeightedCrossEntropy`` (the forum's
  weight-matrix loss), ``ClassWeightedCrossEntropy`` (Keras's ``class_weight``
  as a loss, so per output), ``ExpectedCostCrossEntropy``;
- :mod:`costkeras.keras.metrics`: ``MeanCost``, the mean realised cost of the
  decisions, logged per epoch and usable by ``EarlyStopping``, and
  ``LabelsOnly``, which keeps Keras's other metrics right on targets that
  carry per-example cost rows;
- :mod:`costkeras.keras.layers`: ``BayesDecision``, the minimum-expected-cost
  decision as a layer, and ``ClassProbabilities``, a sigmoid unit as two
  class probabilities.

Cost matrices follow ``C[true, predicted]``, the orientation of
:func:`sklearn.metrics.confusion_matrix`.
"""

# imported for their registration: a saved costkeras model's layers load after
# ``import costkeras.keras``
from ._network_layers import (  # noqa: F401
    ColumnSubset,
    PiecewiseLinearEmbedding,
    QuantileNormal,
    RobustScaleClip,
    Sum,
    TwoValuedEmbeddingDense,
)
from .layers import BayesDecision, ClassProbabilities
from .losses import (
    ArgmaxWeightedCrossEntropy,
    ClassWeightedCrossEntropy,
    ExpectedCostCrossEntropy,
    forum_weights_from_costs,
)
from .metrics import LabelsOnly, MeanCost

__all__ = [
    "ArgmaxWeightedCrossEntropy",
    "BayesDecision",
    "ClassProbabilities",
    "ClassWeightedCrossEntropy",
    "ExpectedCostCrossEntropy",
    "LabelsOnly",
    "MeanCost",
    "forum_weights_from_costs",
]
