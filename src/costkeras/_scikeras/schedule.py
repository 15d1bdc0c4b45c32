"""How long and on which rows a fit trains: epochs, batch size, the held-out share.

``epochs="auto"`` and ``batch_size="auto"`` come from :func:`auto_schedule`, which
keeps the number of optimizer steps near a target whatever the data's size;
``early_stopping`` decides whether a stratified share of the rows
(:func:`validation_split`) is held out for :mod:`.early_stopping` to score, and
whether the learning rate anneals over the epochs early stopping runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .early_stopping import user_sets_rate

__all__ = [
    "Schedule",
    "auto_schedule",
    "n_rows",
    "plan_fit",
    "resolve_early_stopping",
    "resolve_validation_fraction",
    "statistics_rows",
    "validation_split",
]


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
    >>> from costkeras._scikeras.schedule import auto_schedule
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

    On fewer rows the held-out share is missed in training more than over-fitting
    hurts; on more, stopping at the best epoch pays for the rows held out.

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
    validation log loss is mostly the rare class's: scored on a handful of rare rows,
    one epoch's noise outweighs the training's progress, the learning rate falls and
    training stops before the network has learnt more than the priors. A float is
    kept as it is.

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
    >>> from costkeras._scikeras.schedule import resolve_validation_fraction
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
    >>> from costkeras._scikeras.schedule import validation_split
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
class Schedule:
    """How long one fit trains and on which rows: epochs, and the rows held out to stop early.

    ``train`` and ``validation`` are row indices, both None when nothing is held out;
    ``anneal``: early stopping anneals the learning rate over the epochs.
    """

    epochs: int
    train: np.ndarray | None = None
    validation: np.ndarray | None = None
    anneal: bool = False


def plan_fit(
    params: dict,
    epochs: int | str,
    labels: np.ndarray,
    *,
    n_outputs: int | None,
    continuing: bool,
    fit_kwargs: dict,
    random_state: Any = None,
) -> Schedule:
    """Resolve ``early_stopping`` and ``epochs="auto"`` for one fit of ``len(labels)`` rows.

    Parameters
    ----------
    params : dict
        The estimator's ``get_params()``: ``early_stopping``, ``validation_fraction``
        (:func:`resolve_validation_fraction`), ``reduce_lr_on_plateau``,
        ``validation_split`` and routed ``fit__`` parameters.
    epochs : int or "auto"
        ``"auto"``: :func:`auto_schedule`'s epochs for the rows trained on. With early
        stopping, half as many, over which the learning rate anneals (the schedule's
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
    Schedule
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
        epochs, anneal = _auto_epochs(params, n if train is None else len(train), stop, fit_kwargs)
    return Schedule(int(epochs), train, validation, anneal)


def _auto_epochs(params: dict, n_train: int, stop: bool, fit_kwargs: dict) -> tuple[int, bool]:
    """``epochs="auto"``'s epochs for ``n_train`` rows, and whether the rate anneals over them.

    With early stopping (``stop``), half the auto epochs where early stopping anneals the
    rate, else twice them: a budget for the plateaus' reductions.
    """
    epochs = auto_schedule(n_train)[0]
    if not stop:
        return epochs, False
    anneal = params.get("reduce_lr_on_plateau") == "auto" and not user_sets_rate(params, fit_kwargs)
    return (max(1, round(epochs / 2)), True) if anneal else (2 * epochs, False)


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


def statistics_rows(plan: Schedule, n: int, sample_weight: np.ndarray | None = None) -> np.ndarray:
    """Rows the default network's input statistics come from: training rows of weight > 0.

    A row of zero weight counts nowhere, as if it were not there (``drop_weightless``).
    """
    rows = np.arange(n) if plan.train is None else plan.train
    if sample_weight is not None and np.any(sample_weight[rows] > 0):
        rows = rows[sample_weight[rows] > 0]
    return rows


def n_rows(X) -> int:
    """Rows of a Keras input: an array, or a multi-input model's list or dict of them."""
    if isinstance(X, dict):
        X = next(iter(X.values()))
    elif isinstance(X, (list, tuple)):
        X = X[0]
    return len(X)
