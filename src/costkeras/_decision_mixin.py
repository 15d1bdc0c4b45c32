"""The decision methods both estimators share: predict, predict_expected_cost and score.

As scikit-learn's ``BaseThresholdClassifier`` serves ``FixedThresholdClassifier`` and
``TunedThresholdClassifierCV``, :class:`CostDecisionMixin` serves
:class:`~costkeras.MinimumCostClassifier` and ``CostSensitiveKerasClassifier``. Each
estimator says what its outputs are (:class:`DecisionOutput`: classes, actions, costs)
and gives their probabilities; the mixin spreads the costs given to a method over the
outputs, decides, prices every decision and refuses accuracy for actions, the same way
for both. The arithmetic is ``_bayes``'s; plain NumPy.

Costs given to a method always decide: ``predict(X, sample_cost=S)`` is Bayes's
decision with ``S``. Without them, an output decides by Bayes with its cost matrix
when its ``bayes`` is set, and by its most probable class otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _bayes
from ._cost_matrix import check_costs
from ._labels import per_output, stack_columns
from .costs import per_output_costs


@dataclass(frozen=True)
class DecisionOutput:
    """One output of a fitted estimator, as its decisions see it."""

    name: Any  # keys the output's per-example costs; names them in messages
    n_classes: int  # k, the rows of its costs
    n_decisions: int  # m, the columns of its costs: its actions, or its k classes
    cost_matrix: np.ndarray | None  # prices its decisions; None: the 0/1 cost
    bayes: bool  # whether cost_matrix decides by default (else the most probable class)
    labels: Callable[[np.ndarray], np.ndarray]  # positions of decisions -> what predict returns
    actions: np.ndarray | None = None  # the decisions' labels when they are no classes


class CostDecisionMixin:
    """``predict``, ``predict_expected_cost`` and ``score`` from per-output probabilities.

    A subclass defines ``_decision_outputs()``, its fitted outputs (raising
    ``NotFittedError`` before ``fit``), and ``_output_probas(X, **params)``, their
    probabilities (one (n, k) array per output, in the same order). It may define
    ``_check_sample_cost_allowed()`` to refuse per-example costs given to a method.
    """

    def _check_sample_cost_allowed(self) -> None:
        """Refuse per-example costs where the estimator decides without costs."""

    def _sample_costs(self, outputs: list[DecisionOutput], sample_cost, n_samples: int) -> list:
        """Per-example (n, k, m) costs given to a method, one entry (or None) per output."""
        if sample_cost is None:
            return [None] * len(outputs)
        self._check_sample_cost_allowed()
        single = len(outputs) == 1
        given = per_output_costs(sample_cost, [output.name for output in outputs])
        return [
            _bayes.decision_costs(
                value,
                n_samples,
                output.n_classes,
                param="sample_cost" if single else f"sample_cost[{output.name!r}]",
                n_actions=output.n_decisions,
            )
            for output, value in zip(outputs, given, strict=True)
        ]

    def _decision_labels(self, probas: list, sample_cost=None) -> np.ndarray:
        """The labels of the decisions, (n,) for one output, (n, outputs) for several."""
        outputs = self._decision_outputs()
        given = self._sample_costs(outputs, sample_cost, len(probas[0]))
        labels = []
        for output, proba, costs in zip(outputs, probas, given, strict=True):
            if costs is None and output.bayes:
                costs = output.cost_matrix
            labels.append(output.labels(_bayes.decision_positions(proba, costs)))
        return labels[0] if len(labels) == 1 else stack_columns(labels)

    def _expected_costs(self, probas: list, sample_cost=None):
        """``R[n, a] = sum_i p_i C[i, a]`` per output: one array, or a list for several."""
        outputs = self._decision_outputs()
        given = self._sample_costs(outputs, sample_cost, len(probas[0]))
        risks = [
            _bayes.expected_costs(proba, output.cost_matrix if costs is None else costs)
            for output, proba, costs in zip(outputs, probas, given, strict=True)
        ]
        return risks[0] if len(risks) == 1 else risks

    def predict(self, X: Any, sample_cost: Any = None) -> np.ndarray:
        """Predict the decision of lowest expected cost: ``argmin_a sum_i p_i C[i, a]``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        sample_cost : array-like of shape (n_samples, k, m), default=None
            One cost matrix ``C_n[true, decision]`` per row, rows in
            ``classes_`` order and columns in ``actions_`` order (``m = k``:
            the classes), used instead of ``cost_matrix_`` (also when
            ``cost_matrix`` is None). Requested from metadata routing by
            default. With several outputs: a dict by output name, a list with
            one entry (or None) per output, or :class:`~costkeras.costs.OutputCosts`.

        Returns
        -------
        ndarray of shape (n_samples,), or (n_samples, n_outputs)
            Labels from ``actions_`` (the classes unless the costs name
            actions); ties go to the decision that comes first.
        """
        return self._decision_labels(self._output_probas(X), sample_cost)

    def predict_expected_cost(self, X: Any, sample_cost: Any = None) -> Any:
        """Expected cost of each possible decision: ``R[n, a] = sum_i p_i C[i, a]``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        sample_cost : array-like of shape (n_samples, k, m), default=None
            One cost matrix per row instead of ``cost_matrix_``; per output
            as in :meth:`predict` for several outputs.

        Returns
        -------
        ndarray of shape (n_samples, m), or a list of them for several outputs
            Column ``a`` is the cost to expect from deciding ``actions_[a]``.
        """
        return self._expected_costs(self._output_probas(X), sample_cost)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy of ``predict`` against y (scikit-learn's convention for classifiers).

        With actions that are not classes, accuracy has no meaning: judge the
        decisions with :func:`costkeras.metrics.make_cost_scorer` instead.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        float
        """
        named = [
            output.actions for output in self._decision_outputs() if output.actions is not None
        ]
        if named:
            raise ValueError(
                "score is accuracy, which compares predictions with classes, but this "
                f"classifier predicts actions {named[0].tolist()!r}; score it with "
                "costkeras.metrics.make_cost_scorer(cost_matrix) instead."
            )
        return super().score(X, y, sample_weight=sample_weight)


