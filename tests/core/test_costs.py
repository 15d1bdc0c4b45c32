"""Per-example costs built from other formats: binary_sample_cost, with_reject_option."""

import numpy as np
import pandas as pd
import pytest

from costkeras.costs import binary_sample_cost, with_reject_option


def test_with_reject_option_prices_a_series_by_class_and_refuses_a_name_that_is_none():
    frame = pd.DataFrame(1 - np.eye(3), index=list("abc"), columns=list("abc"))
    prices = pd.Series({"c": 0.3, "a": 0.1, "b": 0.2})
    assert with_reject_option(frame, prices)["reject"].to_dict() == {"a": 0.1, "b": 0.2, "c": 0.3}
    as_dict = {t: dict(frame.loc[t]) for t in frame.index}
    assert with_reject_option(as_dict, prices)["c"]["reject"] == 0.3
    with pytest.raises(ValueError, match=r"missing \['a', 'b', 'c'\], not classes \['x'"):
        with_reject_option(frame, pd.Series({"x": 0.1, "y": 0.2, "z": 0.3}))
    with pytest.raises(TypeError, match="names no classes"):
        with_reject_option(1 - np.eye(3), prices)
    for name in (None, float("nan")):
        with pytest.raises(ValueError, match="name must be the label"):
            with_reject_option(frame, 0.3, name=name)


def test_with_reject_option_prices_per_class_and_per_example():
    per_class = with_reject_option([[0, 1], [4, 0]], cost=[0.5, 2.0])
    np.testing.assert_array_equal(per_class[:, -1], [0.5, 2.0])
    S = np.stack([np.array([[0, 1], [4, 0]])] * 3)
    fee = np.array([1.0, 2.0, 3.0])
    per_example = with_reject_option(S, cost=fee[:, None])
    assert per_example.shape == (3, 2, 3)
    np.testing.assert_array_equal(per_example[:, :, -1], [[1, 1], [2, 2], [3, 3]])
    np.testing.assert_array_equal(per_example[:, :, :2], S)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"cost_matrix": 1 - np.eye(2), "cost": np.nan}, ValueError, "cost must be finite"),
        ({"cost_matrix": 1 - np.eye(2), "cost": [1, 2, 3]}, ValueError, "does not broadcast"),
        ({"cost_matrix": 1 - np.eye(2), "cost": "high"}, TypeError, "cost must be"),
        ({"cost_matrix": np.ones(3)}, ValueError, r"shape \(k, m\) or \(n_samples, k, m\)"),
        (
            {"cost_matrix": pd.DataFrame(1 - np.eye(2), columns=["a", "b"]), "name": "a"},
            ValueError,
            "name='a' is a label of cost_matrix",
        ),
        (
            {"cost_matrix": {"a": {"b": 1}, "b": {"a": 1}}, "name": "b"},
            ValueError,
            "name='b' is a label",
        ),
    ],
)
def test_with_reject_option_refuses(kwargs, error, match):
    with pytest.raises(error, match=match):
        with_reject_option(**kwargs)


def test_binary_sample_cost_layout():
    costs = binary_sample_cost(fp_cost=[1.0, 2.0], fn_cost=[10.0, 20.0], tp_cost=0.5, tn_cost=0.0)
    np.testing.assert_array_equal(costs[1], [[0.0, 2.0], [20.0, 0.5]])
    assert binary_sample_cost(1.0, 5.0, n_samples=3).shape == (3, 2, 2)
    with pytest.raises(ValueError, match="n_samples"):
        binary_sample_cost(1.0, 5.0)
    with pytest.raises(ValueError, match="same length"):
        binary_sample_cost([1.0, 2.0], [1.0, 2.0, 3.0])
