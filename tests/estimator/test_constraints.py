"""The estimator's parameter constraints: bad parameters refused before training."""

import pytest

from tests._helpers import two_blobs


@pytest.mark.parametrize(
    "params, match",
    [
        ({"early_stopping": True, "validation_split": 0.2}, "validation_split"),
        ({"early_stopping": "yes"}, "early_stopping"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
        ({"epochs": "many"}, "epochs"),
        ({"batch_size": "big"}, "batch_size"),
        ({"input_scaling": "minmax"}, "input_scaling"),
        ({"dropout": 1.0}, "dropout"),
        ({"n_iter_no_change": 0}, "n_iter_no_change"),
        ({"steps_per_execution": 0}, "steps_per_execution"),
        ({"steps_per_execution": "fast"}, "steps_per_execution"),
    ],
)
def test_conflicting_or_invalid_training_parameters_raise(params, match, small):
    X, y = two_blobs(40)
    with pytest.raises(ValueError, match=match):
        small(**params).fit(X, y)
