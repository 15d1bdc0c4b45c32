"""The fit plan: one fit's parameters, read once and every ``"auto"`` resolved, frozen.

``fit`` and ``partial_fit`` say what they were called with in a :class:`FitCall`;
once the parameters are validated and y is read, :func:`make_plan` turns the
estimator's parameters and that call into a :class:`FitPlan`, which the fit path
reads instead of the estimator's parameters: the heads, their targets and weights,
compiling, early stopping and the key of ``memory``. A new fit-time setting is one
field here and one line in :func:`make_plan`.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

import numpy as np

from .._weights import check_sample_weight
from .cost_losses import COST_LOSSES, CostLoss
from .schedule import auto_schedule, plan_fit

__all__ = ["FitCall", "FitPlan", "make_plan"]


@dataclass(frozen=True)
class FitCall:
    """What one call of ``fit`` or ``partial_fit`` received.

    ``warm``: it goes on training the fitted model (``warm_start``, or ``partial_fit``
    after the first call); ``incremental``: ``partial_fit``, one epoch from
    ``initial_epoch``; ``fit_kwargs``: the keywords for ``keras.Model.fit``.
    """

    sample_weight: Any = None
    sample_cost: Any = None
    warm: bool = False
    epochs: int | str = "auto"
    initial_epoch: int = 0
    _: KW_ONLY
    incremental: bool = False
    fit_kwargs: Mapping[str, Any] = field(default_factory=dict)
    classes: Any = None

    @classmethod
    def partial(cls, sample_weight, sample_cost, fit_kwargs: dict, classes, *, fitted) -> FitCall:
        """``partial_fit``'s call: one epoch from the ``fitted`` estimator's current one."""
        for name in ("epochs", "initial_epoch"):
            if name in fit_kwargs:
                raise TypeError(
                    f"Invalid argument `{name}` to `partial_fit`: `partial_fit` always trains "
                    "for 1 epoch, from the current one."
                )
        warm, start = fitted.initialized_, fitted.current_epoch
        options = {"incremental": True, "fit_kwargs": fit_kwargs, "classes": classes}
        return cls(sample_weight, sample_cost, warm, 1, start, **options)

    @property
    def continuing(self) -> bool:
        """It goes on training a model: it never stops early."""
        return self.warm or self.incremental


@dataclass(frozen=True, kw_only=True)
class FitPlan:
    """Everything one fit trains and decides by, the parameters read once.

    Costs and decisions: ``cost_loss`` (the :class:`~.cost_losses.CostLoss`
    strategy), ``cost_loss_weight``, ``cost_matrix`` and ``class_weight`` as given
    (the heads validate them per output), ``decision`` (``"auto"`` resolves per head,
    by its matrix), ``loss`` and ``model_given`` (whether ``model`` is set).

    The call: ``warm``, ``continuing``, the checked ``sample_weight``,
    ``sample_cost``, ``initial_epoch``, and ``fit_args``, the keyword arguments of
    ``keras.Model.fit`` (the routed ``fit__`` parameters, then the call's).

    The schedule, resolved: ``epochs``, the row indices ``train`` and ``validation``
    (None: nothing held out), ``batch_size`` (an int, None for Keras's own, -1 for
    all rows, or ``"auto"``: :meth:`rows_per_batch`); early stopping's
    ``n_iter_no_change``, ``tol`` and ``reduce_lr_on_plateau``, and ``anneal``
    (whether it anneals the learning rate over the epochs instead); compiling's
    ``steps_per_execution`` and whether ``optimizer`` and ``metrics`` are set; the
    ``seed`` (scikeras's int from ``random_state``, or None); ``distributed``: whether
    it trains under a ``distribution``.
    """

    cost_loss: CostLoss
    cost_loss_weight: float
    cost_matrix: Any
    class_weight: Any
    decision: str
    loss: Any
    model_given: bool
    warm: bool
    continuing: bool
    sample_weight: np.ndarray | None
    sample_cost: Any
    initial_epoch: int
    fit_args: Mapping[str, Any]
    epochs: int
    train: np.ndarray | None
    validation: np.ndarray | None
    batch_size: int | str | None
    n_iter_no_change: int
    tol: float
    reduce_lr_on_plateau: bool | str
    anneal: bool
    steps_per_execution: int | str
    optimizer_set: bool
    metrics_set: bool
    seed: int | None
    distributed: bool

    @property
    def per_example(self) -> bool:
        """Whether per-example costs came with the fit."""
        return self.sample_cost is not None

    def rows_per_batch(self, n: int) -> int:
        """Rows per training batch of a fit on ``n`` rows (Keras's 32 for None; -1: all)."""
        if self.batch_size == "auto":
            return auto_schedule(n)[1]
        if self.batch_size is None:
            return 32
        return n if self.batch_size == -1 else max(1, min(int(self.batch_size), max(n, 1)))

    def keras_fit_args(self, n: int) -> dict:
        """``keras.Model.fit``'s keyword arguments for ``n`` training rows, callbacks aside."""
        args = {k: v for k, v in self.fit_args.items() if not k.startswith("callbacks")}
        if self.batch_size == "auto":  # never handed to Keras as it is
            args["batch_size"] = self.rows_per_batch(n)
        return args

    def training_settings(self, n: int) -> dict:
        """The plan's fields that decide the Keras training, for ``memory``'s key.

        Decision-only fields (``decision``, a cost matrix with cross-entropy) are not
        among them: they reach training only through the compiled loss, which the
        key reads from the model.
        """
        args = {k: v for k, v in self.keras_fit_args(n).items() if k != "verbose"}
        return {
            "fit": {**args, "epochs": self.epochs, "initial_epoch": self.initial_epoch},
            "seed": self.seed,
            # "auto" reads one repeated pipeline, an int Keras's own loop: other batch
            # orders, even where both compile the same steps per execution
            "steps_per_execution": self.steps_per_execution,
        }


def make_plan(params: dict, call: FitCall, *, labels: np.ndarray, n_outputs: int, **known):
    """The plan of one fit of ``len(labels)`` rows, from ``get_params()`` and the call.

    ``labels`` stratify the validation share; ``known``: ``seed`` (scikeras's int),
    ``fit_args`` (``keras.Model.fit``'s routed keyword arguments, the call's
    included) and ``model_given``.
    """
    n = len(labels)
    kwargs = dict(call.fit_kwargs)
    weights = None if call.sample_weight is None else check_sample_weight(call.sample_weight, n)
    schedule = plan_fit(
        params,
        call.epochs,
        labels,
        n_outputs=n_outputs,
        continuing=call.continuing,
        fit_kwargs=kwargs,
        random_state=known.get("seed"),
    )
    return FitPlan(
        cost_loss=COST_LOSSES[params["cost_loss"]],
        cost_loss_weight=params["cost_loss_weight"],
        cost_matrix=params["cost_matrix"],
        class_weight=params["class_weight"],
        decision=params["decision"],
        loss=params["loss"],
        model_given=known.get("model_given", params["model"] is not None),
        warm=call.warm,
        continuing=call.continuing,
        sample_weight=weights,
        sample_cost=call.sample_cost,
        initial_epoch=call.initial_epoch,
        fit_args=types.MappingProxyType(dict(known.get("fit_args", kwargs))),
        epochs=schedule.epochs,
        train=schedule.train,
        validation=schedule.validation,
        # fit's keyword, else the routed fit__batch_size, else batch_size
        batch_size=kwargs.get("batch_size", params.get("fit__batch_size", params["batch_size"])),
        n_iter_no_change=params["n_iter_no_change"],
        tol=params["tol"],
        reduce_lr_on_plateau=params["reduce_lr_on_plateau"],
        anneal=schedule.anneal,
        steps_per_execution=params["steps_per_execution"],
        optimizer_set=params["optimizer"] is not None,
        metrics_set=params["metrics"] is not None,
        seed=known.get("seed"),
        distributed=params.get("distribution") is not None,
    )
