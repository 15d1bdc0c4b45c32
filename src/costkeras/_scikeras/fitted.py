"""What a fitted estimator shows: its per-output attributes, probabilities and score."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score

from .. import _compat
from .targets import from_keras_layout


class FittedMixin:
    """The fitted attributes read from the heads, and accuracy as scikit-learn's score."""

    def _fitted_without_heads(self) -> bool:
        """Whether the fitted estimator has no heads (a custom target encoder's)."""
        self._check_model_fitted()
        return self.__dict__.get("heads_") is None

    @staticmethod
    def scorer(y_true, y_pred, **kwargs) -> float:
        """Accuracy; for a 2-D y, the share of rows with every output right."""
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        if y_true.ndim == 2 and y_true.shape[1] > 1:
            return float(
                np.average(np.all(y_true == y_pred, axis=1), weights=kwargs.get("sample_weight"))
            )
        return accuracy_score(y_true, y_pred, **kwargs)

    def score(self, X, y, sample_weight=None) -> float:
        """Accuracy of y in any of Keras's layouts of several outputs.

        The shared decision layer (``CostDecisionMixin.score``) has already refused
        accuracy for actions and checked the fit before this runs.
        """
        y, _ = self._keras_layout(X, y, fitted=True)
        return super().score(X, y, sample_weight=sample_weight)

    def _keras_layout(self, X, y, *, fitted: bool):
        """y from Keras's layouts of several outputs (a list, tuple or dict) as a 2-D array."""
        try:
            n_samples = _compat.num_samples(X)
        except TypeError:
            n_samples = None  # X's own validation says what is wrong with it
        heads = self.__dict__.get("heads_") if fitted else None
        names = [head.name for head in heads] if heads and len(heads) > 1 else None
        return from_keras_layout(y, n_samples, names)

    def _type_of_target(self, y: np.ndarray) -> str:
        from sklearn.utils.multiclass import type_of_target

        if y.ndim == 2 and y.dtype == object:
            # the columns were checked one by one; together they may mix ints and strs
            return "multiclass-multioutput"
        classes = self.__dict__.get("classes_")
        if y.ndim == 1 and classes is not None and not isinstance(classes, list):
            return type_of_target(np.asarray(classes))  # partial_fit's classes, all of them
        return type_of_target(y)

    def _per_head(self, attribute: str):
        heads = self.heads_
        values = [getattr(head, attribute) for head in heads]
        return values[0] if len(heads) == 1 else values

    cost_matrix_ = property(lambda self: self._per_head("cost_matrix"))
    decision_ = property(lambda self: self._per_head("decision"))

    @property
    def actions_(self):
        """The labels ``predict`` returns: ``classes_``, or the actions the costs name."""
        heads = self.__dict__.get("heads_")
        if heads is None:
            raise AttributeError("actions_ is set by fitting, with costkeras's target encoding.")
        actions = [head.classes if head.actions is None else head.actions for head in heads]
        return actions[0] if len(actions) == 1 else actions

    @property
    def output_names_(self) -> list:
        if len(self.heads_) == 1:
            raise AttributeError("output_names_ is set for several outputs only.")
        return [head.name for head in self.heads_]

    def _head_probas(self, X, **kwargs) -> list[np.ndarray]:
        self._check_model_fitted()
        raw = self._predict_raw(X, **kwargs)
        outputs = raw if isinstance(raw, list) else [raw]
        return [head.proba(outputs[head.output_index]) for head in self.heads_]
