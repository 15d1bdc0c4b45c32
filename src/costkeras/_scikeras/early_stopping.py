"""Early stopping on the held-out rows' log loss, with the learning rate it sets.

:class:`LogLossEarlyStopping` scores the rows :mod:`.schedule` held out at the end of
every epoch (in NumPy, so any Keras backend works), stops after ``n_iter_no_change``
epochs without improvement and restores the best weights. Between, it sets the
learning rate: annealed over the epochs (:func:`annealed_rate`) where the plan
anneals, else lowered on plateaus (``reduce_lr_on_plateau``), unless the user's own
schedule or callback sets it (:func:`rate_setter`).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import keras
import numpy as np

from .._compat import moving_average_pairs

if TYPE_CHECKING:
    from .plan import FitPlan

__all__ = [
    "LogLossEarlyStopping",
    "annealed_rate",
    "early_stopper",
    "log_loss_score",
    "plateau_patience",
    "rate_setter",
    "user_sets_rate",
]


def early_stopper(
    plan: FitPlan, head, X_val, labels_val, weights_val=None, *, optimizer=None, callbacks=()
) -> LogLossEarlyStopping:
    """The estimator's early stopping: the log loss of ``head``'s probabilities.

    ``weights_val`` are the training weights of the validation rows (sample and class
    weights), so the score weighs the rows as the training loss does; ``optimizer`` is
    the compiled model's, whose learning rate ``reduce_lr_on_plateau`` lowers unless
    the rate is a schedule or one of the fit's ``callbacks`` sets it. Where the plan
    anneals (``plan.anneal``), the rate anneals over its epochs instead of the
    plateaus' reductions.
    """
    patience = plateau_patience(plan, optimizer, callbacks)
    anneal_epochs = plan.epochs if plan.anneal and patience is not None else None
    return LogLossEarlyStopping(
        X_val,
        head.positions(labels_val),
        n_iter_no_change=plan.n_iter_no_change,
        tol=plan.tol,
        proba=head.proba,
        sample_weight=weights_val,
        reduce_lr_patience=None if anneal_epochs else patience,
        anneal_epochs=anneal_epochs,
    )


def plateau_patience(plan: FitPlan, optimizer, callbacks=()) -> int | None:
    """Epochs without improvement before early stopping lowers the learning rate.

    A third of ``n_iter_no_change`` (3 of 10), so the rate falls up to three times
    before training stops; None with ``reduce_lr_on_plateau=False``, and with
    ``"auto"`` where the user sets the rate otherwise: a schedule as the optimizer's
    learning rate, or a ``ReduceLROnPlateau`` or ``LearningRateScheduler`` among the
    fit's ``callbacks`` (kept as they are). ``True`` raises there: two cannot both
    set the rate.
    """
    setting = plan.reduce_lr_on_plateau
    if setting is False or optimizer is None:
        return None
    setter = rate_setter(optimizer, callbacks)
    if setter is None:
        return max(1, plan.n_iter_no_change // 3)
    if setting is True:
        raise ValueError(
            f"reduce_lr_on_plateau=True lowers the optimizer's learning rate, but {setter}; "
            "set reduce_lr_on_plateau=False (or 'auto', which leaves the rate to it)."
        )
    return None


def rate_setter(optimizer, callbacks=()) -> str | None:
    """What sets the learning rate besides early stopping, in words; None: nothing.

    ``optimizer``: a Keras optimizer, a learning rate schedule or None.
    """
    setter = None
    if isinstance(optimizer, keras.optimizers.schedules.LearningRateSchedule) or (
        optimizer is not None and isinstance(optimizer.get_config().get("learning_rate"), dict)
    ):
        setter = "this optimizer's learning rate is a schedule"
    rate_callbacks = (keras.callbacks.ReduceLROnPlateau, keras.callbacks.LearningRateScheduler)
    for callback in callbacks:
        if isinstance(callback, rate_callbacks):
            setter = f"the callback {type(callback).__name__} sets the learning rate"
    return setter


def user_sets_rate(params: dict, fit_kwargs: dict) -> bool:
    """Whether ``params`` or the ``fit`` call set the learning rate, as known before compiling.

    A schedule as ``optimizer__learning_rate`` or as a given optimizer's rate, or a
    rate callback among the estimator's ``callbacks`` or the call's.
    """
    optimizer = params.get("optimizer__learning_rate")
    if not isinstance(optimizer, keras.optimizers.schedules.LearningRateSchedule):
        optimizer = params.get("optimizer")
        optimizer = optimizer if isinstance(optimizer, keras.optimizers.Optimizer) else None
    callbacks = []
    for given in (params.get("callbacks"), fit_kwargs.get("callbacks")):
        if isinstance(given, dict):
            given = list(given.values())
        if given is not None:
            callbacks += list(given) if isinstance(given, (list, tuple)) else [given]
    return rate_setter(optimizer, callbacks) is not None


def annealed_rate(epoch: int, epochs: int, peak: float = 2.0) -> float:
    """The learning rate's factor in ``epoch`` (from 0) of ``epochs``.

    ``peak`` for the first half of the epochs, then half a cosine down towards 0.

    Examples
    --------
    >>> from costkeras._scikeras.early_stopping import annealed_rate
    >>> [round(annealed_rate(epoch, 8), 2) for epoch in range(8)]
    [2.0, 2.0, 2.0, 2.0, 2.0, 1.71, 1.0, 0.29]
    """
    flat = epochs // 2
    done = max(0.0, (epoch - flat) / max(epochs - flat, 1))
    return peak * 0.5 * (1.0 + math.cos(math.pi * min(done, 1.0)))


def _first_output(outputs) -> np.ndarray:
    """The model's (only) output as NumPy, whether it comes alone, in a list or in a dict."""
    if isinstance(outputs, dict):
        outputs = list(outputs.values())
    if isinstance(outputs, (list, tuple)):
        outputs = outputs[0]
    return keras.ops.convert_to_numpy(outputs)


