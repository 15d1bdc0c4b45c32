"""The cost-sensitive Keras classifier."""

from __future__ import annotations

import functools
from collections.abc import Callable
from numbers import Integral, Real
from typing import Any

import keras
import numpy as np
from scikeras._utils import (
    get_metric_class,
    get_optimizer_class,
    route_params,
    try_to_convert_strings_to_classes,
    unflatten_params,
)
from scikeras.wrappers import KerasClassifier
from sklearn.base import BaseEstimator
from sklearn.metrics import accuracy_score
from sklearn.utils import column_or_1d
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_array, check_is_fitted

from . import decisions
from ._encoding import OneHotClassEncoder, label_positions
from ._multioutput import (
    MultiOutputEncoder,
    column,
    default_output_names,
    output_order,
    stack_columns,
)
from ._network import build_mlp
from ._scikeras_compat import EndOfTagsChain, ScikerasCompatMixin, drop_weightless
from ._threads import follow_omp_num_threads
from ._validation import (
    check_classification_target,
    check_cost_matrix,
    check_nonnegative,
    check_sample_cost,
    class_weight_vector,
    cost_rows,
    per_output,
)
from .losses import (
    ArgmaxWeightedCrossEntropy,
    ClassWeightedCrossEntropy,
    ExpectedCostCrossEntropy,
    forum_weights_from_costs,
)

__all__ = ["CostSensitiveKerasClassifier"]

# In a joblib worker this module is imported (to unpickle the estimator) before any
# TensorFlow op runs: the last moment its thread pools can still be sized.
follow_omp_num_threads()


COST_LOSSES = ("cross_entropy", "argmax_weighted", "class_weighted", "expected_cost")
DECISIONS = ("auto", "bayes", "argmax")
# Losses that reweight whole examples: their probabilities already lean by the costs.
COST_WEIGHTING_LOSSES = ("argmax_weighted", "class_weighted")


def training_setup(
    cost_loss: str,
    cost_loss_weight: float,
    cost_matrix: np.ndarray | None,
    rows: np.ndarray | None = None,
):
    """The Keras loss for ``cost_loss``, and what travels with the targets.

    Parameters
    ----------
    cost_loss, cost_loss_weight
        The estimator's parameters.
    cost_matrix : ndarray of shape (k, k) or None
        The validated class-level cost matrix.
    rows : ndarray of shape (n, k) or None
        Per-example costs of predicting each class (the truth known). When
        given, they replace ``cost_matrix`` in training.

    Returns
    -------
    loss : keras.losses.Loss
    target_rows : ndarray of shape (n, k) or None
        Appended to the one-hot targets (see ``costkeras.losses``).
    example_weights : ndarray of shape (n,) or None
        Multiplied into the sample weights.
    """
    costs = cost_matrix if rows is None else rows
    if costs is None or cost_loss == "cross_entropy":
        return keras.losses.CategoricalCrossentropy(), None, None
    source = "cost_matrix" if rows is None else "sample_cost"
    if cost_loss in ("argmax_weighted", "class_weighted"):
        check_nonnegative(costs, param=source, reason=f"for cost_loss={cost_loss!r}")
    if cost_loss == "argmax_weighted":
        if rows is None:
            return ArgmaxWeightedCrossEntropy(forum_weights_from_costs(costs)), None, None
        return ArgmaxWeightedCrossEntropy(), 1.0 + rows, None
    if cost_loss == "class_weighted":
        row_costs = costs.sum(axis=1)
        if not row_costs.any():
            raise ValueError(f"{source} is all zeros; cost_loss='class_weighted' needs some cost.")
        # mean weight 1 keeps the effective learning rate of plain cross-entropy
        if rows is None:
            return ClassWeightedCrossEntropy(row_costs / row_costs.mean()), None, None
        return ClassWeightedCrossEntropy(), None, row_costs / row_costs.mean()
    # expected_cost: scale-free, so cost_loss_weight means the same for any currency
    scale = np.abs(costs).max() or 1.0
    if rows is None:
        return ExpectedCostCrossEntropy(costs / scale, cost_weight=cost_loss_weight), None, None
    return ExpectedCostCrossEntropy(cost_weight=cost_loss_weight), rows / scale, None


