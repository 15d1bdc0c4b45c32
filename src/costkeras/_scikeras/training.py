"""Training schedule and early stopping on the cost of decisions.

Three pieces the estimator combines for ``epochs="auto"``, ``batch_size="auto"`` and
``early_stopping``:

- :func:`auto_schedule` sizes the batch and the number of epochs from the number of
  training rows, so that a fit takes about the same number of optimizer steps whatever
  the data's size (issue #13: ~3,000 steps with batches of up to 256 beat 50 epochs of
  32 on quality, and on 56,000 rows fit in 14 s instead of 193 s).
- :func:`validation_split` holds out a stratified share of the training rows.
- :class:`CostEarlyStopping` scores the held-out rows at the end of every epoch (the
  cost of Bayes decisions, the expected cost, or the log loss, in NumPy, so any Keras
  backend works), stops after ``n_iter_no_change`` epochs without improvement and
  restores the best weights.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from .. import _bayes
from .._compat import moving_average_pairs

__all__ = [
    "MONITORS",
    "CostEarlyStopping",
    "FitPlan",
    "annealed_rate",
    "apply_temperature",
    "auto_schedule",
    "early_stopper",
    "fit_temperature",
    "plan_fit",
    "plateau_patience",
    "resolve_early_stopping",
    "statistics_rows",
    "validation_split",
]

MONITORS = ("decision_cost", "expected_cost", "log_loss")


def auto_schedule(
    n_samples: int,
    *,
    target_steps: int = 3000,
    min_batch_size: int = 32,
    max_batch_size: int = 256,
    rows_per_batch: int = 64,
    min_epochs: int = 10,
    max_epochs: int = 200,
) -> tuple[int, int]:
    """Batch size and number of epochs for ``n_samples`` training rows.

    The batch is a power of two near ``n_samples / rows_per_batch``, clipped to
    ``[min_batch_size, max_batch_size]``; the epochs are what it takes to make
    about ``target_steps`` optimizer steps, clipped to ``[min_epochs, max_epochs]``.
    With early stopping the epochs are an upper bound.

    Parameters
    ----------
    n_samples : int
        Rows the network trains on (after any validation share is held out).
    target_steps : int, default=3000
    min_batch_size, max_batch_size : int, default=32, 256
    rows_per_batch : int, default=64
        The batch grows with the data: ``n_samples / rows_per_batch`` rows.
    min_epochs, max_epochs : int, default=10, 200

    Returns
    -------
    epochs : int
    batch_size : int

    Examples
    --------
    >>> from costkeras._scikeras.training import auto_schedule
    >>> auto_schedule(900), auto_schedule(10_000), auto_schedule(50_000)
    ((103, 32), (38, 128), (15, 256))
    """
    n_samples = max(int(n_samples), 1)
    wanted = max(n_samples / rows_per_batch, 1.0)
    batch_size = 2 ** round(math.log2(wanted))
    batch_size = int(min(max(batch_size, min_batch_size), max_batch_size))
    batch_size = min(batch_size, n_samples)
    steps_per_epoch = math.ceil(n_samples / batch_size)
    epochs = round(target_steps / steps_per_epoch)
    return int(min(max(epochs, min_epochs), max_epochs)), batch_size


def resolve_early_stopping(
    early_stopping: bool | str, n_samples: int, *, min_samples: int = 2_000
) -> bool:
    """``"auto"``: on from ``min_samples`` training rows (HistGradientBoosting: 10,000).

    Measured (benchmarks/tabular.py, 5 splits): early stopping on a 10% validation
    share lifted the savings on 4,700 rows (churn, +0.03) and 9,500 rows (VUB credit,
    +0.03), was neutral on 4,000 (synthetic credit), and cost 0.014 on 900 (digits),
    where the held-out rows are missed more than over-fitting hurts.

    Parameters
    ----------
    early_stopping : bool or "auto"
    n_samples : int
    min_samples : int, default=2000

    Returns
    -------
    bool
    """
    if early_stopping == "auto":
        return n_samples >= min_samples
    return bool(early_stopping)


def resolve_validation_fraction(
    setting: float | str,
    labels: np.ndarray,
    *,
    fraction: float = 0.1,
    min_rare_rows: int = 50,
    max_fraction: float = 0.25,
) -> float:
    """The share of rows early stopping holds out: ``setting``, or ``"auto"``'s.

    ``"auto"`` holds out ``fraction`` of the rows, more where that would leave fewer
    than ``min_rare_rows`` rows of the rarest class, up to ``max_fraction``. The
    validation log loss is mostly the rare class's: with a score of twenty-odd rare
    rows (a tenth of 4,690 rows of which 4.8% churn), one epoch's noise outweighs
    the training's progress, the learning rate falls and training stops before the
    network has learnt anything beyond the priors (savings near 0 on about one fit in
    five). A float is kept as it is.

    Parameters
    ----------
    setting : float in (0, 1) or "auto"
    labels : ndarray of shape (n_samples,)
        The labels the validation share is stratified by.
    fraction, min_rare_rows, max_fraction : float, int, float
        ``"auto"``'s share, the rare class's rows it aims at, and its ceiling.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> from costkeras._scikeras.training import resolve_validation_fraction
    >>> balanced, rare = np.arange(4000) % 2, np.arange(4000) % 20 == 0
    >>> resolve_validation_fraction("auto", balanced), resolve_validation_fraction(0.3, rare)
    (0.1, 0.3)
    >>> resolve_validation_fraction("auto", rare)  # 200 rare rows: 50 of them held out
    0.25
    """
    if not isinstance(setting, str):
        return float(setting)
    rarest = np.unique(np.asarray(labels), return_counts=True)[1].min()
    return float(min(max(fraction, min_rare_rows / rarest), max_fraction))


def validation_split(
    y_positions: np.ndarray, validation_fraction: float, random_state: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the training and validation rows, stratified by class when possible.

    Parameters
    ----------
    y_positions : ndarray of shape (n_samples,)
        Class of each row (any labels).
    validation_fraction : float in (0, 1)
    random_state : int, RandomState or None

    Returns
    -------
    train : ndarray of int
    validation : ndarray of int

    Examples
    --------
    >>> import numpy as np
    >>> from costkeras._scikeras.training import validation_split
    >>> train, val = validation_split(np.repeat([0, 1], 50), 0.2, random_state=0)
    >>> len(train), len(val), np.bincount(np.repeat([0, 1], 50)[val]).tolist()
    (80, 20, [10, 10])
    """
    from sklearn.model_selection import train_test_split

    y_positions = np.asarray(y_positions)
    indices = np.arange(len(y_positions))
    _, counts = np.unique(y_positions, return_counts=True)
    n_val = math.ceil(validation_fraction * len(y_positions))
    stratify = y_positions if counts.min() >= 2 and n_val >= len(counts) else None
    train, val = train_test_split(
        indices, test_size=validation_fraction, stratify=stratify, random_state=random_state
    )
    return np.sort(train), np.sort(val)


