"""Compiling the network: whose optimizer, loss and metrics win.

| what      | a model the user compiled              | a model costkeras compiles        |
|-----------|----------------------------------------|-----------------------------------|
| optimizer | the user's, unless ``optimizer`` is set | ``optimizer`` (None: Adam)       |
| loss      | the cost loss when costs train; else    | the same, with cross-entropy last |
|           | ``loss`` if set; else the user's        |                                   |
| metrics   | the user's, unless ``metrics`` is set   | ``metrics``                       |
| steps per | the user's, unless                      | ``steps_per_execution`` ("auto":  |
| execution | ``steps_per_execution`` is an int       | an epoch, 16 or 1, see below)     |

A user-compiled model is recompiled only when one of these changes; then it keeps
its own optimizer, metrics and other compile settings (the very objects it was
compiled with). ``CompileMixin`` holds scikeras's compile hooks that apply it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import keras

from .._compat import compile_arguments
from ..keras.metrics import LabelsOnly
from .heads import Head

if TYPE_CHECKING:
    from .plan import FitPlan

AUTO_STEPS_PER_EXECUTION = 16
_OWNED = "_costkeras_compiled"  # set on a model costkeras compiled from scratch
_BATCH_HOOKS = (
    "on_batch_begin",
    "on_batch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_batch_begin",
    "on_test_batch_end",
)


def steps_per_execution(
    value: int | str, callbacks: list, steps_per_epoch: int, *, current: int | None = None
) -> int:
    """The ``steps_per_execution`` costkeras compiles with: ``value``, or for ``"auto"``
    where an epoch has at least 32 steps, an epoch's steps on TensorFlow (one call per
    epoch, fed by one iterator for the fit: ``epoch_data``) and 16 on JAX, else 1; and 1
    on PyTorch (whose trainer takes 1 only) and when one of ``callbacks`` overrides a
    batch-level hook (Keras calls those only once per execution). ``current``: the
    value a fit that goes on training was compiled with, kept where above 1, so that
    warm fits and ``partial_fit`` calls of other sizes do not recompile and retrace.

    Several steps per call save the per-call overhead on long epochs. Short epochs gain
    nothing: the multi-step function costs more to trace, and a search fitting many
    small models would trace it for few calls each (TensorFlow warns of retracing then).
    """
    if value != "auto":
        if value > 1 and keras.backend.backend() == "torch":
            raise ValueError(
                f"steps_per_execution must be 1 with the PyTorch backend; got {value}."
            )
        return int(value)
    base = keras.callbacks.Callback
    hooks_batches = any(
        getattr(type(cb), hook, None) is not getattr(base, hook)
        for cb in callbacks
        for hook in _BATCH_HOOKS
    )
    if hooks_batches or keras.backend.backend() == "torch" or steps_per_epoch < 32:
        return 1
    if current is not None and current > 1:
        return int(current)
    if keras.backend.backend() == "tensorflow":
        return int(steps_per_epoch)
    return AUTO_STEPS_PER_EXECUTION


def build_optimizer(model: keras.Model) -> None:
    """Create the compiled optimizer's variables (its moments, step count) before training.

    Keras creates them in the first training step otherwise; on TensorFlow a step that
    creates variables is traced twice (once to create them, once to run), so building
    them first halves the tracing of the training step. They start as they would there.
    """
    optimizer = getattr(model, "optimizer", None)
    if keras.backend.backend() != "tensorflow" or optimizer is None or optimizer.built:
        return
    optimizer.build(model.trainable_variables)


def head_losses(heads: list[Head]):
    """The loss argument of ``compile``: one loss, or a list in the model's output order."""
    by_output = {head.output_index: head.loss for head in heads}  # heads may share one
    if len(by_output) == 1:
        return by_output[0]
    return [by_output[index] for index in sorted(by_output)]


def losses_by_output(model: keras.Model) -> list:
    """The loss the compiled ``model`` trains each of its outputs with, in output order."""
    loss = model.loss
    n_outputs = len(model.outputs)
    if isinstance(loss, dict):
        return [loss.get(name) for name in model.output_names]
    if isinstance(loss, (list, tuple)):
        return list(loss)
    return [loss] * n_outputs