def mean_cost_matrix(sample_cost: np.ndarray, rows: np.ndarray, y_positions, k: int) -> np.ndarray:
    """The class-level matrix that stands in for per-example costs at predict time.

    The mean of the (n, k, k) matrices; for (n, k) rows, row ``i`` is the
    mean cost row of the training examples of class ``i``.
    """
    if sample_cost.ndim == 3:
        return sample_cost.mean(axis=0)
    counts = np.bincount(y_positions, minlength=k)[:, None]
    sums = np.zeros((k, k))
    np.add.at(sums, y_positions, rows)
    return sums / np.maximum(counts, 1)


class CostSensitiveKerasClassifier(ScikerasCompatMixin, KerasClassifier, EndOfTagsChain):
    """A Keras classifier that trains and decides with misclassification costs.

    A scikeras ``KerasClassifier`` that takes a cost matrix ``C[true,
    predicted]`` (the orientation of :func:`sklearn.metrics.confusion_matrix`)
    and class weights as parameters, builds the weighted Keras loss inside
    ``fit``, and predicts the class of lowest expected cost.

    Parameters
    ----------
    model : None, callable or keras.Model, default=None
        None builds a multi-layer perceptron sized by ``hidden_layer_sizes``
        with a softmax head. A scikeras build function (it may take ``meta``
        for ``n_features_in_`` and ``n_classes_``) or a Keras model also work;
        the model must end in a softmax over the ``n_classes_`` classes. The
        estimator compiles it with the cost loss and ``optimizer``.
    cost_matrix : array-like of shape (k, k), DataFrame, dict of dicts or None, default=None
        ``C[i, j]`` is the cost of predicting class ``j`` when the truth is
        ``i``. An array follows ``classes_`` (sorted labels); a DataFrame
        (index true, columns predicted) or a dict of dicts
        ``{true: {predicted: cost}}`` names its labels (missing diagonal
        entries are 0). None means every error costs the same: plain
        cross-entropy and argmax. For a multi-output y: a dict keyed by
        output name or a list with one such matrix (or None) per output.
    class_weight : dict, list, "balanced" or None, default=None
        ``{label: weight}`` (classes left out weigh 1), weights in class
        order, or ``"balanced"``; multiplies ``sample_weight`` (never in
        place). For a multi-output y: a dict keyed by output name or a list
        with one such entry (or None) per output; Keras 3's own
        ``class_weight`` refuses multi-output models, so each head's weights
        go to its own sample weights.
    cost_loss : {"cross_entropy", "argmax_weighted", "class_weighted", \
            "expected_cost"}, default="cross_entropy"
        How the costs shape training.

        - ``"cross_entropy"``: they do not; the network learns probabilities
          and the costs act only in the decision.
        - ``"argmax_weighted"``: the forum loss ``CE * W[true, argmax(pred)]``
          with ``W = 1 + C`` (see :class:`~costkeras.losses.ArgmaxWeightedCrossEntropy`).
        - ``"class_weighted"``: ``CE * w[true]`` with ``w`` the row sums of
          ``C`` scaled to mean 1.
        - ``"expected_cost"``: ``CE + cost_loss_weight * sum_j p_j C[true, j] / max|C|``.

        The default is plain cross-entropy because deciding with the costs on
        good probabilities is what the measurements favour: see
        ``benchmarks/RESULTS.md`` and Vanderschueren et al. (2022).
    cost_loss_weight : float, default=1.0
        Weight of the expected-cost term for ``cost_loss="expected_cost"``.
    decision : {"auto", "bayes", "argmax"}, default="auto"
        How the costs shape the decision. ``"bayes"`` predicts
        ``argmin_j sum_i p_i C[i, j]``; ``"argmax"`` the most probable class.
        ``"auto"`` uses ``"argmax"`` after the losses that reweight examples
        (``"argmax_weighted"``, ``"class_weighted"``), whose probabilities
        already lean by the costs (with two classes, class weights from the
        cost rows make argmax the Bayes decision, and Bayes on top counts the
        costs twice: breast cancer in ``benchmarks/RESULTS.md`` costs 50 with
        it, 33 without), and ``"bayes"`` otherwise: the expected-cost term
        moves probability away from the expensive errors but does not decide
        (with argmax it stays at 2.2 times the Bayes risk on the synthetic
        benchmark, 1.00 with Bayes decisions).
    hidden_layer_sizes : int or tuple of int, default=(100,)
        Hidden layers of the default network (``model=None``).
    activation : str, default="relu"
        Activation of the default network's hidden layers.
    optimizer : str or keras.optimizers.Optimizer, default="adam"
        Route parameters with ``optimizer__learning_rate=...``.
    epochs : int, default=50
        Passes over the training data.
    batch_size : int or None, default=None
        Keras's default (32) when None; -1 for the whole data set.
    verbose : int, default=0
        Keras's progress output; 0 keeps grid searches quiet.
    random_state : int, RandomState or None, default=None
        Seeds weight initialisation and shuffling for reproducible fits.
    **kwargs
        Every other scikeras / Keras parameter (``metrics``, ``callbacks``,
        ``validation_split``, ``warm_start``, routed ``model__...``,
        ``fit__...``, ``predict__...``).

    Multi-output y (shape (n_samples, n_outputs), array or DataFrame) gets one
    softmax head per column, each with its own labels, class weights, cost
    matrix, loss and decision; outputs are named after the DataFrame's
    columns, else after a user model's output names, else ``output1``,
    ``output2``, ... A user model's heads are matched to the columns by name
    when the names agree, otherwise by order. ``predict`` then returns
    (n_samples, n_outputs) labels and ``predict_proba`` a list of arrays, like
    scikit-learn's multi-output classifiers; ``score`` is the share of rows
    with every output right.

    Attributes
    ----------
    classes_ : ndarray of shape (k,), or a list of them per output
        Sorted class labels.
    cost_matrix_ : ndarray of shape (k, k) or None, or a list per output
        The validated cost matrix in ``classes_`` order (with ``sample_cost``
        and no ``cost_matrix``: the mean training cost matrix).
    decision_ : str, or a list per output
        ``"bayes"`` or ``"argmax"``, the resolved ``decision``.
    loss_ : keras.losses.Loss, or a list in the model's output order
        The loss the model was compiled with.
    output_names_ : list
        Multi-output only: the name of each column of y.
    model_ : keras.Model
        The trained network.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X had string column names.
    history_ : dict
        Keras training history.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from costkeras import CostSensitiveKerasClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> C = [[0, 1, 1], [1, 0, 5], [1, 1, 0]]
    >>> clf = CostSensitiveKerasClassifier(cost_matrix=C, epochs=5, random_state=0)
    >>> clf.fit(X, y).predict(X[:3]).shape
    (3,)
    >>> clf.predict_expected_cost(X[:1]).shape
    (1, 3)
    """

    _parameter_constraints: dict = {
        "model": [None, callable, keras.Model],
        "cost_matrix": ["array-like", dict, None],  # a list per output is array-like
        "class_weight": [dict, list, tuple, np.ndarray, StrOptions({"balanced"}), None],
        "cost_loss": [StrOptions(set(COST_LOSSES))],
        "cost_loss_weight": [Interval(Real, 0, None, closed="left")],
        "decision": [StrOptions(set(DECISIONS))],
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [str, callable],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    }

    # Checks of sklearn.utils.estimator_checks that cannot pass, with the reason.
    # tests/test_sklearn_compat.py holds this list fixed.
    _xfail_checks: dict[str, str] = {
        "check_sample_weight_equivalence_on_dense_data": (
            "stochastic mini-batch training: weight 2 is not the same as a duplicated row"
        ),
        "check_estimator_tags_renamed": (
            "scikeras's BaseWrapper, a base class, defines only the legacy _more_tags"
        ),
        "check_mixin_order": (
            "scikeras's KerasClassifier puts BaseEstimator before ClassifierMixin"
        ),
        # Hardware-dependent: passes on some CPUs (tests/test_sklearn_compat.py).
        "check_methods_sample_order_invariance": (
            "float32 matrix kernels (raw Keras models too) round a row's output by its "
            "position in the batch, a few ulps, above the check's rtol of 1e-7"
        ),
    }
    # scikeras's legacy tags, which scikit-learn 1.6 still reads: the same list, and no
    # claim of multilabel support, as in ``__sklearn_tags__``
    _tags = {**KerasClassifier._tags, "multilabel": False, "_xfail_checks": _xfail_checks}

    def __init__(
        self,
        model: Callable[..., keras.Model] | keras.Model | None = None,
        *,
        cost_matrix: Any = None,
        class_weight: dict | str | None = None,
        cost_loss: str = "cross_entropy",
        cost_loss_weight: float = 1.0,
        decision: str = "auto",
        hidden_layer_sizes: int | tuple[int, ...] = (100,),
        activation: str = "relu",
        optimizer: str | keras.optimizers.Optimizer = "adam",
        metrics: list | None = None,
        batch_size: int | None = None,
        validation_batch_size: int | None = None,
        epochs: int = 50,
        verbose: int = 0,
        callbacks: list | None = None,
        validation_split: float = 0.0,
        shuffle: bool = True,
        run_eagerly: bool = False,
        warm_start: bool = False,
        random_state: int | np.random.RandomState | None = None,
        **kwargs: Any,
    ):
        self.model = model
        self.cost_matrix = cost_matrix
        self.class_weight = class_weight
        self.cost_loss = cost_loss
        self.cost_loss_weight = cost_loss_weight
        self.decision = decision
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.metrics = metrics
        self.batch_size = batch_size
        self.validation_batch_size = validation_batch_size
        self.epochs = epochs
        self.verbose = verbose
        self.callbacks = callbacks
        self.validation_split = validation_split
        self.shuffle = shuffle
        self.run_eagerly = run_eagerly
        self.warm_start = warm_start
        self.random_state = random_state
        # scikeras's routed parameters (optimizer__learning_rate=..., model__x=...)
        vars(self).update(kwargs)
        if kwargs:
            self._user_params = set(kwargs)

    __repr__ = BaseEstimator.__repr__

    # ------------------------------------------------------------------ fit
    def fit(
        self, X, y, sample_weight=None, sample_cost=None, **kwargs
    ) -> CostSensitiveKerasClassifier:
        """Train the network with the cost loss.

        Every parameter and the targets are checked before any training; if
        anything fails, an estimator fitted before keeps its previous state.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels of any kind (ints, strings).
        sample_weight : array-like of shape (n_samples,), default=None
            Multiplied by ``class_weight``; the caller's array is not modified.
        sample_cost : array-like of shape (n_samples, k, k) or (n_samples, k), default=None
            Per-example costs, columns in ``classes_`` order: a cost matrix
            ``C_n[true, predicted]`` per example, or the cost of predicting
            each class for each example. They replace ``cost_matrix`` in the
            loss. Unless ``cost_matrix`` is set, their mean (per true class
            for (n, k) costs) becomes ``cost_matrix_``, which ``predict``
            uses when it gets no per-example costs. Routed by metadata
            routing after ``set_fit_request(sample_cost=True)``.
        **kwargs
            Passed to ``keras.Model.fit`` (prefer ``fit__...`` parameters).

        Returns
        -------
        self
        """
        self._validate_params()
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        y_array = check_array(y, ensure_2d=False, dtype=None, input_name="y")
        if y_array.ndim == 2 and y_array.shape[1] > 1:
            return self._fit_multioutput(X, y, y_array, sample_weight, sample_cost, **kwargs)
        y_array = column_or_1d(y_array, warn=True)
        check_classification_target(y_array)
        classes = np.unique(y_array)
        k = len(classes)
        y_positions = label_positions(y_array, classes)
        cost_matrix = None
        if self.cost_matrix is not None:
            cost_matrix = check_cost_matrix(self.cost_matrix, classes)
        rows = None
        if sample_cost is not None:
            sample_cost = check_sample_cost(sample_cost, len(y_array), k)
            rows = cost_rows(y_positions, sample_cost=sample_cost)
            if cost_matrix is None:
                cost_matrix = mean_cost_matrix(sample_cost, rows, y_positions, k)
        if cost_matrix is None and self.cost_loss != "cross_entropy":
            raise ValueError(
                f"cost_loss={self.cost_loss!r} needs a cost_matrix or sample_cost; got neither."
            )
        loss, target_rows, example_weights = training_setup(
            self.cost_loss, self.cost_loss_weight, cost_matrix, rows
        )
        weights = class_weight_vector(self.class_weight, classes, y_positions)
        if (
            sample_weight is not None
            or self.class_weight is not None
            or example_weights is not None
        ):
            # a fresh array: scikeras multiplies sample weights in place
            sample_weight = _check_sample_weight(
                sample_weight, y_array, dtype=np.float64, copy=True
            )
            sample_weight = sample_weight * weights[y_positions]
            if example_weights is not None:
                sample_weight = sample_weight * example_weights
            X, y, sample_weight, target_rows = drop_weightless(X, y, sample_weight, target_rows)

        fitted = {
            "cost_matrix_": cost_matrix,
            "loss_": loss,
            "decision_": self._resolve_decision(cost_matrix),
            "_multioutput": False,
        }
        return self._fit_with_rollback(
            fitted, {"target_rows": target_rows}, X, y, sample_weight, **kwargs
        )

    def _fit_multioutput(self, X, y, y_array, sample_weight, sample_cost, **kwargs):
        """Fit one softmax head per column of y.

        Per-output parameters need the output names, which a user's model
        gives, so they are resolved once the model is built, before training
        (see ``_resolve_outputs``).
        """
        if sample_cost is not None:
            raise ValueError("sample_cost is supported for a single-output y only.")
        for j in range(y_array.shape[1]):
            check_classification_target(column(y_array, j), param=f"y[:, {j}]")
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, y_array, dtype=np.float64, copy=True
            )
        names = list(y.columns) if hasattr(y, "columns") else None
        pending = {"names": names, "y": y_array, "sample_weight": sample_weight}
        return self._fit_with_rollback({"_multioutput": True}, pending, X, y_array, None, **kwargs)

    def _fit_with_rollback(self, fitted: dict, pending: dict, X, y, sample_weight, **kwargs):
        """Set ``fitted`` attributes and train; on any failure restore the previous state.

        ``pending`` holds what only this fit needs (per-example target rows,
        per-output data); it is dropped afterwards.
        """
        previous_state = dict(self.__dict__)
        try:
            vars(self).update(fitted)
            self._pending = pending
            self._fit_without_class_weight(X, y, sample_weight, **kwargs)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(previous_state)
            raise
        finally:
            self.__dict__.pop("_pending", None)
        return self

    def _fit_keras_model(self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs):
        pending = self.__dict__.get("_pending", {})
        if self._multioutput:
            y = [y[j] for j in np.argsort(self._output_order)]  # the model's output order
            sample_weight = pending.get("sample_weights")
        elif pending.get("target_rows") is not None:
            y = np.hstack([y, pending["target_rows"].astype(y.dtype)])
        return super()._fit_keras_model(
            X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs
        )

    def _resolve_outputs(self) -> None:
        """Map y's columns to the model's heads; build each head's costs, weights and loss."""
        pending = self._pending
        n_outputs = len(self.classes_)
        model_names = list(self.model_.output_names)
        if len(model_names) != n_outputs:
            raise ValueError(
                f"model must have one softmax output per column of y ({n_outputs}); "
                f"it has {len(model_names)} outputs {model_names!r}."
            )
        names = pending["names"] or (
            default_output_names(n_outputs) if self.model is None else model_names
        )
        order = output_order(names, model_names)
        for j, name in enumerate(names):
            units = self.model_.outputs[order[j]].shape[-1]
            if units != self.n_classes_[j]:
                raise ValueError(
                    f"model output {model_names[order[j]]!r} (for y column {name!r}) has "
                    f"{units} units but that column has {self.n_classes_[j]} classes "
                    f"{self.classes_[j].tolist()!r}."
                )
        cost_specs = per_output(self.cost_matrix, names, param="cost_matrix")
        weight_specs = per_output(self.class_weight, names, param="class_weight")
        cost_matrices, losses, decisions_, sample_weights = [], [], [], []
        user_weights = pending["sample_weight"]
        for j, name in enumerate(names):
            classes = self.classes_[j]
            positions = label_positions(column(pending["y"], j), classes)
            costs = None
            if cost_specs[j] is not None:
                costs = check_cost_matrix(cost_specs[j], classes, param=f"cost_matrix[{name!r}]")
            weights = class_weight_vector(
                weight_specs[j], classes, positions, param=f"class_weight[{name!r}]"
            )[positions]
            if user_weights is not None:
                weights = weights * user_weights
            cost_matrices.append(costs)
            losses.append(training_setup(self.cost_loss, self.cost_loss_weight, costs)[0])
            decisions_.append(self._resolve_decision(costs))
            sample_weights.append(weights)
        model_positions = np.argsort(order)
        self.output_names_ = names
        self.cost_matrix_ = cost_matrices
        self.decision_ = decisions_
        self.loss_ = [losses[j] for j in model_positions]
        self._output_order = order
        self._pending["sample_weights"] = [sample_weights[j] for j in model_positions]

    def _resolve_decision(self, cost_matrix: np.ndarray | None) -> str:
        if cost_matrix is None:
            return "argmax"
        if self.decision == "auto":
            return "argmax" if self.cost_loss in COST_WEIGHTING_LOSSES else "bayes"
        return self.decision

    # ------------------------------------------------------- scikeras hooks
    @property
    def target_encoder(self) -> OneHotClassEncoder | MultiOutputEncoder:
        return MultiOutputEncoder() if self.__dict__.get("_multioutput") else OneHotClassEncoder()

    @staticmethod
    def scorer(y_true, y_pred, **kwargs) -> float:
        """Accuracy; for multi-output y, the share of rows with every output right."""
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        if y_true.ndim == 2 and y_true.shape[1] > 1:
            return float(
                np.average(np.all(y_true == y_pred, axis=1), weights=kwargs.get("sample_weight"))
            )
        return accuracy_score(y_true, y_pred, **kwargs)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _type_of_target(self, y: np.ndarray) -> str:
        from sklearn.utils.multiclass import type_of_target

        if y.ndim == 2 and y.shape[1] > 1:
            # the columns were checked one by one; together they may mix ints and strs
            return "multiclass-multioutput"
        return type_of_target(y)

    def _check_model_param(self):
        # scikeras's version reads a deprecated ``build_fn`` parameter we do not have
        if self.model is None:
            pending = self.__dict__.get("_pending") or {}
            names = pending.get("names")
            if self.__dict__.get("_multioutput") and names is None:
                names = default_output_names(len(self.n_classes_))
            return functools.partial(
                build_mlp,
                hidden_layer_sizes=self.hidden_layer_sizes,
                activation=self.activation,
                output_names=names,
                seed=self.__dict__.get("_random_state"),  # scikeras's int seed from random_state
            )
        if isinstance(self.model, keras.Model):
            return lambda: self.model
        return self.model

    def _get_compile_kwargs(self) -> dict:
        params = self.get_params()
        compile_kwargs = route_params(
            params, destination="compile", pass_filter=self._compile_kwargs - {"loss"}
        )
        compile_kwargs["optimizer"] = unflatten_params(
            items=try_to_convert_strings_to_classes(
                compile_kwargs["optimizer"], get_optimizer_class
            ),
            params=route_params(params, destination="optimizer", pass_filter=set(), strict=True),
        )
        metrics = try_to_convert_strings_to_classes(compile_kwargs.get("metrics"), get_metric_class)
        metrics = unflatten_params(
            items=metrics, params=route_params(params, destination="metrics", pass_filter=set())
        )
        if metrics is not None and not isinstance(metrics, (dict, list)):
            metrics = [metrics]
        compile_kwargs["metrics"] = metrics
        compile_kwargs["loss"] = (
            getattr(self, "loss_", None) or keras.losses.CategoricalCrossentropy()
        )
        return compile_kwargs

    def _ensure_compiled_model(self) -> None:
        if self._multioutput:
            if "_pending" in self.__dict__:
                self._resolve_outputs()
        else:
            self._check_single_output()
        if getattr(self.model_, "loss", None) is not self.loss_:
            self.model_.compile(**self._get_compile_kwargs())

    def _check_single_output(self) -> None:
        output_shape = (
            tuple(self.model_.outputs[0].shape) if len(self.model_.outputs) == 1 else None
        )
        if output_shape is None or output_shape[-1] != self.n_classes_:
            raise ValueError(
                f"model must have one output of {self.n_classes_} units (a softmax over "
                f"the classes {self.classes_.tolist()!r}); it has outputs "
                f"{[tuple(o.shape) for o in self.model_.outputs]}."
            )

    # -------------------------------------------------------------- predict
    # A routed sample_cost goes to predict unless the user says otherwise, so a
    # cost scorer can judge decisions made with the same per-example costs.
    __metadata_request__predict = {"sample_cost": True}

    def _decision_costs(self, n_samples: int, sample_cost) -> np.ndarray | None:
        if sample_cost is None:
            return self.cost_matrix_
        if self._multioutput:
            raise ValueError("sample_cost is supported for a single-output y only.")
        costs = check_sample_cost(sample_cost, n_samples, len(self.classes_))
        if costs.ndim != 3:
            raise ValueError(
                "sample_cost at predict time must have shape (n_samples, k, k), a cost "
                "matrix per example: the true class is unknown, so an (n, k) cost row "
                f"cannot be chosen; got shape {costs.shape}."
            )
        return costs

    def predict_proba(self, X, **kwargs):
        """Class probabilities.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        **kwargs
            Passed to ``keras.Model.predict``.

        Returns
        -------
        ndarray of shape (n_samples, k), or a list of (n_samples, k_o) arrays
            For multi-output y, one array per column of y, like scikit-learn's
            multi-output classifiers.
        """
        outputs = self._predict_raw(X, **kwargs)
        if self.__dict__.get("_multioutput"):
            return [np.asarray(outputs[i]) for i in self._output_order]
        return np.asarray(outputs)

    def predict(self, X, sample_cost=None, **kwargs) -> np.ndarray:
        """Predict the class of lowest expected cost (or the most probable).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        sample_cost : array-like of shape (n_samples, k, k), default=None
            A cost matrix per example for Bayes decisions; without it,
            ``cost_matrix_`` decides. Ignored when ``decision_`` is
            ``"argmax"`` (the costs then act through the loss only).
        **kwargs
            Passed to ``keras.Model.predict``.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Labels from ``classes_``; one column per output for multi-output y,
            each decided with that output's costs.
        """
        proba = self.predict_proba(X, **kwargs)
        if self._multioutput:
            self._decision_costs(len(proba[0]), sample_cost)
            return stack_columns(
                [
                    _decide(p, classes, costs, decision)
                    for p, classes, costs, decision in zip(
                        proba, self.classes_, self.cost_matrix_, self.decision_, strict=True
                    )
                ]
            )
        costs = self._decision_costs(len(proba), sample_cost)
        return _decide(proba, self.classes_, costs, self.decision_)

    def predict_expected_cost(self, X, sample_cost=None, **kwargs):
        """Expected cost of each possible decision for each row.

        ``R[n, j] = sum_i p(i | x_n) C[i, j]``: the cost to expect when
        predicting ``classes_[j]`` for row ``n``. Without a cost matrix, the
        0/1 cost is used (``R = 1 - p``).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        sample_cost : array-like of shape (n_samples, k, k), default=None
            A cost matrix per example instead of ``cost_matrix_``.
        **kwargs
            Passed to ``keras.Model.predict``.

        Returns
        -------
        ndarray of shape (n_samples, k), or a list of them for multi-output y
        """
        check_is_fitted(self, "decision_")
        proba = self.predict_proba(X, **kwargs)
        if self._multioutput:
            self._decision_costs(len(proba[0]), sample_cost)
            return [_risk(p, costs) for p, costs in zip(proba, self.cost_matrix_, strict=True)]
        return _risk(proba, self._decision_costs(len(proba), sample_cost))


def _risk(proba: np.ndarray, costs: np.ndarray | None) -> np.ndarray:
    if costs is None:
        costs = 1.0 - np.eye(proba.shape[1])  # 0/1 cost
    return decisions.expected_costs(proba, costs)


def _decide(proba, classes, costs, decision: str) -> np.ndarray:
    if decision == "bayes":
        return classes[decisions.bayes_decision(proba, costs)]
    return classes[np.argmax(proba, axis=1)]