def spread_costs(
    cost_matrix: Any, actions: Any, label_sets: list, names: list | None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(cost matrix, actions)`` checked for each output, in the order of ``label_sets``.

    ``names`` is None for one output, else the outputs' names, which key a dict
    ``cost_matrix`` or ``actions``. A matrix of None is the 0/1 cost; the actions
    are the columns' labels, the classes unless the costs name others.
    """
    if names is None:
        matrices, named_actions, wheres = [cost_matrix], [actions], [""]
    else:
        if (isinstance(cost_matrix, np.ndarray) and cost_matrix.ndim == 2) or hasattr(
            cost_matrix, "columns"
        ):
            raise TypeError(
                "y has several columns (outputs), so cost_matrix must be a list with one "
                "matrix per output (None: 0/1 costs) or a dict keyed by output name "
                f"{names!r}; got a single matrix."
            )
        matrices = per_output(cost_matrix, names, param="cost_matrix")
        named_actions = per_output(actions, names, param="actions")
        wheres = [f"[{name!r}]" for name in names]
    spread = []
    for labels, matrix, named, where in zip(
        label_sets, matrices, named_actions, wheres, strict=True
    ):
        if matrix is None:
            if named is not None:
                raise ValueError(
                    f"actions{where} names the columns of cost_matrix{where}, which is "
                    "None; give the (k, m) cost matrix of those actions."
                )
            spread.append((1.0 - np.eye(len(labels)), np.asarray(labels)))
            continue
        costs, named = check_costs(
            matrix,
            labels,
            actions=named,
            param=f"cost_matrix{where}",
            actions_param=f"actions{where}",
        )
        spread.append((costs, np.asarray(labels) if named is None else named))
    return spread
