"""The Bayes decision the Keras pieces share: numpy's argmin of expected costs, its checks."""

import keras
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from costkeras.keras import BayesDecision

pytestmark = pytest.mark.backend


@settings(max_examples=25, deadline=None)
@given(
    counts=hnp.arrays("float64", (5, 3), elements=st.integers(0, 5)),
    costs=hnp.arrays("float64", (3, 4), elements=st.integers(0, 10)),
)
def test_bayes_decision_layer_is_numpy_argmin_of_expected_costs(counts, costs):
    # Unnormalised probabilities (counts) decide the same and keep the sums exact, so
    # ties are real ties: the first column of least expected cost wins, as np.argmin.
    assume(not np.all(costs == costs[:, :1]))  # constant rows decide nothing: refused
    decided = np.asarray(BayesDecision(costs, dtype="float64")(counts))
    np.testing.assert_array_equal(decided, np.argmin(counts @ costs, axis=1))


# ------------------------------------------------ BayesDecision's class axis
@settings(max_examples=10, deadline=None)
@given(n=st.integers(1, 6), k=st.integers(2, 4))
def test_bayes_decision_refuses_a_vector_without_its_class_axis(n, k):
    vector = np.linspace(0, 1, n)
    with pytest.raises(ValueError, match=r"probabilities with a class axis.*no class axis"):
        BayesDecision(1 - np.eye(k))(vector)
    with pytest.raises(ValueError, match="no class axis"):
        BayesDecision([[0, 1], [5, 0]])(keras.Input(()))  # building a model too