@contextlib.contextmanager
def _moving_average_in(model: keras.Model):
    """Inside: the model holds its optimizer's moving average of the weights, if any."""
    pairs = moving_average_pairs(model.optimizer)
    _swap(pairs)
    try:
        yield
    finally:
        _swap(pairs)


def _swap(pairs: list) -> None:
    for variable, average in pairs:
        current = keras.ops.convert_to_numpy(variable)
        variable.assign(average)
        average.assign(current)


def _forward(model: keras.Model, X):
    """The model's outputs for X, in inference mode.

    On TensorFlow through ``predict_on_batch``, traced once per model: called eagerly
    after every epoch, the default network's embedding layers would run op by op.
    Elsewhere the model is called: JAX's ``predict_on_batch`` swaps the trainer's
    state, which is mid-fit here.
    """
    if keras.backend.backend() == "tensorflow":
        return model.predict_on_batch(X)
    return model(X, training=False)


def _probabilities(model: keras.Model, X, batch_size: int, proba: Callable) -> np.ndarray:
    if not isinstance(X, np.ndarray):  # a multi-input model's list or dict: one call
        return np.asarray(proba(_first_output(_forward(model, X))), dtype=np.float64)
    chunks = [
        proba(_first_output(_forward(model, X[start : start + batch_size])))
        for start in range(0, len(X), batch_size)
    ]
    return np.concatenate(chunks).astype(np.float64)


def log_loss_score(
    proba: np.ndarray, y_positions: np.ndarray, sample_weight: np.ndarray | None = None
) -> float:
    """Mean log loss of ``proba`` for the true columns ``y_positions`` (lower is better).

    ``sample_weight`` weighs the mean (the training weights of the rows); all zero
    counts as None.
    """
    if sample_weight is not None and not np.any(sample_weight):
        sample_weight = None
    losses = -np.log(np.clip(proba[np.arange(len(y_positions)), y_positions], 1e-12, None))
    return float(np.average(losses, weights=sample_weight))


