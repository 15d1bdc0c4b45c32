"""Target encoding between user labels and a Keras softmax head."""

from __future__ import annotations

import keras
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin


def label_positions(y: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Positions of ``y`` in the sorted ``classes``; unknown labels raise."""
    positions = np.searchsorted(classes, y)
    positions = np.clip(positions, 0, len(classes) - 1)
    unknown = classes[positions] != y
    if np.any(unknown):
        raise ValueError(
            f"y holds labels {np.unique(y[unknown]).tolist()!r} that are not among "
            f"the classes {classes.tolist()!r}."
        )
    return positions


class OneHotClassEncoder(TransformerMixin, BaseEstimator):
    """Encode labels as one-hot rows for a softmax head, and decode back.

    Binary problems get two columns too, so every loss and decision in
    costkeras sees a (n_samples, k) probability matrix, like
    ``predict_proba`` in scikit-learn.

    This is the ``target_encoder`` that scikeras asks for; ``get_metadata``
    hands ``classes_`` and ``n_classes_`` to the estimator and its model
    builder.
    """

    def fit(self, y: np.ndarray) -> OneHotClassEncoder:
        self.classes_ = np.unique(y)
        self.n_classes_ = len(self.classes_)
        return self

    def transform(self, y: np.ndarray) -> np.ndarray:
        eye = np.eye(self.n_classes_, dtype=keras.backend.floatx())
        return eye[label_positions(np.asarray(y).ravel(), self.classes_)]

    def inverse_transform(self, proba: np.ndarray, return_proba: bool = False) -> np.ndarray:
        if return_proba:
            return proba
        return self.classes_[np.argmax(proba, axis=1)]

    def get_metadata(self) -> dict:
        return {
            "classes_": self.classes_,
            "n_classes_": self.n_classes_,
            "n_outputs_": 1,
            "n_outputs_expected_": 1,
        }