@dataclass(frozen=True)
class FitPlan:
    """What one call of ``fit`` trains: epochs, and the rows held out to stop early.

    ``train`` and ``validation`` are row indices, both None when nothing is held out.
    """

    epochs: int
    train: np.ndarray | None = None
    validation: np.ndarray | None = None
    anneal: bool = False  # early stopping anneals the learning rate over the epochs


def plan_fit(
    params: dict,
    epochs: int | str,
    labels: np.ndarray,
    *,
    n_outputs: int | None,
    continuing: bool,
    fit_kwargs: dict,
    random_state: Any = None,
) -> FitPlan:
    """Resolve ``early_stopping`` and ``epochs="auto"`` for one fit of ``len(labels)`` rows.

    Parameters
    ----------
    params : dict
        The estimator's ``get_params()``: ``early_stopping``, ``validation_fraction``
        (:func:`resolve_validation_fraction`),
        ``validation_split`` and routed ``fit__`` parameters.
    epochs : int or "auto"
        ``"auto"``: :func:`auto_schedule`'s epochs for the rows trained on. With early
        stopping, half as many, over which the learning rate anneals (the plan's
        ``anneal``: ``reduce_lr_on_plateau="auto"`` and no schedule or rate callback
        of the user's), else twice as many (a budget for the plateaus' reductions).
    labels : ndarray of shape (n_samples,)
        The labels to stratify the validation share by.
    n_outputs : int or None
        Outputs of y; None for a custom ``target_encoder``. Early stopping needs one.
    continuing : bool
        A fit that goes on training a fitted model (``partial_fit``, ``warm_start``):
        never stops early.
    fit_kwargs : dict
        Keyword arguments of ``fit`` for ``keras.Model.fit``.
    random_state : int or None
        Seeds the validation split.

    Returns
    -------
    FitPlan
    """
    n = len(labels)
    stop = not continuing and _early_stopping(params, n, n_outputs, fit_kwargs)
    if params.get("reduce_lr_on_plateau") is True and not stop and not continuing:
        raise ValueError(
            "reduce_lr_on_plateau=True lowers the learning rate when early stopping's "
            "validation score stalls, but early stopping is off for this fit; set "
            "early_stopping=True, or reduce_lr_on_plateau='auto' or False."
        )
    train = validation = None
    if stop:
        fraction = resolve_validation_fraction(params["validation_fraction"], labels)
        train, validation = validation_split(labels, fraction, random_state)
    anneal = False
    if isinstance(epochs, str):  # "auto"
        epochs = auto_schedule(n if train is None else len(train))[0]
        if stop:
            anneal = params.get("reduce_lr_on_plateau") == "auto"
            callbacks = _given_callbacks(params, fit_kwargs)
            anneal = anneal and _rate_setter(_given_optimizer(params), callbacks) is None
            epochs = max(1, round(epochs / 2)) if anneal else 2 * epochs
    return FitPlan(int(epochs), train, validation, anneal)