class LogLossEarlyStopping(keras.callbacks.Callback):
    """Stop training when the held-out log loss stops improving; keep the best weights.

    At the end of every epoch the model scores the held-out rows (in NumPy, so any
    backend works). Training stops after ``n_iter_no_change`` epochs without an
    improvement larger than ``tol`` (relative to the best score's magnitude), and the
    weights of the best epoch are put back at the end of training. With an optimizer
    that keeps a moving average of the weights (``use_ema=True``), which Keras ends
    training on, the average is what is scored and kept.

    Parameters
    ----------
    X_val : array-like of shape (n_val, n_features)
    y_val : array-like of int of shape (n_val,)
        Column (in ``classes_`` order) of each row's true class.
    n_iter_no_change : int, default=10
    tol : float, default=1e-4
        Relative improvement that counts.
    restore_best_weights : bool, default=True
    batch_size : int, default=8192
        Rows per forward pass when scoring.
    proba : callable, default=None
        Maps the model's output (NumPy) to (n, k) probabilities, e.g. a head's
        ``proba`` for one sigmoid unit; None takes the output as they are.
    sample_weight : array-like of shape (n_val,), default=None
        Weights of the validation rows in the score.
    reduce_lr_patience : int or None, default=None
        After every ``reduce_lr_patience`` epochs without improvement, put the best
        epoch's weights back and multiply the optimizer's learning rate by
        ``reduce_lr_factor`` (each epoch's rate in ``logs["learning_rate"]``); the
        rate is set back to its first value when training ends. None: never.
    reduce_lr_factor : float, default=0.3
    anneal_epochs : int or None, default=None
        The fit's epochs, over which the learning rate anneals: at the start of each
        epoch, its first value times :func:`annealed_rate` (``anneal_peak`` for the
        first half, then a cosine towards 0), in ``logs["learning_rate"]`` and set
        back when training ends. None: never.
    anneal_peak : float, default=2.0

    Attributes
    ----------
    scores_ : list of float
        Validation score of each epoch.
    best_epoch_ : int
        Zero-based epoch whose weights were kept.
    best_score_ : float
    stopped_epoch_ : int or None
        Epoch at which training stopped early; None if it ran to the end.
    """

    monitor = "log_loss"  # the score's name in the history: ``val_log_loss``

    def __init__(
        self,
        X_val: Any,
        y_val: Any,
        *,
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        restore_best_weights: bool = True,
        batch_size: int = 8192,
        proba: Callable | None = None,
        sample_weight: Any = None,
        reduce_lr_patience: int | None = None,
        reduce_lr_factor: float = 0.3,
        anneal_epochs: int | None = None,
        anneal_peak: float = 2.0,
    ):
        super().__init__()
        multi_input = isinstance(X_val, (list, tuple, dict))
        self.X_val = X_val if multi_input else np.asarray(X_val, dtype=np.float32)
        self.y_val = np.asarray(y_val, dtype=np.int64)
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.restore_best_weights = restore_best_weights
        self.batch_size = batch_size
        self.proba = np.asarray if proba is None else proba
        self.sample_weight = None if sample_weight is None else np.asarray(sample_weight, float)
        self.reduce_lr_patience = reduce_lr_patience
        self.reduce_lr_factor = reduce_lr_factor
        self.anneal_epochs = anneal_epochs
        self.anneal_peak = anneal_peak

    _SETTINGS = ("X_val", "y_val", "n_iter_no_change", "tol", "restore_best_weights")
    _SETTINGS += ("batch_size", "sample_weight", "reduce_lr_patience", "reduce_lr_factor")
    _SETTINGS += ("anneal_epochs", "anneal_peak")

    def settings(self) -> dict:
        """What decides this callback's effect on training, for ``memory``'s key.

        ``proba`` is a head's method, which holds the head's costs too: only how it
        reads the output (its unit and the number of units) decides anything here.
        """
        head = getattr(self.proba, "__self__", None)
        reader = (
            (head.unit, head.units) if head is not None else getattr(self.proba, "__name__", "")
        )
        settings = {name: getattr(self, name) for name in self._SETTINGS}
        return {**settings, "class": type(self).__qualname__, "proba": reader}

    def score(self, proba: np.ndarray) -> float:
        """The epoch's validation score of the held-out probabilities (lower is better)."""
        return log_loss_score(proba, self.y_val, self.sample_weight)

    def smoothed(self) -> float:
        """The score the epoch is judged by: the last one."""
        return self.scores_[-1]

    def on_train_begin(self, logs=None):
        self.scores_: list[float] = []
        self.best_epoch_ = -1
        self.best_score_ = np.inf
        self.stopped_epoch_ = None
        self._best_weights = None
        self._wait = 0
        sets_rate = self.reduce_lr_patience is not None or self.anneal_epochs is not None
        self._initial_learning_rate = self._learning_rate() if sets_rate else None

    def on_epoch_begin(self, epoch, logs=None):
        if self.anneal_epochs is not None:
            factor = annealed_rate(epoch, self.anneal_epochs, self.anneal_peak)
            self.model.optimizer.learning_rate = self._initial_learning_rate * factor

    def on_epoch_end(self, epoch, logs=None):
        # An optimizer with use_ema=True ends training on its moving average of the
        # weights: score that average, and keep it as the best epoch's weights.
        with _moving_average_in(self.model):
            self._score_epoch(epoch, logs)
        if self._initial_learning_rate is not None and logs is not None:
            logs["learning_rate"] = self._learning_rate()
        patience = self.reduce_lr_patience
        if patience is not None and self._wait and self._wait % patience == 0:
            self._reduce_learning_rate()

    def _score_epoch(self, epoch, logs):
        proba = _probabilities(self.model, self.X_val, self.batch_size, self.proba)
        self.scores_.append(self.score(proba))
        score = self.smoothed()
        if logs is not None:
            logs[f"val_{self.monitor}"] = self.scores_[-1]
        if not np.isfinite(self.best_score_) or score < self.best_score_ - self.tol * abs(
            self.best_score_
        ):
            self.best_score_, self.best_epoch_, self._wait = score, epoch, 0
            if self.restore_best_weights:
                self._best_weights = self.model.get_weights()
            return
        self._wait += 1
        if self._wait >= self.n_iter_no_change:
            self.stopped_epoch_ = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.restore_best_weights and self._best_weights is not None:
            self.model.set_weights(self._best_weights)
        self._best_weights = None  # the callback may be pickled with the estimator
        if self._initial_learning_rate is not None:  # a later fit starts where this one did
            self.model.optimizer.learning_rate = self._initial_learning_rate

    def _learning_rate(self) -> float:
        return float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))

    def _reduce_learning_rate(self) -> None:
        """Back to the best epoch's weights, on at a smaller learning rate."""
        self.model.optimizer.learning_rate = self._learning_rate() * self.reduce_lr_factor
        if self._best_weights is not None:
            self.model.set_weights(self._best_weights)
