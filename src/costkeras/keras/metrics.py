"""Keras metrics of the cost of a model's decisions.

``MeanCost`` is a stateful ``keras.metrics.Metric``: ``model.fit(...,
validation_data=...)`` logs ``val_mean_cost`` after every epoch, and
``keras.callbacks.EarlyStopping(monitor="val_mean_cost")`` stops on it.
``LabelsOnly`` keeps Keras's other metrics (accuracy, AUC, ...) right when the
targets carry per-example cost rows. The module imports neither scikit-learn
nor the rest of costkeras's estimator.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

from ._decide import (
    NO_DECISION,
    _assert_same_rows,
    check_columns,
    check_matrix,
    decision_positions,
)
from ._ops import (
    check_prediction,
    check_target_type,
    class_probabilities,
    enforce,
    invalid_to_nan,
    probabilities_check,
    split_target,
)

__all__ = ["LabelsOnly", "MeanCost"]

_DECISIONS = ("bayes", "argmax")


@keras.saving.register_keras_serializable(package="costkeras")
class MeanCost(keras.metrics.Metric):
    """Mean realised cost per example of the decisions a model's probabilities imply.

    Each example is decided as :class:`~costkeras.CostSensitiveKerasClassifier`
    decides: by Bayes's rule ``argmin_j sum_i p_i C[i, j]`` (``decision="bayes"``)
    or by the most probable class (``"argmax"``), and costs ``C[true, decided]``.
    The metric accumulates the (weighted) sum of those costs and of the weights
    over batches, so its value over a whole data set equals
    :func:`costkeras.metrics.mean_cost` on the same decisions, whatever the
    batching.

    Parameters
    ----------
    cost_matrix : array-like of shape (k, k), default=None
        ``C[true, predicted]`` in class-index order. None means every error
        costs 1 (the value is then the error rate of the decisions).
    decision : {"bayes", "argmax"}, default="bayes"
        How probabilities become decisions.
    from_logits : bool, default=False
        Whether ``y_pred`` holds logits (a model without its softmax or
        sigmoid, trained with a loss built ``from_logits=True``): k logits go
        through a softmax, one through a sigmoid, before deciding.
    costs_in_target : bool, default=False
        Whether y_true carries each example's own cost row after its label or
        one-hot row, as the losses built with ``costs_in_target=True`` take
        it: shape (batch, 1 + k) or (batch, 2k). When False, y_true must be
        labels (batch,) / (batch, 1) or one-hot rows (batch, k); any other
        shape raises a ValueError.
    name : str, default="mean_cost"
        Keras logs ``name`` and ``val_`` + ``name``.
    dtype : str, default=None
        The dtype of the metric's running totals (Keras's ``Metric``); None:
        Keras's float type, ``keras.config.floatx()``.

    Notes
    -----
    ``y_true`` is what the losses of :mod:`costkeras.keras.losses` take:
    integer labels (batch,) or (batch, 1), one-hot rows (batch, k), or, with
    ``costs_in_target=True``, either followed by the example's own cost row
    ``C_n[true, :]`` (shape (batch, 1 + k) or (batch, 2k)). With such a row,
    the realised cost is the row's entry at the decision; the decision itself
    still uses ``cost_matrix`` (a row alone cannot decide: the true class is
    unknown when deciding). ``sample_weight`` weighs each example's cost, as
    in ``mean_cost``: one finite, non-negative weight per example, shape
    (batch,) or (batch, 1); another shape raises a ValueError naming
    sample_weight, and so do negative, NaN or infinite weights (inside a
    TensorFlow graph, a ``tf.debugging`` assertion, as for the targets).
    ``y_pred`` is a softmax (batch, k) or one sigmoid unit (batch, 1), or
    their logits with ``from_logits=True``.

    Bad targets are refused as the losses refuse them: labels that are not
    whole numbers in ``[0, k)``, NaN or infinite values raise a ValueError on
    concrete values and a ``tf.debugging`` assertion inside a TensorFlow graph;
    where compiled code cannot raise (XLA, jitted JAX), the offending examples
    cost NaN, so the logged value reads NaN. An example that cannot be
    decided (NaN or infinite probabilities or logits, as a diverged model
    gives) costs NaN too, so the logged value reads NaN rather than a cost
    that would look like the best (``EarlyStopping`` then never keeps such
    weights as the best ones). An empty batch adds nothing, as with Keras's
    metrics: before any example the result is 0, and so it is when every
    weight so far is 0 (Keras's ``divide_no_nan``; ``costkeras.metrics.mean_cost``
    refuses all-zero weights instead, having every weight at once).

    Examples
    --------
    >>> import numpy as np
    >>> from costkeras.keras.metrics import MeanCost
    >>> metric = MeanCost([[0, 1], [10, 0]])          # a missed 1 costs 10
    >>> metric.update_state([1, 0], [[0.8, 0.2], [0.95, 0.05]])
    >>> float(metric.result())                        # decides [1, 0]: both right
    0.0
    >>> metric.update_state([1], [[0.97, 0.03]])      # decided 0: a missed 1
    >>> round(float(metric.result()), 4)
    3.3333
    """

    def __init__(
        self,
        cost_matrix: Any = None,
        decision: str = "bayes",
        *,
        from_logits: bool = False,
        costs_in_target: bool = False,
        name: str = "mean_cost",
        dtype: str | None = None,
    ):
        super().__init__(name=name, dtype=dtype)
        if decision not in _DECISIONS:
            raise ValueError(f"decision must be one of {_DECISIONS}; got {decision!r}.")
        for flag, value in (("from_logits", from_logits), ("costs_in_target", costs_in_target)):
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(f"{flag} must be True or False; got {value!r}.")
        self.from_logits = bool(from_logits)
        self.costs_in_target = bool(costs_in_target)
        self.cost_matrix = (
            None
            if cost_matrix is None
            else check_matrix(
                cost_matrix,
                "cost_matrix",
                decidable=True,
                dtype=self.dtype,
                takes_actions=(
                    "MeanCost judges decisions among the classes, C[true, predicted], and takes "
                    "no actions; costkeras.keras.layers.BayesDecision decides among the m "
                    "actions of a (k, m) matrix."
                ),
            )
        )
        self.decision = decision
        # how Keras's own metrics tell EarlyStopping and ModelCheckpoint that lower is
        # better, so that monitor="val_mean_cost" needs no mode="min"
        self._direction = "down"
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def _matrix(self, proba):
        k = proba.shape[-1]
        matrix = 1.0 - np.eye(k) if self.cost_matrix is None else self.cost_matrix
        return ops.convert_to_tensor(matrix, dtype=proba.dtype)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        check_target_type(y_true, "MeanCost")
        y_pred = ops.convert_to_tensor(y_pred, dtype=self.dtype)
        check_prediction(y_pred, "MeanCost")
        proba = class_probabilities(y_pred, from_logits=self.from_logits)
        checks = [] if self.from_logits else [probabilities_check(y_pred, "MeanCost")]
        y_true = ops.convert_to_tensor(y_true)
        check_columns(proba, self.cost_matrix, "cost_matrix")
        one_hot, row, target_checks = split_target(
            y_true, proba, costs_in_target=self.costs_in_target, owner="MeanCost"
        )
        weights = None
        if sample_weight is not None:
            weights, weight_check = _check_weights(sample_weight, proba)
            checks.append(weight_check)
        valid = enforce(checks + target_checks)
        if 0 in proba.shape[:-1]:
            return  # nothing to add; TensorFlow's eager min refuses an empty batch
        matrix = self._matrix(proba)
        decided = decision_positions(proba, matrix if self.decision == "bayes" else None)
        if row is None:
            row = ops.matmul(one_hot, matrix)  # C[true, :]
        costs = ops.sum(row * ops.one_hot(decided, proba.shape[-1], dtype=proba.dtype), axis=-1)
        # a row with no decision (NaN or infinite probabilities: a diverged model) has no
        # cost either; one_hot(-1) is all zeros and would count it as free, the best value
        costs = ops.where(
            ops.equal(decided, NO_DECISION), ops.full_like(costs, float("nan")), costs
        )
        costs = invalid_to_nan(costs, valid)
        if weights is None:
            weights = ops.ones_like(costs)
        self.total.assign_add(ops.sum(costs * weights))
        self.count.assign_add(ops.sum(weights))

    def result(self):
        return ops.divide_no_nan(self.total, self.count)

    def reset_state(self) -> None:
        self.total.assign(0.0)
        self.count.assign(0.0)

    def get_config(self) -> dict:
        config = super().get_config()
        config["cost_matrix"] = None if self.cost_matrix is None else self.cost_matrix.tolist()
        config["decision"] = self.decision
        config["from_logits"] = self.from_logits
        config["costs_in_target"] = self.costs_in_target
        return config


def _check_weights(sample_weight, proba):
    """Per-example weights of shape (batch,), and the check of their values for ``enforce``.

    As :func:`costkeras.metrics.mean_cost` takes them: one finite, non-negative
    weight per example, (batch,) or (batch, 1) as Keras passes them. A wrong
    shape raises a ValueError naming sample_weight now; a batch size unknown
    until a TensorFlow graph runs is checked by an assertion there.
    """
    weights = ops.cast(ops.convert_to_tensor(sample_weight), proba.dtype)
    shape = tuple(weights.shape)
    n = proba.shape[0]
    expected = f"({n if n is not None else 'batch'},), one weight per example"
    if len(shape) == 2 and shape[1] == 1:
        weights = ops.squeeze(weights, axis=-1)
    elif len(shape) != 1:
        raise ValueError(
            f"MeanCost takes sample_weight of shape {expected} (or (batch, 1)); got shape {shape}."
        )
    rows = weights.shape[0]
    if isinstance(n, int) and isinstance(rows, int):
        if n != rows:
            raise ValueError(
                f"MeanCost got sample_weight of shape {shape} for {n} examples; it takes shape "
                f"{expected}."
            )
    else:
        message = f"MeanCost takes sample_weight of shape {expected}; its rows and y_pred's"
        weights = _assert_same_rows(proba, weights, message)
    ok = ops.logical_and(ops.isfinite(weights), ops.greater_equal(weights, 0))
    message = (
        "MeanCost got sample_weight values that are negative, NaN or infinite; weights must "
        "be finite and non-negative, as costkeras.metrics.mean_cost takes them."
    )
    return weights, (ok, message, weights)


_ACCURACY_NAMES = ("accuracy", "acc")


def _accuracy(y_true, y_pred):
    """Keras's "accuracy" as ``compile`` resolves it: binary, sparse or categorical by shape."""
    if y_pred.shape[-1] == 1:
        return keras.metrics.binary_accuracy(y_true, y_pred)
    if len(y_true.shape) < len(y_pred.shape) or y_true.shape[-1] == 1:
        return keras.metrics.sparse_categorical_accuracy(y_true, y_pred)
    return keras.metrics.categorical_accuracy(y_true, y_pred)