def _given_optimizer(params: dict):
    """The optimizer or rate schedule ``params`` name, as far as known before compiling."""
    rate = params.get("optimizer__learning_rate")
    if isinstance(rate, keras.optimizers.schedules.LearningRateSchedule):
        return rate
    optimizer = params.get("optimizer")
    return optimizer if isinstance(optimizer, keras.optimizers.Optimizer) else None


def _given_callbacks(params: dict, fit_kwargs: dict) -> list:
    """The callbacks of the estimator's parameters and of this ``fit`` call."""
    found = []
    for given in (params.get("callbacks"), fit_kwargs.get("callbacks")):
        if isinstance(given, dict):
            given = list(given.values())
        if given is not None:
            found += list(given) if isinstance(given, (list, tuple)) else [given]
    return found


def _early_stopping(params: dict, n: int, n_outputs: int | None, fit_kwargs: dict) -> bool:
    setting = params["early_stopping"]
    if not setting:
        return False
    split = fit_kwargs.get("validation_split", params.get("fit__validation_split"))
    split = params.get("validation_split") if split is None else split
    reason = None
    if split:
        reason = f"validation_split={split} holds out Keras's own validation rows"
    elif fit_kwargs.get("validation_data", params.get("fit__validation_data")) is not None:
        reason = "validation_data is given"
    elif n_outputs is None:
        reason = "a custom target_encoder replaces costkeras's output heads"
    elif n_outputs != 1:
        reason = f"y has {n_outputs} outputs (early stopping watches one)"
    if reason is None:
        return resolve_early_stopping(setting, n)
    if isinstance(setting, str):  # "auto" steps aside
        return False
    raise ValueError(
        f"early_stopping=True cannot run here: {reason}. Set early_stopping=False (or 'auto', "
        "which is off in this case)."
    )


def statistics_rows(plan: FitPlan, n: int, sample_weight: np.ndarray | None = None) -> np.ndarray:
    """Rows the default network's input statistics come from: training rows of weight > 0.

    A row of zero weight counts nowhere, as if it were not there (``drop_weightless``).
    """
    rows = np.arange(n) if plan.train is None else plan.train
    if sample_weight is not None and np.any(sample_weight[rows] > 0):
        rows = rows[sample_weight[rows] > 0]
    return rows


def early_stopper(
    params: dict,
    head,
    X_val,
    labels_val,
    weights_val=None,
    optimizer=None,
    callbacks=(),
    anneal_epochs: int | None = None,
) -> CostEarlyStopping:
    """The estimator's early stopping: the log loss of ``head``'s probabilities.

    ``weights_val`` are the training weights of the validation rows (sample and class
    weights), so the score weighs the rows as the training loss does; ``optimizer`` is
    the compiled model's, whose learning rate ``reduce_lr_on_plateau`` lowers unless
    the rate is a schedule or one of the fit's ``callbacks`` sets it. With
    ``anneal_epochs`` (a plan's epochs where it anneals), the rate anneals over them
    where the plateaus' reductions would run, instead of them.
    """
    patience = plateau_patience(params, optimizer, callbacks)
    anneal_epochs = None if patience is None else anneal_epochs
    return CostEarlyStopping(
        X_val,
        head.positions(labels_val),
        monitor="log_loss",
        n_iter_no_change=params["n_iter_no_change"],
        tol=params["tol"],
        proba=head.proba,
        sample_weight=weights_val,
        reduce_lr_patience=None if anneal_epochs else patience,
        anneal_epochs=anneal_epochs,
    )


