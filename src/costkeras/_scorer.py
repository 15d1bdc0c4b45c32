"""The cost scorer behind :func:`costkeras.metrics.make_cost_scorer`.

It subclasses scikit-learn's private ``_BaseScorer`` (through ``_compat``;
stable from 1.4 to 1.9) for two things a ``make_scorer`` scorer cannot do: take the labels'
order from the fitted estimator's ``classes_``, and hand routed per-example
costs to ``predict`` so the decision is judged with the same costs it was
made with.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn import get_config
from sklearn.utils.metadata_routing import get_routing_for_object

from ._compat import BaseScorer
from ._cost_matrix import action_names, check_actions
from ._labels import is_frame, per_output
from .costs import per_output_costs


def _final_estimator(estimator):
    steps = getattr(estimator, "steps", None)
    return steps[-1][1] if steps else estimator


def _fitted_on_one_hot(estimator) -> bool:
    """Whether the estimator was fitted on a one-hot y, read as one output (and predicts
    one-hot rows, unless it decides among actions)."""
    heads = getattr(estimator, "heads_", None)
    return (
        isinstance(heads, list) and len(heads) == 1 and getattr(heads[0], "one_hot_labels", False)
    )


def _one_hot_as_labels(y: Any, classes: Any) -> Any:
    """One-hot rows as the classes they mark; anything else as it is (the metric judges it)."""
    values = np.asarray(y)
    if (
        classes is None
        or values.ndim != 2
        or values.shape[1] != len(classes)
        or values.dtype.kind not in "biuf"
        or not np.isin(values, (0, 1)).all()
        or not (values.sum(axis=1) == 1).all()
    ):
        return y
    return np.asarray(classes)[values.argmax(axis=1)]


def _predict_takes_sample_cost(estimator) -> bool:
    """Whether ``predict`` decides with per-example costs handed to it.

    An estimator set to ``decision="argmax"`` decides without costs by choice
    (and refuses them); its decisions are still judged with them. With
    routing on, a Pipeline refuses metadata its steps do not request, so the
    routing is asked (``set_predict_request(sample_cost=False)`` turns the
    hand-over off).
    """
    final = _final_estimator(estimator)
    predict = getattr(final, "predict", None)
    if predict is None or "sample_cost" not in inspect.signature(predict).parameters:
        return False
    if getattr(final, "decision", None) == "argmax":
        return False
    if get_config().get("enable_metadata_routing", False):
        routing = get_routing_for_object(estimator)
        return "sample_cost" in routing.consumes(method="predict", params={"sample_cost"})
    return True


def _decision_costs(sample_cost, output_names):
    """The per-example costs ``predict`` can decide with: whole (n, k, k) matrices.

    (n, k) cost rows need the true class, so they only judge. With several
    outputs, the outputs given matrices decide with them, the others as fitted.
    """
    if sample_cost is None:
        return None
    names = output_names or ["output1"]
    matrices = {
        name: costs
        for name, costs in zip(names, per_output_costs(sample_cost, names), strict=True)
        if costs is not None and np.ndim(costs) == 3
    }
    if output_names is None:  # one output takes its matrices as they are
        return matrices.get("output1")
    return matrices or None


def _fitted_actions(estimator):
    """The estimator's ``actions_`` when it decides among actions that are not its classes.

    Actions that are the classes are left out, so that a named square matrix keeps its
    reading (labels a cross-validation fold lacks included).
    """
    actions, classes = getattr(estimator, "actions_", None), getattr(estimator, "classes_", None)
    if actions is None or classes is None:
        return None
    if isinstance(actions, list):  # one per output
        kept = [None if np.array_equal(a, c) else a for a, c in zip(actions, classes, strict=True)]
        return None if all(a is None for a in kept) else kept
    return None if np.array_equal(actions, classes) else actions


def _names_its_columns(cost_matrix) -> bool:
    """Whether a cost matrix names its columns (a DataFrame, a dict of dicts)."""
    return is_frame(cost_matrix) or isinstance(cost_matrix, Mapping)


def _judging_actions(actions, cost_matrix, estimator, names):
    """The labels of the columns the scorer judges with, where its metric needs them.

    The scorer's own decide: its ``actions``, or the columns its DataFrame or dict
    of dicts names. The fitted estimator's ``actions_`` only name the columns of a
    matrix that names none (an array, or per-example costs alone), so one scorer
    judges every candidate of a search whose decisions are among its columns, an
    approve/decline model as well as an approve/review/decline one.
    """
    if actions is not None:
        return actions
    fitted = _fitted_actions(estimator)
    if fitted is None:
        return None
    if names is None:
        return None if _names_its_columns(cost_matrix) else fitted
    try:
        matrices = per_output(cost_matrix, names, param="cost_matrix")
    except (TypeError, ValueError):
        return fitted  # the metric says what is wrong with the matrices
    kept = [
        None if _names_its_columns(matrix) else given
        for matrix, given in zip(matrices, fitted, strict=True)
    ]
    return None if all(given is None for given in kept) else kept


def _column_labels(actions, cost_matrix, labels):
    """The labels of one output's cost columns: actions, or the classes ``labels``."""
    if actions is not None:
        return list(check_actions(actions))
    if _names_its_columns(cost_matrix):
        named = action_names(cost_matrix, () if labels is None else labels)
        if named is not None:
            return named
    return None if labels is None else list(labels)