def compile_model(
    model: keras.Model,
    heads: list[Head],
    estimator_kwargs: dict,
    plan: FitPlan,
    *,
    default_network: bool = False,
):
    """Compile ``model`` for ``heads`` by the precedence above; return the loss it trains with.

    ``estimator_kwargs`` are the estimator's compile arguments (scikeras's
    routing of ``optimizer__``, ``loss__``, ``metrics__`` parameters applied) and
    the resolved ``steps_per_execution``; ``plan`` tells which of ``optimizer``,
    ``metrics`` and ``steps_per_execution`` the user set.
    ``default_network``: costkeras built the model, so it always owns its compile
    settings (an unpickled model has lost the mark set here).
    """
    losses = head_losses(heads)
    owned = not model.compiled or getattr(model, "loss", None) is None
    if owned:
        kwargs = dict(estimator_kwargs)
    else:
        steps = estimator_kwargs["steps_per_execution"]
        # a model costkeras compiled follows "auto" (a batch-hook callback of a later
        # warm fit gets 1); a model the user compiled keeps its own unless it is set
        owned = default_network or getattr(model, _OWNED, False)
        follows = plan.steps_per_execution != "auto" or owned
        override = {
            "optimizer": plan.optimizer_set,
            "metrics": plan.metrics_set,
            "steps_per_execution": follows and steps != model.steps_per_execution,
        }
        same_loss = _same_losses(model.loss, losses, len(model.outputs))
        if same_loss and not any(override.values()):
            return model.loss
        kwargs = compile_arguments(model)
        for name, is_set in override.items():
            if is_set:
                kwargs[name] = estimator_kwargs[name]
    kwargs["loss"] = losses
    for key in ("metrics", "weighted_metrics"):
        if kwargs.get(key) is not None:
            kwargs[key] = labels_only_metrics(kwargs[key], heads, model)
    model.compile(**kwargs)
    setattr(model, _OWNED, owned)
    return losses


def _same_losses(compiled, losses, n_heads: int) -> bool:
    if n_heads == 1:
        return compiled is losses
    if isinstance(compiled, (list, tuple)):
        return all(a is b for a, b in zip(compiled, losses, strict=True))
    if isinstance(compiled, dict):
        return list(compiled.values()) == losses
    return all(loss is compiled for loss in losses)


def labels_only_metrics(metrics, heads: list[Head], model: keras.Model):
    """``metrics`` with those of the outputs whose targets carry cost rows in ``LabelsOnly``.

    Per-example costs travel after each target's one-hot row; Keras's metrics
    (and a ``MeanCost`` the user gave, which then prices with its own matrix)
    read only the one-hot part. Other outputs' metrics, and forms of
    ``metrics`` that name no output, are left as given.
    """
    carrying = {head.output_index for head in heads if getattr(head.loss, "costs_in_target", False)}
    if not carrying:
        return metrics
    n_outputs = len(model.outputs)
    if isinstance(metrics, dict):
        names = list(model.output_names)
        return {
            name: _labels_only(value)
            if (n_outputs == 1 or (name in names and names.index(name) in carrying))
            else value
            for name, value in metrics.items()
        }
    if n_outputs == 1:
        return _labels_only(metrics)
    if isinstance(metrics, (list, tuple)) and len(metrics) == n_outputs:
        return [
            _labels_only(value) if index in carrying else value
            for index, value in enumerate(metrics)
        ]
    return metrics


def _labels_only(metrics):
    if metrics is None or isinstance(metrics, LabelsOnly):
        return metrics
    if isinstance(metrics, (list, tuple)):
        return [_labels_only(metric) for metric in metrics]
    return LabelsOnly(metrics)


class CompileMixin:
    """scikeras's compile hooks, following the table above for a model with heads."""

    def _get_compile_kwargs(self) -> dict:
        if self.optimizer is not None:
            return super()._get_compile_kwargs()
        # optimizer=None means Adam for a model costkeras compiles, and scikeras's
        # routing of optimizer__ parameters needs a class to route them to
        self.optimizer = keras.optimizers.Adam
        try:
            return super()._get_compile_kwargs()
        finally:
            self.optimizer = None

    def _ensure_compiled_model(
        self, callbacks: list = (), steps_per_epoch: int = 1, plan: FitPlan | None = None
    ) -> None:
        if self.__dict__.get("heads_") is None:
            return super()._ensure_compiled_model()
        kwargs = self._fit_compile_kwargs(callbacks, steps_per_epoch, plan)
        self.loss_ = compile_model(
            self.model_, self.heads_, kwargs, plan, default_network=self._default_network()
        )

    def _fit_compile_kwargs(self, callbacks: list, steps_per_epoch: int, plan: FitPlan) -> dict:
        """The compile arguments of this fit: the estimator's, and the resolved
        ``steps_per_execution`` (not in ``_get_compile_kwargs``: scikeras hands those
        to build functions too)."""
        kwargs = self._get_compile_kwargs()
        continuing = plan.continuing
        current = self.model_.steps_per_execution if continuing and self.model_.compiled else None
        kwargs["steps_per_execution"] = steps_per_execution(
            plan.steps_per_execution, callbacks, steps_per_epoch, current=current
        )
        return kwargs
