"""Every private name of another library that costkeras uses, in one place.

scikeras 0.13 is the last release (its repository was archived on
2026-04-01), so its private helpers will not move; scikit-learn's will.
Each name resolves lazily, on first use, so ``import costkeras.metrics``
loads neither Keras nor scikeras, and ``tests/test_compat.py`` resolves
every one of them: when upstream renames or removes one, that test names it.

The tested range: scikit-learn 1.6 to 1.9, scikeras 0.13, Keras 3.2 to 3.15
(``pyproject.toml`` declares it).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# name -> (module, attribute)
PRIVATE_NAMES: dict[str, tuple[str, str]] = {
    # scikeras's routing of ``optimizer__x``, ``fit__x``, ``callbacks__x`` parameters
    "route_params": ("scikeras._utils", "route_params"),
    "unflatten_params": ("scikeras._utils", "unflatten_params"),
    # scikit-learn's validation of the parameters once per fit, and its nested-call config
    "fit_context": ("sklearn.base", "_fit_context"),
    # scikit-learn's parameter constraints (``_parameter_constraints``)
    "Interval": ("sklearn.utils._param_validation", "Interval"),
    "StrOptions": ("sklearn.utils._param_validation", "StrOptions"),
    "HasMethods": ("sklearn.utils._param_validation", "HasMethods"),
    "Options": ("sklearn.utils._param_validation", "Options"),
    "InvalidParameterError": ("sklearn.utils._param_validation", "InvalidParameterError"),
    "validate_parameter_constraints": (
        "sklearn.utils._param_validation",
        "validate_parameter_constraints",
    ),
    # the base of scikit-learn's scorers, for a scorer that routes per-example costs
    "BaseScorer": ("sklearn.metrics._scorer", "_BaseScorer"),
    # TensorFlow has no public reader of its op-determinism flag (_scikeras/fixes.py, fix 3)
    "is_op_determinism_enabled": (
        "tensorflow.python.framework.config",
        "is_op_determinism_enabled",
    ),
    # row selection that keeps pandas and lists as they are
    "safe_indexing": ("sklearn.utils", "_safe_indexing"),
    # the number of samples of any array-like X, to read a y laid out as Keras takes it
    "num_samples": ("sklearn.utils.validation", "_num_samples"),
    # Keras's own pipeline of array batches, built once for a whole fit (epoch_data.py)
    "ArrayDataAdapter": (
        "keras.src.trainers.data_adapters.array_data_adapter",
        "ArrayDataAdapter",
    ),
}

__all__ = [
    *sorted(PRIVATE_NAMES),
    "build_for_training",
    "compile_arguments",
    "moving_average_pairs",
]


def build_for_training(model, batch: tuple) -> None:
    """Build a compiled model's loss, metrics and optimizer as its first ``fit`` does.

    Keras's ``fit`` builds them on its first call (the private ``_symbolic_build``)
    from a batch it draws from the data: on JAX that draw takes a permutation from
    NumPy's global random state, so a model given trained state without training
    would shuffle its next fit otherwise than the model that trained. Built here from
    the shapes and dtypes of ``batch`` (x, y, sample_weight), nothing is drawn.
    """
    build = getattr(model, "_symbolic_build", None)
    if build is not None:
        build(data_batch=batch)


def compile_arguments(model) -> dict:
    """The arguments a Keras model was compiled with, as the objects the user passed.

    Keras keeps them in the private ``_compile_config``; its public
    ``get_compile_config`` gives them serialized, and deserializing fails for
    a user's unregistered custom loss or metric.
    """
    config = getattr(model, "_compile_config", None)
    if config is not None and hasattr(config, "config"):
        return dict(config.config)
    import keras

    return keras.saving.deserialize_keras_object(model.get_compile_config())


def moving_average_pairs(optimizer) -> list:
    """``(variable, its moving average)`` for each weight a Keras optimizer with
    ``use_ema=True`` trains; ``[]`` for any other optimizer or one not yet built.

    Keras keeps the averages in the private ``_model_variables_moving_average``, in
    the order of the private ``_trainable_variables`` (its ``SwapEMAWeights`` callback
    reads them the same way); a ``LossScaleOptimizer`` holds them in its inner one.
    """
    optimizer = getattr(optimizer, "inner_optimizer", optimizer)
    averages = getattr(optimizer, "_model_variables_moving_average", None)
    if not getattr(optimizer, "use_ema", False) or not averages:
        return []
    return list(zip(optimizer._trainable_variables, averages, strict=True))


def __getattr__(name: str) -> Any:
    if name not in PRIVATE_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = PRIVATE_NAMES[name]
    value = getattr(import_module(module), attribute)
    globals()[name] = value  # resolve once
    return value