def plateau_patience(params: dict, optimizer, callbacks=()) -> int | None:
    """Epochs without improvement before early stopping lowers the learning rate.

    A third of ``n_iter_no_change`` (3 of 10), so the rate falls up to three times
    before training stops; None with ``reduce_lr_on_plateau=False``, and with
    ``"auto"`` where the user sets the rate otherwise: a schedule as the optimizer's
    learning rate, or a ``ReduceLROnPlateau`` or ``LearningRateScheduler`` among the
    fit's ``callbacks`` (kept as they are). ``True`` raises there: two cannot both
    set the rate.
    """
    setting = params.get("reduce_lr_on_plateau", False)
    if setting is False or optimizer is None:
        return None
    setter = _rate_setter(optimizer, callbacks)
    if setter is None:
        return max(1, params["n_iter_no_change"] // 3)
    if setting is True:
        raise ValueError(
            f"reduce_lr_on_plateau=True lowers the optimizer's learning rate, but {setter}; "
            "set reduce_lr_on_plateau=False (or 'auto', which leaves the rate to it)."
        )
    return None


def _rate_setter(optimizer, callbacks) -> str | None:
    """What sets the learning rate besides early stopping, in words; None: nothing."""
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


def annealed_rate(epoch: int, epochs: int, peak: float = 2.0) -> float:
    """The learning rate's factor in ``epoch`` (from 0) of ``epochs``.

    ``peak`` for the first half of the epochs, then half a cosine down towards 0.

    Examples
    --------
    >>> from costkeras._scikeras.training import annealed_rate
    >>> [round(annealed_rate(epoch, 8), 2) for epoch in range(8)]
    [2.0, 2.0, 2.0, 2.0, 2.0, 1.71, 1.0, 0.29]
    """
    flat = epochs // 2
    done = max(0.0, (epoch - flat) / max(epochs - flat, 1))
    return peak * 0.5 * (1.0 + math.cos(math.pi * min(done, 1.0)))


def n_rows(X) -> int:
    """Rows of a Keras input: an array, or a multi-input model's list or dict of them."""
    if isinstance(X, dict):
        X = next(iter(X.values()))
    elif isinstance(X, (list, tuple)):
        X = X[0]
    return len(X)


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
    after every epoch, the default network's embedding layers run op by op, a sizeable
    share of a fit (``benchmarks/profile_fit.py``). Elsewhere the model is called: JAX's
    ``predict_on_batch`` swaps the trainer's state, which is mid-fit here.
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


def validation_score(
    proba: np.ndarray,
    y_positions: np.ndarray,
    costs: np.ndarray | None,
    monitor: str,
    sample_weight: np.ndarray | None = None,
) -> float:
    """Mean validation loss of ``proba`` (lower is better).

    Parameters
    ----------
    proba : ndarray of shape (n_samples, k)
    y_positions : ndarray of int of shape (n_samples,)
        Column of each row's true class.
    costs : ndarray of shape (k, k) or (n_samples, k, k), or None
        ``C[true, predicted]``; None scores the log loss whatever ``monitor`` says.
    monitor : {"decision_cost", "expected_cost", "log_loss"}
    sample_weight : ndarray of shape (n_samples,), default=None
        Weights of the mean (the training weights of the rows); all zero counts as None.

    Returns
    -------
    float
    """
    rows = np.arange(len(y_positions))
    if sample_weight is not None and not np.any(sample_weight):
        sample_weight = None
    if costs is None or monitor == "log_loss":
        losses = -np.log(np.clip(proba[rows, y_positions], 1e-12, None))
    else:
        costs = np.asarray(costs, dtype=np.float64)
        true_rows = costs[y_positions] if costs.ndim == 2 else costs[rows, y_positions]
        if monitor == "decision_cost":
            # checked costs: _bayes's decision, without the checks of user input
            losses = true_rows[rows, _bayes.decision_positions(proba, costs)]
        else:
            losses = np.sum(proba * true_rows, axis=1)
    return float(np.average(losses, weights=sample_weight))


class CostEarlyStopping(keras.callbacks.Callback):
    """Stop training when the validation cost stops improving; keep the best weights.

    At the end of every epoch the model scores the held-out rows (in NumPy, so any
    backend works): the mean cost of Bayes decisions with each row's own cost matrix,
    the mean expected cost, or the log loss. Training stops after
    ``n_iter_no_change`` epochs without an improvement larger than ``tol`` (relative to
    the best score's magnitude), and the weights of the best epoch are put back at the
    end of training. With an optimizer that keeps a moving average of the weights
    (``use_ema=True``), which Keras ends training on, the average is what is scored
    and kept.

    Parameters
    ----------
    X_val : array-like of shape (n_val, n_features)
    y_val : array-like of int of shape (n_val,)
        Column (in ``classes_`` order) of each row's true class.
    costs : array-like of shape (k, k) or (n_val, k, k), default=None
        ``C[true, predicted]``, one matrix or one per row. None monitors the log loss.
    monitor : {"decision_cost", "expected_cost", "log_loss"}, default="decision_cost"
    n_iter_no_change : int, default=10
    tol : float, default=1e-4
        Relative improvement that counts.
    restore_best_weights : bool, default=True
    smoothing : int, default=1
        Score an epoch by the mean of the last ``smoothing`` epochs' scores (the
        decision cost of a small validation set is noisy).
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

    def __init__(
        self,
        X_val: Any,
        y_val: Any,
        costs: Any = None,
        *,
        monitor: str = "decision_cost",
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        restore_best_weights: bool = True,
        smoothing: int = 1,
        batch_size: int = 8192,
        proba: Callable | None = None,
        sample_weight: Any = None,
        reduce_lr_patience: int | None = None,
        reduce_lr_factor: float = 0.3,
        anneal_epochs: int | None = None,
        anneal_peak: float = 2.0,
    ):
        super().__init__()
        if monitor not in MONITORS:
            raise ValueError(f"monitor must be one of {MONITORS}; got {monitor!r}.")
        multi_input = isinstance(X_val, (list, tuple, dict))
        self.X_val = X_val if multi_input else np.asarray(X_val, dtype=np.float32)
        self.y_val = np.asarray(y_val, dtype=np.int64)
        self.costs = None if costs is None else np.asarray(costs, dtype=np.float64)
        self.monitor = monitor
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.restore_best_weights = restore_best_weights
        self.smoothing = smoothing
        self.batch_size = batch_size
        self.proba = np.asarray if proba is None else proba
        self.sample_weight = None if sample_weight is None else np.asarray(sample_weight, float)
        self.reduce_lr_patience = reduce_lr_patience
        self.reduce_lr_factor = reduce_lr_factor
        self.anneal_epochs = anneal_epochs
        self.anneal_peak = anneal_peak

    def settings(self) -> dict:
        """What decides this callback's effect on training, for ``memory``'s key.

        ``proba`` is a head's method, which holds the head's costs too: only how it
        reads the output (its unit and the number of units) decides anything here.
        """
        head = getattr(self.proba, "__self__", None)
        reader = (
            (head.unit, head.units) if head is not None else getattr(self.proba, "__name__", "")
        )
        names = ("X_val", "y_val", "costs", "monitor", "n_iter_no_change", "tol")
        names += ("restore_best_weights", "smoothing", "batch_size", "sample_weight")
        names += ("reduce_lr_patience", "reduce_lr_factor", "anneal_epochs", "anneal_peak")
        return {**{name: getattr(self, name) for name in names}, "proba": reader}

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
        self.scores_.append(
            validation_score(proba, self.y_val, self.costs, self.monitor, self.sample_weight)
        )
        score = float(np.mean(self.scores_[-self.smoothing :]))
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


def fit_temperature(proba: Any, y_positions: Any) -> float:
    """Temperature minimising the log loss of ``proba ** (1 / T)`` (renormalised).

    Temperature scaling (Guo et al., ICML 2017) on held-out rows: ``T > 1`` softens
    over-confident probabilities, ``T < 1`` sharpens timid ones; the ranking of the
    classes is unchanged, the Bayes decisions are not.

    Parameters
    ----------
    proba : array-like of shape (n_samples, k)
    y_positions : array-like of int of shape (n_samples,)

    Returns
    -------
    float
        In [0.05, 20].

    Examples
    --------
    >>> import numpy as np
    >>> from costkeras._scikeras.training import fit_temperature
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0.05, 0.95, 2000)
    >>> y = (rng.random(2000) < p).astype(int)
    >>> overconfident = np.column_stack([1 - p, p]) ** 3
    >>> overconfident /= overconfident.sum(axis=1, keepdims=True)
    >>> 2.5 < fit_temperature(overconfident, y) < 3.5
    True
    """
    from scipy.optimize import minimize_scalar

    log_p = np.log(np.clip(np.asarray(proba, dtype=np.float64), 1e-12, None))
    y_positions = np.asarray(y_positions)
    rows = np.arange(len(y_positions))

    def loss(log_t):
        z = log_p / np.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[rows, y_positions]))

    result = minimize_scalar(loss, bounds=(np.log(0.05), np.log(20.0)), method="bounded")
    return float(np.exp(result.x))


def apply_temperature(proba: Any, temperature: float) -> np.ndarray:
    """``proba ** (1 / temperature)``, renormalised per row.

    Parameters
    ----------
    proba : array-like of shape (n_samples, k)
    temperature : float

    Returns
    -------
    ndarray of shape (n_samples, k)
    """
    z = np.log(np.clip(np.asarray(proba, dtype=np.float64), 1e-12, None)) / temperature
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)
