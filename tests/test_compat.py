"""Every private name of another library that costkeras uses still exists and behaves.

When one of these fails, upstream changed: fix ``costkeras._compat`` and nothing else.
"""

import subprocess
import sys
from numbers import Integral

import numpy as np
import pandas as pd
import pytest

from costkeras import _compat


@pytest.mark.parametrize("name", sorted(_compat.PRIVATE_NAMES))
def test_every_private_name_resolves(name):
    assert getattr(_compat, name) is not None


def test_route_params_and_unflatten_params():
    params = {"optimizer": "adam", "optimizer__learning_rate": 0.1, "fit__epochs": 3}
    routed = _compat.route_params(params, destination="optimizer", pass_filter=set(), strict=True)
    assert routed == {"learning_rate": 0.1}
    built = _compat.unflatten_params(dict, {"a": 1})
    assert built == {"a": 1}


def test_parameter_constraints():
    interval = _compat.Interval(Integral, 1, None, closed="left")
    assert interval.is_satisfied_by(1) and not interval.is_satisfied_by(0)
    assert _compat.StrOptions({"a"}).is_satisfied_by("a")
    assert _compat.HasMethods(["fit"]).is_satisfied_by(pd.DataFrame) is False


def test_safe_indexing_keeps_pandas():
    frame = pd.DataFrame({"a": [1, 2, 3]})
    picked = _compat.safe_indexing(frame, np.array([0, 2]))
    assert isinstance(picked, pd.DataFrame) and picked["a"].tolist() == [1, 3]


def test_base_scorer_signature():
    scorer = _compat.BaseScorer(
        score_func=lambda y, p: 1.0, sign=1, kwargs={}, response_method="predict"
    )
    # what CostScorer relies on: the constructor's keywords, and where it keeps them
    assert scorer._kwargs == {} and scorer._sign == 1 and callable(scorer._score_func)


def test_determinism_flag_reader():
    assert _compat.is_op_determinism_enabled() in (True, False)


def test_unknown_name_raises_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _compat.nope  # noqa: B018


def test_importing_compat_loads_no_deep_learning_library():
    code = (
        "import sys, costkeras._compat; "
        "print([m for m in ('keras', 'tensorflow', 'scikeras') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_moving_average_pairs_of_an_optimizer_with_use_ema():
    import keras

    weight = keras.Variable(np.ones(3, dtype="float32"))
    averaged = keras.optimizers.Adam(learning_rate=0.5, use_ema=True, ema_momentum=0.5)
    plain = keras.optimizers.Adam(learning_rate=0.5)
    for optimizer in (averaged, plain):
        for _ in range(2):
            optimizer.apply_gradients([(keras.ops.ones(3), weight)])
    (pair,) = _compat.moving_average_pairs(averaged)
    assert pair[0] is weight
    current, average = (keras.ops.convert_to_numpy(v) for v in pair)
    assert np.all(average > current)  # the average lags behind the descending weight
    assert _compat.moving_average_pairs(plain) == []
    assert _compat.moving_average_pairs(keras.optimizers.Adam(use_ema=True)) == []  # unbuilt
