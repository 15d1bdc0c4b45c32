"""Multi-output targets: one softmax head per column of y.

Keras 3 refuses ``class_weight`` for any model with more than one output and
scikeras cannot encode a 2-column y; costkeras gives each head its own loss
(with its own class weights and cost matrix) and its own decision instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from ._encoding import OneHotClassEncoder
from ._validation import column, default_output_names, stack_columns

__all__ = ["MultiOutputEncoder", "column", "default_output_names", "output_order", "stack_columns"]


def layer_name(output_name) -> str:
    """A Keras layer name for an output (Keras names allow no spaces or slashes)."""
    return re.sub(r"[^0-9A-Za-z_.-]", "_", str(output_name))


def output_order(names: Sequence, model_output_names: Sequence[str]) -> list[int]:
    """For each column of y, the position of its head among the model's outputs.

    By name when the model's output names are the columns' names, by order
    otherwise.
    """
    by_name = {name: i for i, name in enumerate(model_output_names)}
    columns = [layer_name(name) for name in names]
    if sorted(columns) == sorted(by_name):
        return [by_name[column] for column in columns]
    return list(range(len(names)))


class MultiOutputEncoder(TransformerMixin, BaseEstimator):
    """scikeras target encoder for a (n_samples, n_outputs) y: one-hot per column.

    ``transform`` returns one (n, k_o) array per output; ``get_metadata``
    gives the estimator ``classes_`` and ``n_classes_`` as lists.
    """

    def fit(self, y: np.ndarray) -> MultiOutputEncoder:
        self.encoders_ = [OneHotClassEncoder().fit(column(y, j)) for j in range(y.shape[1])]
        return self

    def transform(self, y: np.ndarray) -> list[np.ndarray]:
        return [encoder.transform(column(y, j)) for j, encoder in enumerate(self.encoders_)]

    def inverse_transform(self, outputs, return_proba: bool = False):
        if return_proba:
            return list(outputs)
        return stack_columns(
            [
                encoder.inverse_transform(p)
                for encoder, p in zip(self.encoders_, outputs, strict=True)
            ]
        )

    def get_metadata(self) -> dict:
        return {
            "classes_": [encoder.classes_ for encoder in self.encoders_],
            "n_classes_": [encoder.n_classes_ for encoder in self.encoders_],
            "n_outputs_": len(self.encoders_),
            "n_outputs_expected_": len(self.encoders_),
        }
