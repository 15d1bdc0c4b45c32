"""Bayes minimum-risk decisions for any scikit-learn classifier, as a meta-estimator.

:class:`MinimumCostClassifier` wraps a classifier with ``predict_proba`` (gradient
boosting, a calibrated model, a stack, a pipeline, a costkeras network) and predicts
``argmin_a sum_i p_i C[i, a]`` for any number of classes, the decisions being the classes
or actions of their own (approve, review, decline). Being an estimator, it can sit at
the end of a ``Pipeline``, be grid-searched over its cost matrix and its inner estimator's
parameters, be cross-validated with :func:`costkeras.metrics.make_cost_scorer`, and be
pickled as one model.

This module imports NumPy and scikit-learn only: never TensorFlow or Keras.
"""

from __future__ import annotations

import re
import warnings
from numbers import Integral
from typing import Any

import numpy as np
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin
from sklearn.frozen import FrozenEstimator
from sklearn.utils import column_or_1d
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from . import _compat
from ._decision_mixin import CostDecisionMixin, DecisionOutput, spread_costs
from ._inner_classifier import InnerClassifierMixin
from ._labels import column, default_output_names
from ._weights import check_score_weight

__all__ = ["MinimumCostClassifier"]

_CALIBRATIONS = ("sigmoid", "isotonic", "temperature")
# what each checked parameter takes, leading scikit-learn's message when it is refused
_TAKES = {
    "estimator": "a classifier with 'fit' and 'predict_proba' (or 'decision_function', calibrated)",
    "calibration": "None, 'sigmoid', 'isotonic' or 'temperature'",
    "cv": "None, an int of at least 2, a cross-validation splitter or an iterable of splits",
    "ensemble": "True, False or 'auto'",
    "n_jobs": "an int or None",
}


def _sklearn_version() -> tuple[int, int]:
    major, minor = re.findall(r"\d+", sklearn.__version__)[:2]
    return int(major), int(minor)


def _is_zero_one(matrix: np.ndarray) -> bool:
    return matrix.shape[0] == matrix.shape[-1] and bool(
        np.array_equal(matrix, 1.0 - np.eye(len(matrix)))
    )


def _y_columns(y) -> tuple[list[np.ndarray], list | None]:
    """The label columns of y and, for several columns, their output names."""
    array = np.asarray(y)
    if array.ndim == 2 and array.shape[1] > 1:
        names = list(y.columns) if hasattr(y, "columns") else default_output_names(array.shape[1])
        return [column(array, j) for j in range(array.shape[1])], names
    return [array.reshape(-1) if array.ndim == 2 else array], None


def _unique_labels(labels: np.ndarray) -> np.ndarray | None:
    try:
        return np.unique(labels)
    except TypeError:  # mixed label types: the inner estimator will say what is wrong
        return None


def _check_two_classes(label_sets: list, names: list | None) -> None:
    for j, labels in enumerate(label_sets):
        if len(labels) < 2:
            where = "y" if names is None else f"y's column {names[j]!r}"
            raise ValueError(
                f"{where} has one class only ({labels.tolist()!r}); a classifier needs at "
                "least two classes to decide between."
            )


