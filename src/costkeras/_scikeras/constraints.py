"""The estimator's parameter constraints and the scikit-learn checks it cannot pass."""

from __future__ import annotations

import os
from numbers import Integral, Real

import keras
import numpy as np

from .._compat import HasMethods, Interval, Options, StrOptions
from .cost_losses import COST_LOSSES, DECISIONS
from .network import INPUT_LAYERS

_BATCH = [None, Interval(Integral, 1, None, closed="left"), Options(Integral, {-1})]

PARAMETER_CONSTRAINTS: dict = {
    "model": [None, callable, keras.Model],
    "build_fn": [None, callable, keras.Model],
    # checked at fit by _cost_matrix.check_costs, as every entry point taking a cost matrix
    # checks it (MinimumCostClassifier, costkeras.decisions, the metrics): the same messages
    "cost_matrix": "no_validation",
    "class_weight": [dict, list, tuple, np.ndarray, StrOptions({"balanced"}), None],
    "cost_loss": [StrOptions(set(COST_LOSSES))],
    "cost_loss_weight": [Interval(Real, 0, None, closed="left")],
    "decision": [StrOptions(set(DECISIONS))],
    "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
    "activation": [str, callable],
    "optimizer": [None, str, keras.optimizers.Optimizer, type],
    "loss": [None, str, callable, dict, list, tuple],
    "metrics": [None, str, callable, dict, list, tuple],
    "batch_size": [*_BATCH, StrOptions({"auto"})],
    "validation_batch_size": _BATCH,
    "epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
    "early_stopping": ["boolean", StrOptions({"auto"})],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither"), StrOptions({"auto"})],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
    "tol": [Interval(Real, 0, None, closed="left")],
    "reduce_lr_on_plateau": ["boolean", StrOptions({"auto"})],
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "input_scaling": [StrOptions(set(INPUT_LAYERS)), None],
    "verbose": ["verbose"],
    "callbacks": [None, keras.callbacks.Callback, type, list, tuple, dict],
    "validation_split": [Interval(Real, 0, 1, closed="left")],
    "shuffle": ["boolean"],
    "run_eagerly": ["boolean"],
    "steps_per_execution": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
    "warm_start": ["boolean"],
    "random_state": ["random_state"],
    "memory": [None, str, os.PathLike, HasMethods(["cache"])],
    # which kind fits depends on the Keras backend: checked at fit by distribution_scope
    "distribution": "no_validation",
}


def check_hidden_layer_sizes(sizes) -> tuple[int, ...]:
    """``hidden_layer_sizes`` as a tuple of positive ints, or a ``ValueError`` naming it."""
    values = (sizes,) if isinstance(sizes, Integral) else sizes
    try:
        values = tuple(values)
    except TypeError:
        values = None
    if values is None or not all(
        isinstance(v, Integral) and not isinstance(v, bool) and v >= 1 for v in values
    ):
        raise ValueError(
            "hidden_layer_sizes must be a positive int or a sequence of positive ints (units "
            f"per hidden layer); got {sizes!r}."
        )
    return tuple(int(v) for v in values)


class UnknownParameterError(TypeError, ValueError):
    """A keyword nobody takes: a ``TypeError`` as Python's own, a ``ValueError`` as
    scikit-learn's ``set_params``."""


def check_extra_params(names, *, build_fn=None, known: set) -> None:
    """Reject constructor keywords that neither scikeras nor the build function takes.

    scikeras hands unrouted extra keywords to the build function; one it does
    not take would fail deep inside the build, blaming the function.
    """
    import inspect

    try:
        parameters = {} if build_fn is None else inspect.signature(build_fn).parameters
    except (TypeError, ValueError):
        return
    if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        return
    unknown = sorted(name for name in names if name not in known and name not in parameters)
    if unknown:
        valid = sorted(known | {n for n in parameters if n not in ("meta", "compile_kwargs")})
        raise UnknownParameterError(
            f"unknown parameter(s) {unknown!r}: the estimator got an unexpected keyword argument "
            f"{unknown[0]!r} that neither it nor the model's build function takes. Valid "
            f"parameters: {valid}; routed ones take a prefix (fit__, model__, optimizer__, ...)."
        )


# Checks of sklearn.utils.estimator_checks that cannot pass, with the reason.
# tests/estimator/test_sklearn_compat.py holds this list fixed.
XFAIL_CHECKS: dict[str, str] = {
    "check_sample_weight_equivalence_on_dense_data": (
        "stochastic mini-batch training: weight 2 is not the same as a duplicated row"
    ),
    "check_sample_weight_equivalence_on_sparse_data": (
        "stochastic mini-batch training: weight 2 is not the same as a duplicated row"
    ),
    "check_estimator_tags_renamed": (
        "scikeras's BaseWrapper, a base class, defines only the legacy _more_tags"
    ),
    "check_mixin_order": ("scikeras's KerasClassifier puts BaseEstimator before ClassifierMixin"),
    # Hardware-dependent: passes on some CPUs (tests/estimator/test_sklearn_compat.py).
    "check_methods_sample_order_invariance": (
        "float32 matrix kernels (raw Keras models too) round a row's output by its "
        "position in the batch, a few ulps, above the check's rtol of 1e-7"
    ),
}


_FIT_CONSTRAINTS = {
    "epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
    "initial_epoch": [Interval(Integral, 0, None, closed="left")],
    "batch_size": _BATCH,
    "validation_batch_size": _BATCH,
    "validation_split": [Interval(Real, 0, 1, closed="left")],
}
_NOT_FOR_FIT = {
    "class_weight": "class_weight is a constructor parameter (set_params(class_weight=...))",
    "validation_data": (
        "validation_data would reach Keras with labels it cannot read; use validation_split"
    ),
    "x": "X is fit's first argument",
    "y": "y is fit's second argument",
}


def _satisfied(value, constraints) -> bool:
    return any(value is None if c is None else c.is_satisfied_by(value) for c in constraints)


def check_fit_arguments(params: dict, fit_kwargs: dict) -> None:
    """Check fit's keywords and the routed ``fit__`` parameters like the constructor's.

    Also refuse routed ``callbacks__``, ``loss__`` and ``metrics__`` parameters
    without the object they configure, and a ``callbacks`` class that is no
    Keras callback: each would be ignored or fail inside Keras.
    """
    for name, reason in _NOT_FOR_FIT.items():
        if name in fit_kwargs:
            raise TypeError(f"fit() got the keyword {name!r}: {reason}.")
    routed = {
        key[len("fit__") :]: value for key, value in params.items() if key.startswith("fit__")
    }
    for source, values in (("fit__", routed), ("fit(..., ", fit_kwargs)):
        for name, constraints in _FIT_CONSTRAINTS.items():
            if name in values and not _satisfied(values[name], constraints):
                raise ValueError(
                    f"{source}{name}={values[name]!r}{')' if source != 'fit__' else ''} is out of "
                    f"range: it must satisfy {[str(c) for c in constraints]}."
                )
    for prefix in ("callbacks", "loss", "metrics"):
        routed = sorted(key for key in params if key.startswith(prefix + "__"))
        if routed and params.get(prefix) is None:
            raise ValueError(f"{routed} configure {prefix}, but {prefix}=None; set {prefix} too.")
    callbacks = params.get("callbacks")
    if isinstance(callbacks, type) and not issubclass(callbacks, keras.callbacks.Callback):
        raise TypeError(f"callbacks must be Keras callbacks (or their classes); got {callbacks!r}.")
