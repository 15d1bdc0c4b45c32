"""Compiling the network: whose optimizer, loss and metrics win.

| what      | a model the user compiled              | a model costkeras compiles        |
|-----------|----------------------------------------|-----------------------------------|
| optimizer | the user's, unless ``optimizer`` is set | ``optimizer`` (None: Adam)       |
| loss      | the cost loss when costs train; else    | the same, with cross-entropy last |
|           | ``loss`` if set; else the user's        |                                   |
| metrics   | the user's, unless ``metrics`` is set   | ``metrics``                       |

A user-compiled model is recompiled only when one of these changes; then it
keeps its own optimizer, metrics and other compile settings (the very objects
it was compiled with).
"""

from __future__ import annotations

import keras

from .._compat import compile_arguments
from .heads import Head


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


def compile_model(model: keras.Model, heads: list[Head], estimator_kwargs: dict, params: dict):
    """Compile ``model`` for ``heads`` by the precedence above; return the loss it trains with.

    ``estimator_kwargs`` are the estimator's compile arguments (scikeras's
    routing of ``optimizer__``, ``loss__``, ``metrics__`` parameters applied);
    ``params`` tells which of ``optimizer``, ``loss`` and ``metrics`` the user set.
    """
    losses = head_losses(heads)
    if not model.compiled or getattr(model, "loss", None) is None:
        kwargs = dict(estimator_kwargs)
    else:
        same_loss = _same_losses(model.loss, losses, len(model.outputs))
        if same_loss and params["optimizer"] is None and params["metrics"] is None:
            return model.loss
        kwargs = compile_arguments(model)
        for name in ("optimizer", "metrics"):
            if params[name] is not None:
                kwargs[name] = estimator_kwargs[name]
    kwargs["loss"] = losses
    model.compile(**kwargs)
    return losses


def _same_losses(compiled, losses, n_heads: int) -> bool:
    if n_heads == 1:
        return compiled is losses
    if isinstance(compiled, (list, tuple)):
        return all(a is b for a, b in zip(compiled, losses, strict=True))
    if isinstance(compiled, dict):
        return list(compiled.values()) == losses
    return all(loss is compiled for loss in losses)