def _model_columns(decision_costs, columns, estimator):
    """Per-example matrices cut to the columns of the decisions the estimator makes.

    The scorer's matrices price its columns; a model deciding among fewer of them
    (approve/decline, judged on approve/review/decline costs) decides with those
    columns only. A model deciding anything else decides without them, and the
    metric names the decisions the costs do not price.
    """
    model = getattr(estimator, "actions_", None)
    if columns is None or model is None or isinstance(model, list):
        return decision_costs
    if np.shape(decision_costs)[-1] != len(columns):
        return decision_costs  # the costs' own check names the shape
    model = list(np.asarray(model).tolist())
    if model == list(np.asarray(columns).tolist()):
        return decision_costs
    position = {column: j for j, column in enumerate(np.asarray(columns).tolist())}
    if not all(action in position for action in model):
        return None
    return np.asarray(decision_costs)[..., [position[action] for action in model]]


def _named_labels(cost_matrix):
    """The classes a DataFrame (its index) or a dict of dicts (its keys) names; else None."""
    if is_frame(cost_matrix):
        named = list(cost_matrix.index)
    elif isinstance(cost_matrix, Mapping):
        named = list(cost_matrix)
    else:
        return None
    try:
        return sorted(named)  # as classes_ sorts them
    except TypeError:
        return named


def _matrix_labels(cost_matrix, names, classes):
    """The labels a scorer judges with: those its matrix names, else the fitted ``classes_``.

    A DataFrame or a dict of dicts names its classes, those a test fold holds and
    its training fold lacked included, so its own labels judge when they cover
    the estimator's classes; one that lacks a class the estimator decides is read
    against ``classes_``, which refuses it as every other entry point does. An
    array names none and takes ``classes_`` (which cover classes a test fold
    lacks). With several outputs, each output's matrix is read so.
    """
    if names is None:
        return _covering_labels(cost_matrix, classes)
    try:
        matrices = per_output(cost_matrix, names, param="cost_matrix")
    except (TypeError, ValueError):
        return classes  # the metric says what is wrong with the matrices
    if not isinstance(classes, list) or len(classes) != len(matrices):
        return classes
    return [
        _covering_labels(matrix, fitted) for matrix, fitted in zip(matrices, classes, strict=True)
    ]


def _covering_labels(cost_matrix, classes):
    named = _named_labels(cost_matrix)
    if named is None:
        return classes
    if classes is None:
        return named
    try:
        covered = set(named)
        return named if all(label in covered for label in np.asarray(classes).tolist()) else classes
    except TypeError:  # unhashable labels: the matrix's own check names them
        return classes