class MinimumCostClassifier(
    CostDecisionMixin, InnerClassifierMixin, ClassifierMixin, MetaEstimatorMixin, BaseEstimator
):
    """Bayes minimum-risk decisions for any probabilistic classifier.

    Fits ``estimator`` (optionally calibrated by cross-validation) and predicts, for
    each row, the class of lowest expected cost
    ``argmin_j sum_i p(i | x) C[i, j]`` (Elkan, 2001), where ``C[true, predicted]``
    is the cost matrix (the orientation of :func:`sklearn.metrics.confusion_matrix`)
    and ``p`` the inner estimator's ``predict_proba``. Any number of classes; with
    per-example costs, each row is decided with its own matrix.

    Parameters
    ----------
    estimator : classifier
        Has ``fit`` and ``predict_proba`` (with ``calibration`` set,
        ``decision_function`` is enough). It is cloned and fitted by ``fit``; wrap
        an already fitted classifier in :class:`sklearn.frozen.FrozenEstimator` to
        use it as it is.
    cost_matrix : array-like of shape (k, k) or (k, m), DataFrame, dict of dicts, list \
or dict, default=None
        ``C[true, predicted]``. An array follows ``classes_`` (the sorted labels);
        a pandas DataFrame (index: true label, columns: predicted label) and a dict
        of dicts ``{true: {predicted: cost}}`` (a missing diagonal entry is 0) name
        their labels and are reordered to ``classes_``. None means 0/1 costs: the
        most probable class, unless ``predict`` is given per-example costs.

        The columns may be actions rather than classes, ``C[true, action]`` of
        shape (k, m): a DataFrame's columns or a dict of dicts' inner keys that
        are not classes name them (approve, review, decline), an array's are
        named by ``actions``. ``predict`` then returns actions.

        ``fit`` checks it as every entry point that takes a cost matrix does
        (``CostSensitiveKerasClassifier``, :mod:`costkeras.decisions`, the
        metrics and scorers), with the same messages: one column, or every row
        constant (all zeros), leaves nothing to decide and is refused.
    actions : array-like of shape (m,), list or dict, default=None
        The labels of the columns of an array ``cost_matrix`` when they are
        actions (an array with ``m != k`` needs them); for a DataFrame or dict of
        dicts, their order. None: the columns are the classes, or the names the
        matrix gives. Per output (a list or dict by output name) for several.

        For a multi-output inner classifier (y with several columns, ``classes_``
        and ``predict_proba`` lists), a list with one matrix per column of y, or a
        dict keyed by output name (the DataFrame's column names, else ``output1``,
        ``output2``, ...); an output given None, or left out of the dict, is
        decided by its most probable class.
    calibration : {None, "sigmoid", "isotonic", "temperature"}, default=None
        Calibrate the inner estimator's probabilities before deciding, with
        :class:`sklearn.calibration.CalibratedClassifierCV` (``method=calibration``).
        Bayes decisions are only as good as the probabilities. ``"temperature"``
        needs scikit-learn >= 1.8. Single-output y only.
    cv : int, cross-validation generator or iterable, default=None
        The calibration's cross-validation (None: 5-fold, stratified), as in
        ``CalibratedClassifierCV``. Used with ``calibration`` only.
    ensemble : bool or "auto", default="auto"
        ``CalibratedClassifierCV``'s ``ensemble``: True averages one calibrated
        copy of the estimator per fold; False fits the estimator on all the data
        and calibrates it on out-of-fold probabilities; "auto" is False for a
        ``FrozenEstimator``, True otherwise. Used with ``calibration`` only.
    n_jobs : int, default=None
        Folds of the calibration fitted in parallel. Used with ``calibration`` only.

    Attributes
    ----------
    estimator_ : classifier
        The fitted inner estimator, or the fitted ``CalibratedClassifierCV`` around
        it when ``calibration`` is set. Its ``predict_proba`` gives the
        probabilities that are decided.
    classes_ : ndarray of shape (k,), or list of ndarray
        ``estimator_.classes_``: the labels, in the order of the costs' rows and
        columns (one array per output for multi-output y).
    cost_matrix_ : ndarray of shape (k, m), or list of ndarray
        The costs, rows in ``classes_`` order, columns in ``actions_`` order (the
        0/1 matrix ``1 - I`` when ``cost_matrix`` is None); one per output for
        multi-output y.
    actions_ : ndarray of shape (m,), or list of ndarray
        The labels ``predict`` returns, the columns of ``cost_matrix_``:
        ``classes_`` unless the costs name actions.
    output_names_ : list
        For multi-output y only: the outputs' names, the keys of a dict
        ``cost_matrix``.
    n_features_in_ : int
        Number of features seen during fit, when the inner estimator records it.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when the inner estimator records them.

    See Also
    --------
    costkeras.decisions.predict_min_cost : the same decision as a function of a fitted
        classifier.
    costkeras.metrics.make_cost_scorer : a scorer that judges the decisions with fixed
        or per-example costs.
    sklearn.model_selection.FixedThresholdClassifier : a fixed threshold on binary
        problems.

    Notes
    -----
    Adding a constant to a row of ``C`` (the costs of one true class) or scaling
    ``C`` by a positive factor changes no decision.

    ``fit(X, y, **fit_params)`` passes ``fit_params`` to the inner estimator's
    ``fit``; with metadata routing enabled they are routed by the inner
    estimator's requests (``estimator.set_fit_request(sample_weight=True)``), and
    with ``calibration`` a routed ``sample_weight`` also weighs the calibration.
    ``predict`` and ``predict_expected_cost`` take per-example cost matrices
    ``sample_cost`` of shape (n_samples, k, m) (several outputs: per output, as
    in :meth:`predict`), requested from routing by default, so a routed cost
    scorer decides and judges each row with its own costs.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from costkeras import MinimumCostClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> C = [[0, 1, 1],   # rows: true class, columns: predicted class
    ...      [1, 0, 10],  # a true versicolor (1) called virginica (2) costs 10
    ...      [1, 1, 0]]
    >>> clf = MinimumCostClassifier(LogisticRegression(max_iter=1000), cost_matrix=C)
    >>> clf.fit(X, y).predict(X[[0, 50, 100]])
    array([0, 1, 2])
    >>> risk = clf.predict_expected_cost(X)   # R[n, j] = sum_i p_i C[i, j]
    >>> bool((clf.predict(X) == clf.classes_[risk.argmin(axis=1)]).all())
    True
    >>> plain = clf.estimator_.predict(X)
    >>> int((clf.predict(X) == 2).sum()) <= int((plain == 2).sum())
    True

    Actions that are not classes: a person looks at a doubtful flower for 0.3.

    >>> C_review = [[0, 1, 1, 0.3], [1, 0, 10, 0.3], [1, 1, 0, 0.3]]
    >>> clf = MinimumCostClassifier(
    ...     LogisticRegression(max_iter=1000), cost_matrix=C_review,
    ...     actions=[0, 1, 2, "look"]).fit(X, y)
    >>> clf.actions_.tolist()
    [0, 1, 2, 'look']
    >>> clf.predict_expected_cost(X).shape
    (150, 4)
    """

    # A routed sample_cost goes to predict unless the user says otherwise, so a cost
    # scorer judges decisions made with the same per-example costs (as for
    # CostSensitiveKerasClassifier).
    __metadata_request__predict = {"sample_cost": True}

    _parameter_constraints: dict = {
        "estimator": [
            _compat.HasMethods(["fit", "predict_proba"]),
            _compat.HasMethods(["fit", "decision_function"]),
        ],
        # checked in fit by _cost_matrix.check_costs, with every entry point's messages
        "cost_matrix": "no_validation",
        "actions": "no_validation",
        "calibration": [_compat.StrOptions(set(_CALIBRATIONS)), None],
        "cv": ["cv_object"],
        "ensemble": ["boolean", _compat.StrOptions({"auto"})],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        estimator: Any,
        *,
        cost_matrix: Any = None,
        actions: Any = None,
        calibration: str | None = None,
        cv: Any = None,
        ensemble: bool | str = "auto",
        n_jobs: int | None = None,
    ) -> None:
        self.estimator = estimator
        self.cost_matrix = cost_matrix
        self.actions = actions
        self.calibration = calibration
        self.cv = cv
        self.ensemble = ensemble
        self.n_jobs = n_jobs

    # ------------------------------------------------------------------ fit

    def _validate_params(self) -> None:
        """scikit-learn's check of ``_parameter_constraints``, its message led by the parameter's
        name and what it takes, as the other checks of ``fit`` say it."""
        params = self.get_params(deep=False)
        for name, constraints in self._parameter_constraints.items():
            try:
                _compat.validate_parameter_constraints(
                    {name: constraints}, {name: params[name]}, caller_name=type(self).__name__
                )
            except _compat.InvalidParameterError as error:
                raise type(error)(
                    f"{name} must be {_TAKES[name]}; got {params[name]!r}. {error}"
                ) from None

    def _check_parameter_combinations(self) -> None:
        """What the constraints of single parameters cannot say: versions, calibration's needs."""
        if self.calibration == "temperature" and _sklearn_version() < (1, 8):
            raise ValueError(
                "calibration='temperature' needs scikit-learn >= 1.8 (CalibratedClassifierCV"
                f"(method='temperature')); scikit-learn {sklearn.__version__} is installed. "
                "Use 'sigmoid' or 'isotonic', or upgrade scikit-learn."
            )
        if self.calibration is None:
            unused = [name for name in ("cv", "n_jobs") if getattr(self, name) is not None]
            if not (isinstance(self.ensemble, str) and self.ensemble == "auto"):
                unused.append("ensemble")
            if unused:
                warnings.warn(
                    f"{', '.join(unused)} only act with calibration; calibration is None, "
                    "so they are not used.",
                    UserWarning,
                    stacklevel=4,
                )
            if not hasattr(self.estimator, "predict_proba"):  # decision_function needs calibration
                raise TypeError(
                    "estimator must be a classifier with 'fit' and 'predict_proba'; got "
                    f"{self.estimator!r}."
                )

    def _precheck_costs(self, y) -> None:
        """Validate the costs against y's labels before the inner estimator is fitted."""
        columns, names = _y_columns(y)
        if self.calibration is not None and names is not None:
            raise ValueError(
                f"calibration={self.calibration!r} supports a single-output y only; y has "
                f"{len(names)} columns."
            )
        if isinstance(self.estimator, FrozenEstimator):
            return  # a prefit estimator's classes_ may hold labels this y lacks
        label_sets = [_unique_labels(labels) for labels in columns]
        if any(labels is None for labels in label_sets):
            return
        _check_two_classes(label_sets, names)
        spread_costs(self.cost_matrix, self.actions, label_sets, names)

    @_compat.fit_context(prefer_skip_nested_validation=False)  # the inner estimator is checked
    def fit(self, X: Any, y: Any, **fit_params: Any) -> MinimumCostClassifier:
        """Fit the inner estimator (and its calibration) and validate the costs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, as the inner estimator takes it.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels (several columns for a multi-output inner classifier).
        **fit_params : dict
            Passed to the inner estimator's ``fit`` (``sample_weight``, ...); with
            metadata routing enabled, routed by its requests.

        Returns
        -------
        self : MinimumCostClassifier
        """
        self._check_parameter_combinations()
        columns, names = _y_columns(y)
        for labels in [y] if names is None else columns:  # columns may mix str and int
            check_classification_targets(labels)
        y_shape = np.asarray(y).shape
        if y_shape[0] == 0:
            raise ValueError("y has 0 samples; fit needs samples of at least two classes.")
        if self.calibration is not None and len(y_shape) == 2 and y_shape[1] == 1:
            # CalibratedClassifierCV(method="temperature") fails on a column y (1.9.1)
            y = column_or_1d(y, warn=True)
        self._precheck_costs(y)
        self._fit_inner(X, y, fit_params)
        self._set_costs(y)
        return self

    def _set_costs(self, y) -> None:
        """``classes_``, ``cost_matrix_``, ``actions_`` (``output_names_``) of the fitted inner."""
        classes = self.estimator_.classes_
        if isinstance(classes, list):
            _, names = _y_columns(y)
            if names is None or len(names) != len(classes):
                names = default_output_names(len(classes))
            self.classes_ = [np.asarray(labels) for labels in classes]
            _check_two_classes(self.classes_, names)
            self.output_names_ = names
            spread = spread_costs(self.cost_matrix, self.actions, self.classes_, names)
            self.cost_matrix_ = [costs for costs, _ in spread]
            self.actions_ = [actions for _, actions in spread]
        else:
            self.classes_ = np.asarray(classes)
            _check_two_classes([self.classes_], None)
            ((self.cost_matrix_, self.actions_),) = spread_costs(
                self.cost_matrix, self.actions, [self.classes_], None
            )

    # -------------------------------------------------------------- predict

    def _decision_outputs(self) -> list[DecisionOutput]:
        """The fitted outputs, in the order of ``predict_proba``'s."""
        check_is_fitted(self, "estimator_")
        several = isinstance(self.classes_, list)
        names = self.output_names_ if several else ["output1"]
        columns = [self.classes_, self.cost_matrix_, self.actions_]
        return [
            DecisionOutput(
                name=name,
                n_classes=len(classes),
                n_decisions=matrix.shape[1],
                cost_matrix=matrix,
                bayes=not _is_zero_one(matrix),
                labels=np.asarray(actions).__getitem__,
                actions=None if np.array_equal(actions, classes) else actions,
            )
            for name, classes, matrix, actions in zip(
                names, *(values if several else [values] for values in columns), strict=True
            )
        ]

    def _output_probas(self, X) -> list:
        """The inner estimator's probabilities, one array per output."""
        check_is_fitted(self, "estimator_")
        proba = self.predict_proba(X)
        return proba if isinstance(proba, list) else [proba]

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        # CostDecisionMixin.score's docstring; the weights get the metrics' check and messages
        self._decision_outputs()  # fitted before the weights are read
        if sample_weight is not None:
            sample_weight = check_score_weight(
                sample_weight, _compat.num_samples(y), undefined="the accuracy is undefined"
            )
        return super().score(X, y, sample_weight=sample_weight)
