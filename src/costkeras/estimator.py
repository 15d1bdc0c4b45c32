"""The cost-sensitive Keras classifier."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import joblib
import keras
import numpy as np
from scikeras.wrappers import KerasClassifier
from sklearn.base import BaseEstimator

from ._scikeras.constraints import PARAMETER_CONSTRAINTS, XFAIL_CHECKS
from ._scikeras.decide import call_costs, decide, expected_cost
from ._scikeras.serving import DecisionModelMixin
from ._scikeras.wrapper import HeadsKerasWrapper
from ._validation import stack_columns

__all__ = ["CostSensitiveKerasClassifier"]


class CostSensitiveKerasClassifier(DecisionModelMixin, HeadsKerasWrapper):
    """A Keras classifier that trains and decides with misclassification costs.

    A drop-in for scikeras's ``KerasClassifier`` that also takes a cost
    matrix ``C[true, predicted]`` (the orientation of
    :func:`sklearn.metrics.confusion_matrix`), class weights and per-example
    costs, builds the cost loss inside ``fit``, and predicts the class of
    lowest expected cost. ``README.md`` lists every parameter's meaning and
    the precedence of a compiled model's optimizer, loss and metrics.

    Parameters
    ----------
    model : None, callable or keras.Model, default=None
        None builds a multi-layer perceptron sized by ``hidden_layer_sizes``.
        A scikeras build function (it may take ``meta``, ``compile_kwargs``,
        ``params``) or a Keras model: one output per output of y, a softmax
        over its classes or, for two classes, one sigmoid unit. A model you
        compiled keeps its optimizer, loss and metrics unless the matching
        parameter is set or the costs must train.
    cost_matrix : array-like of shape (k, k), DataFrame, dict of dicts or None, default=None
        ``C[i, j]`` is the cost of predicting class ``j`` when the truth is
        ``i``; an array follows ``classes_``, a DataFrame or a dict of dicts
        ``{true: {predicted: cost}}`` names its labels. For several outputs, a
        dict keyed by output name or a list with one matrix (or None) each.
        Its columns may be actions rather than classes, ``C[true, action]`` of
        shape (k, m), named by a DataFrame's columns or a dict of dicts' inner
        keys (approve, review, decline): the network learns the classes and
        ``predict`` returns actions, so such a matrix needs
        ``cost_loss="cross_entropy"`` and a Bayes decision.
    class_weight : dict, list, "balanced" or None, default=None
        Multiplies ``sample_weight`` (never in place); per output as above.
    cost_loss : {"cross_entropy", "argmax_weighted", "class_weighted", \
            "expected_cost"}, default="cross_entropy"
        How the costs shape training: not at all (they act in the decision,
        what ``benchmarks/RESULTS.md`` favours), the forum loss
        ``CE * (1 + C)[true, argmax]``, cross-entropy weighted by the cost
        rows, or ``CE + cost_loss_weight * sum_j p_j C[true, j] / max|C|``.
    cost_loss_weight : float, default=1.0
        Weight of the expected-cost term of ``cost_loss="expected_cost"``.
    decision : {"auto", "bayes", "argmax"}, default="auto"
        ``"bayes"``: ``argmin_j sum_i p_i C[i, j]``; ``"argmax"``: the most probable
        class; ``"auto"``: ``"bayes"`` except after the two losses that reweight
        examples (costs counted twice). Costs given to ``predict`` decide by Bayes.
    hidden_layer_sizes : int or tuple of int, default=(100,)
        Hidden layers of the default network.
    activation : str, default="relu"
        Default network: the hidden layers' activation.
    optimizer : str, keras.optimizers.Optimizer, class or None, default=None
        None: Adam, or your compiled model's; ``optimizer__learning_rate=...``.
    loss : str, keras.losses.Loss, class, callable, dict, list or None, default=None
        None: cross-entropy, or your compiled model's. A cost loss replaces it
        only when costs train; a loss that is no cross-entropy then raises.
    epochs : int or "auto", default="auto"
        ``"auto"``: about 3,000 optimizer steps, 10 to 200 epochs; with early
        stopping, half of them, over which the learning rate anneals (see
        ``reduce_lr_on_plateau``), or twice them as a budget where it does not.
    batch_size : int, -1, None or "auto", default="auto"
        Training batches. ``"auto"``: a power of two near ``n / 64`` in [32, 256];
        None: Keras's 32; -1: all rows. Predictions: ``predict__batch_size``.
    early_stopping : bool or "auto", default="auto"
        Hold out a stratified ``validation_fraction`` of the rows, stop after
        ``n_iter_no_change`` epochs without a relative fall of ``tol`` in their log
        loss (``history_["val_log_loss"]``), keep the best epoch's weights. ``"auto"``:
        on from 2,000 rows, one output, no ``validation_split``/``validation_data``.
    validation_fraction : float in (0, 1) or "auto", default="auto"
        Early stopping's held-out share. ``"auto"``: 0.1, up to 0.25 to hold 50 rows
        of the rarest class. Warm fits and ``partial_fit`` never stop early.
    n_iter_no_change : int, default=10
    tol : float, default=1e-4
    reduce_lr_on_plateau : bool or "auto", default="auto"
        With early stopping, after every third of ``n_iter_no_change`` epochs
        without improvement: back to the best weights at 0.3 times the learning
        rate (``history_["learning_rate"]``; reset after the fit). ``"auto"``: so,
        unless a schedule or rate callback of yours sets it, and with
        ``epochs="auto"`` the rate anneals instead: twice its value for the first
        half of the epochs, then a cosine down towards 0; True: so, and those
        raise; False: never.
    dropout : float in [0, 1), default=0.2
        Default network: dropout after each hidden layer.
    input_scaling : {"embedding", "robust", "quantile"} or None, default="embedding"
        Default network: its first layer learns from the first fit's training
        rows, kept in the model. ``"embedding"``: each column's piecewise-linear
        encoding over 16 quantile bins (one bin for a column of two values),
        embedded in 4 learnt dimensions (Gorishniy et al., NeurIPS 2022);
        ``"robust"``: median and IQR with a smooth clip at +-3 (RealMLP);
        ``"quantile"``: a quantile map to a normal. None: X as given.
    verbose : int, default=0
    steps_per_execution : int or "auto", default="auto"
        Batches per call into the compiled training step. ``"auto"``, where costkeras
        compiles the network and an epoch has 32 batches or more: on TensorFlow an
        epoch per call from one ``tf.data`` iterator per fit, 16 on JAX; else 1 (and
        with batch-level callback hooks, on PyTorch). A model you compiled keeps its
        own. An int is always used, with Keras's own loop.
    random_state : int, RandomState or None, default=None
        Seeds weight initialisation, dropout, shuffling and the validation share.
    memory : str, path, joblib.Memory or None, default=None
        Where to keep trained networks, as ``Pipeline(memory=...)``: a ``fit`` whose
        Keras training would be identical to one stored (data, starting weights,
        network, compile and fit settings, seed, versions) takes its weights,
        optimizer state and ``history_`` back. A cost matrix that only decides does
        not train, so a search over such matrices trains one network per fold. Not
        for ``partial_fit``, warm starts, ``random_state=None`` or your callbacks.
    **kwargs
        scikeras's other parameters: ``metrics``, ``callbacks``,
        ``validation_split``, ``warm_start``, ``build_fn``, routed
        ``model__``, ``fit__``, ``predict__``, ``callbacks__`` parameters.

    Attributes
    ----------
    classes_ : ndarray of shape (k,), or a list per output
    cost_matrix_ : ndarray of shape (k, m) or None, or a list per output
        The validated costs, rows in ``classes_`` order, columns in ``actions_``
        order (with ``sample_cost`` and no ``cost_matrix``: the mean training
        cost matrix).
    actions_ : ndarray of shape (m,), or a list per output
        The labels ``predict`` returns: ``classes_`` unless ``cost_matrix``
        names actions.
    decision_ : str, or a list per output
    loss_ : the loss the model trains with (a list in the model's output order)
    output_names_ : list
        Several outputs only: the name of each output.
    heads_ : list of ``_scikeras.heads.Head``
        One per output: classes, costs, loss and decision.
    model_ : keras.Model
    history_ : dict

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

    _parameter_constraints: dict = PARAMETER_CONSTRAINTS
    _xfail_checks = XFAIL_CHECKS
    # scikeras's legacy tags (scikit-learn 1.6 reads them) say what __sklearn_tags__ says
    _tags = {**KerasClassifier._tags, "multilabel": False, "_xfail_checks": XFAIL_CHECKS}

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
        optimizer: Any = None,
        loss: Any = None,
        metrics: list | None = None,
        batch_size: int | str | None = "auto",
        validation_batch_size: int | None = None,
        epochs: int | str = "auto",
        early_stopping: bool | str = "auto",
        validation_fraction: float | str = "auto",
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        reduce_lr_on_plateau: bool | str = "auto",
        dropout: float = 0.2,
        input_scaling: str | None = "embedding",
        verbose: int = 0,
        callbacks: list | None = None,
        validation_split: float = 0.0,
        shuffle: bool = True,
        run_eagerly: bool = False,
        steps_per_execution: int | str = "auto",
        warm_start: bool = False,
        random_state: int | np.random.RandomState | None = None,
        memory: str | os.PathLike | joblib.Memory | None = None,
        build_fn: Callable[..., keras.Model] | keras.Model | None = None,
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
        self.loss = loss
        self.metrics = metrics
        self.batch_size = batch_size
        self.validation_batch_size = validation_batch_size
        self.epochs = epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.reduce_lr_on_plateau = reduce_lr_on_plateau
        self.dropout = dropout
        self.input_scaling = input_scaling
        self.verbose = verbose
        self.callbacks = callbacks
        self.validation_split = validation_split
        self.shuffle = shuffle
        self.run_eagerly = run_eagerly
        self.steps_per_execution = steps_per_execution
        self.warm_start = warm_start
        self.random_state = random_state
        self.memory = memory
        self.build_fn = build_fn
        # scikeras's routed parameters (optimizer__learning_rate=..., model__x=...)
        vars(self).update(kwargs)
        if kwargs:
            self._user_params = set(kwargs)

    __repr__ = BaseEstimator.__repr__

    # ------------------------------------------------------------------ fit
    def fit(self, X, y, sample_weight=None, sample_cost=None, **kwargs):
        """Train the network; every input is checked before training starts.

        If anything fails, an estimator fitted before keeps its previous
        state, the model's weights included.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels of any kind; a 2-D y is one output per column, except
            a one-hot matrix, which is one output over its columns.
        sample_weight : array-like of shape (n_samples,), default=None
            Finite and non-negative; multiplied by ``class_weight``.
        sample_cost : array-like of shape (n_samples, k, k) or (n_samples, k), default=None
            Per-example costs in ``classes_`` order (for several outputs, a
            dict by output name or a list): they replace ``cost_matrix`` in
            the cost loss and, without a ``cost_matrix``, their mean becomes
            ``cost_matrix_``. Routed after ``set_fit_request(sample_cost=True)``.
        **kwargs
            Passed to ``keras.Model.fit`` (``callbacks`` join the estimator's).

        Returns
        -------
        self
        """
        epochs = kwargs.pop("epochs", getattr(self, "fit__epochs", self.epochs))
        initial_epoch = kwargs.pop("initial_epoch", 0)
        warm = self.warm_start and self.initialized_
        return self._train(X, y, sample_weight, sample_cost, warm, epochs, initial_epoch, kwargs)

    def partial_fit(self, X, y, classes=None, sample_weight=None, sample_cost=None, **kwargs):
        """Train for one epoch, keeping the model, its weights and the optimizer's state.

        Parameters
        ----------
        X, y, sample_weight, sample_cost
            As in ``fit``; y's labels must be among ``classes``.
        classes : array-like, default=None
            Every label of the whole data set (a list per output for several
            outputs), needed in the first call when a batch may lack some.
        **kwargs
            Passed to ``keras.Model.fit``.

        Returns
        -------
        self
        """
        for name in ("epochs", "initial_epoch"):
            if name in kwargs:
                raise TypeError(
                    f"Invalid argument `{name}` to `partial_fit`: `partial_fit` always trains "
                    "for 1 epoch, from the current one."
                )
        warm = self.initialized_
        return self._train(
            X, y, sample_weight, sample_cost, warm, 1, self.current_epoch, kwargs, classes, True
        )

    # -------------------------------------------------------------- predict
    # A routed sample_cost goes to predict unless the user says otherwise, so a
    # cost scorer can judge decisions made with the same per-example costs.
    __metadata_request__predict = {"sample_cost": True}

    def predict_proba(self, X, **kwargs):
        """Class probabilities: (n_samples, k), or a list with one array per output."""
        if self._fitted_without_heads():
            return super().predict_proba(X, **kwargs)
        probas = self._head_probas(X, **kwargs)
        return probas[0] if len(probas) == 1 else probas

    def predict(self, X, sample_cost=None, **kwargs) -> np.ndarray:
        """Predict the class of lowest expected cost (or the most probable).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        sample_cost : array-like of shape (n_samples, k, m), default=None
            A cost matrix per example (a dict or list per output), columns in
            ``actions_`` order; when given, every decision is Bayes's with it.
            Otherwise ``cost_matrix_`` decides when ``decision_`` is ``"bayes"``.
        **kwargs
            Passed to ``keras.Model.predict``.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Classes, or the actions ``cost_matrix`` names.
        """
        if self._fitted_without_heads():
            if sample_cost is not None:
                raise ValueError("sample_cost needs costkeras's own target encoding.")
            return super().predict(X, **kwargs)
        probas = self._head_probas(X, **kwargs)
        costs = call_costs(self.heads_, sample_cost, len(probas[0]), self.decision)
        labels = [decide(*args) for args in zip(self.heads_, probas, costs, strict=True)]
        return labels[0] if len(labels) == 1 else stack_columns(labels)

    def predict_expected_cost(self, X, sample_cost=None, **kwargs):
        """Expected cost ``R[n, a] = sum_i p(i | x_n) C[i, a]`` of each possible decision.

        With neither ``sample_cost`` nor ``cost_matrix_``, the 0/1 cost
        (``R = 1 - p``). Returns (n_samples, m), columns in ``actions_`` order,
        or a list per output.
        """
        if self._fitted_without_heads():
            raise ValueError("predict_expected_cost needs costkeras's own target encoding.")
        probas = self._head_probas(X, **kwargs)
        costs = call_costs(self.heads_, sample_cost, len(probas[0]), self.decision)
        risks = [expected_cost(*args) for args in zip(self.heads_, probas, costs, strict=True)]
        return risks[0] if len(risks) == 1 else risks