@keras.saving.register_keras_serializable(package="costkeras")
class LabelsOnly(keras.metrics.Metric):
    """A Keras metric handed only the labels of targets that carry per-example cost rows.

    With ``costs_in_target=True`` the losses and :class:`MeanCost` take each
    example's label (or one-hot row) followed by its cost row. Keras's own
    metrics would read those rows as classes: ``"accuracy"`` on a
    (batch, 1 + k) target compares the wrong columns and reports a wrong
    value without a word. ``LabelsOnly(metric)`` drops the cost rows and hands
    ``metric`` the true classes in the layout it takes, whichever of the two
    layouts the target has:

    - Keras's sparse metrics (a ``Sparse*`` class, a ``"sparse_*"`` name or
      function, such as ``"sparse_categorical_accuracy"``) get the labels,
      shape (batch, 1);
    - every other metric gets one-hot rows, shape (batch, k): what Keras's
      categorical metrics (``AUC``, ``Precision``, ``Recall``,
      ``"categorical_accuracy"``, ...) need under a softmax, and what a
      function of yours receives;
    - one sigmoid unit (k = 2) gives every metric the 0/1 label column, as
      Keras's binary metrics take it (a sparse metric also gets the two
      columns ``[1 - p, p]`` as y_pred, so that its argmax reads two classes).

    ``"accuracy"`` works on either, as ``compile`` resolves it.

    Parameters
    ----------
    metric : str, callable or keras.metrics.Metric
        What Keras's ``compile(metrics=[...])`` takes: ``"accuracy"`` (or
        ``"acc"``, resolved as ``compile`` does: binary for one sigmoid unit,
        sparse categorical for labels, categorical for one-hot rows), another
        name :func:`keras.metrics.get` knows, a function ``(y_true, y_pred)``
        of per-example values (averaged), or a metric instance.
    name : str, default=None
        The name Keras logs; None: the wrapped metric's (``"accuracy"`` logs
        as ``accuracy`` and ``val_accuracy``).
    dtype : str, default=None
        The dtype of the metric's running totals (Keras's ``Metric``); None:
        Keras's float type, ``keras.config.floatx()``.

    Notes
    -----
    The target's width must be ``1 + k`` or ``2k`` for the ``k`` classes of
    ``y_pred`` (two for one sigmoid unit); any other shape raises a
    ValueError (a target without cost rows needs no wrapper).
    ``sample_weight`` goes to the wrapped metric.

    Examples
    --------
    >>> import numpy as np
    >>> from costkeras.keras.metrics import LabelsOnly
    >>> y_true = np.array([[0, 0.0, 1.0], [1, 5.0, 0.0]])   # label, then the cost row
    >>> y_pred = np.array([[0.9, 0.1], [0.2, 0.8]])
    >>> accuracy = LabelsOnly("accuracy")
    >>> accuracy.update_state(y_true, y_pred)
    >>> float(accuracy.result())
    1.0

    In a model, next to the losses and ``MeanCost`` built with
    ``costs_in_target=True``::

        model.compile(
            loss=ExpectedCostCrossEntropy(costs_in_target=True),
            metrics=[MeanCost(C, costs_in_target=True), LabelsOnly("accuracy")],
        )
    """

    def __init__(self, metric: Any, name: str | None = None, dtype: str | None = None):
        self._identifier = metric if isinstance(metric, str) else None
        inner = _resolve_metric(metric, dtype)
        super().__init__(name=name or inner.name, dtype=dtype)
        self.metric = inner
        # the wrapped metric's direction (lower or higher is better) for EarlyStopping
        direction = getattr(inner, "_direction", None)
        if direction is not None:
            self._direction = direction

    def update_state(self, y_true, y_pred, sample_weight=None):
        check_target_type(y_true, "LabelsOnly")
        y_true = ops.convert_to_tensor(y_true)
        y_pred = ops.convert_to_tensor(y_pred)
        check_prediction(y_pred, "LabelsOnly")
        units = y_pred.shape[-1]
        k = 2 if units == 1 else units
        shape = tuple(y_true.shape)
        width = shape[-1] if len(shape) == len(y_pred.shape) else None
        if width not in (1 + k, 2 * k):
            raise ValueError(
                f"LabelsOnly got y_true of shape {shape} for y_pred of {k} classes; it takes "
                f"targets that carry cost rows: a label and its cost row (batch, {1 + k}), or "
                f"a one-hot row and its cost row (batch, {2 * k}). A target without cost rows "
                "needs no LabelsOnly: pass the metric itself."
            )
        y_true, y_pred = self._layout(y_true, y_pred, width, k)
        return self.metric.update_state(y_true, y_pred, sample_weight=sample_weight)

    def _layout(self, y_true, y_pred, width: int, k: int):
        """The target (and prediction) the wrapped metric takes, as ``compile`` would give them.

        Sparse metrics (``Sparse*`` classes, ``sparse_*`` functions) get the
        labels (batch, 1); every other metric gets one-hot rows (batch, k), the
        target Keras's categorical metrics (AUC, Precision, Recall, ...) need
        under a softmax. One sigmoid unit: the 0/1 label column, as Keras's
        binary metrics take it; a sparse metric gets ``[1 - p, p]`` as well,
        so that its argmax reads two classes.
        """
        sparse = _takes_labels(self.metric)
        if y_pred.shape[-1] == 1:
            labels = y_true[..., :1] if width == 1 + k else y_true[..., 1:2]
            return labels, (class_probabilities(y_pred) if sparse else y_pred)
        if width == 1 + k:
            labels = y_true[..., :1]
            if sparse:
                return labels, y_pred
            return ops.one_hot(ops.cast(labels[..., 0], "int32"), k, dtype=y_pred.dtype), y_pred
        one_hot = y_true[..., :k]
        if sparse:
            return ops.expand_dims(ops.argmax(one_hot, axis=-1), -1), y_pred
        return one_hot, y_pred

    def result(self):
        return self.metric.result()

    def reset_state(self) -> None:
        self.metric.reset_state()

    def get_config(self) -> dict:
        config = super().get_config()
        if self._identifier is not None:
            config["metric"] = self._identifier
        else:
            config["metric"] = keras.saving.serialize_keras_object(self.metric)
        return config

    @classmethod
    def from_config(cls, config: dict) -> LabelsOnly:
        metric = config["metric"]
        if isinstance(metric, dict):
            metric = keras.saving.deserialize_keras_object(metric)
        return cls(**{**config, "metric": metric})