def _model_rows(decision_costs, labels, estimator):
    """Per-example matrices cut to the rows of the classes the estimator was fitted on.

    A matrix naming a class the training fold lacked prices it in a row of its
    own; the model's probabilities have no column for it, so it decides without
    that row (the class still judges: its examples cost what their row says).
    """
    classes = getattr(estimator, "classes_", None)
    if decision_costs is None or labels is None or classes is None or isinstance(classes, list):
        return decision_costs
    labels = list(np.asarray(labels).tolist())
    classes = list(np.asarray(classes).tolist())
    if labels == classes or np.shape(decision_costs)[-2] != len(labels):
        return decision_costs  # the costs' own check names the shape
    position = {label: i for i, label in enumerate(labels)}
    if not all(label in position for label in classes):
        return decision_costs
    return np.asarray(decision_costs)[..., [position[label] for label in classes], :]


class CostScorer(BaseScorer):
    """``scorer(estimator, X, y, sample_weight=None, sample_cost=None)``."""

    def __init__(self, score_func, sign, cost_matrix, labels, actions=None):
        # in _kwargs, as scikit-learn's own scorers keep them, so tools that rebuild a
        # scorer from its parts (TunedThresholdClassifierCV's curve scorer) keep the costs
        super().__init__(
            score_func=score_func,
            sign=sign,
            kwargs={"cost_matrix": cost_matrix, "labels": labels, "actions": actions},
            response_method="predict",
        )

    @property
    def _cost_matrix(self):
        return self._kwargs["cost_matrix"]

    @property
    def _labels(self):
        return self._kwargs["labels"]

    @property
    def _actions(self):
        return self._kwargs.get("actions")

    def __call__(self, estimator, X, y_true, *, sample_weight=None, sample_cost=None, **kwargs):
        # scikit-learn's scorers refuse metadata unless routing is enabled; the
        # per-example costs are this scorer's own input, so direct calls take them.
        if kwargs:
            return super().__call__(estimator, X, y_true, sample_weight=sample_weight, **kwargs)
        return self._score(
            None, estimator, X, y_true, sample_weight=sample_weight, sample_cost=sample_cost
        )

    def _score(self, method_caller, estimator, X, y_true, **kwargs):
        sample_cost = kwargs.pop("sample_cost", None)
        if sample_cost is None and self._cost_matrix is None:
            raise ValueError(
                "this cost scorer has no cost_matrix; route per-example costs to it with "
                "scorer.set_score_request(sample_cost=True) and params={'sample_cost': ...}."
            )
        final = _final_estimator(estimator)
        names = getattr(final, "output_names_", None)
        labels = self._labels
        if labels is None:
            labels = _matrix_labels(self._cost_matrix, names, getattr(final, "classes_", None))
        actions = _judging_actions(self._actions, self._cost_matrix, final, names)
        decision_costs = _decision_costs(sample_cost, names)
        if decision_costs is not None and _predict_takes_sample_cost(estimator):
            if names is None:
                columns = _column_labels(actions, self._cost_matrix, labels)
                decision_costs = _model_columns(decision_costs, columns, final)
                decision_costs = _model_rows(decision_costs, labels, final)
        else:
            decision_costs = None
        if decision_costs is not None:
            y_pred = estimator.predict(X, sample_cost=decision_costs)
        else:
            y_pred = estimator.predict(X)
        if _fitted_on_one_hot(final):
            # the estimator read a one-hot y as one output: so is it judged
            y_true = _one_hot_as_labels(y_true, final.classes_)
            y_pred = _one_hot_as_labels(y_pred, final.classes_)
        return self._sign * self._score_func(
            y_true,
            y_pred,
            cost_matrix=self._cost_matrix,
            labels=labels,
            actions=actions,
            sample_cost=sample_cost,
            output_names=names,
            **kwargs,
        )