def _takes_labels(metric: keras.metrics.Metric) -> bool:
    """Whether a metric takes integer labels (Keras's sparse metrics), not one-hot rows."""
    function = getattr(metric, "_fn", None)
    names = (type(metric).__name__, getattr(function, "__name__", "") or "")
    return any(name.lower().startswith("sparse") for name in names)


def _resolve_metric(metric: Any, dtype: str | None) -> keras.metrics.Metric:
    if isinstance(metric, keras.metrics.Metric):
        return metric
    if isinstance(metric, str) and metric.lower() in _ACCURACY_NAMES:
        accuracy = keras.metrics.MeanMetricWrapper(_accuracy, name=metric, dtype=dtype)
        accuracy._direction = "up"  # as Keras's accuracies: EarlyStopping needs no mode
        return accuracy
    if isinstance(metric, type) and issubclass(metric, keras.metrics.Metric):
        return metric(dtype=dtype)
    try:
        resolved = keras.metrics.get(metric) if isinstance(metric, str) else metric
    except ValueError as error:
        raise ValueError(f"LabelsOnly cannot resolve the metric {metric!r}: {error}") from error
    if isinstance(resolved, keras.metrics.Metric):
        if isinstance(metric, str):
            resolved.name = metric  # as compile names it: logged as given
        return resolved
    if not callable(resolved):
        raise TypeError(
            "LabelsOnly takes a metric name, a function (y_true, y_pred) or a "
            f"keras.metrics.Metric; got {metric!r}."
        )
    name = metric if isinstance(metric, str) else getattr(resolved, "__name__", None)
    return keras.metrics.MeanMetricWrapper(resolved, name=name, dtype=dtype)
