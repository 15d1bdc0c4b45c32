"""The credit-scoring data set built in code: reproducible, its costs as its docstring states."""

import numpy as np

from costkeras.datasets import make_credit_scoring


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    first, again = (
        make_credit_scoring(200, random_state=3),
        make_credit_scoring(200, random_state=3),
    )
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], make_credit_scoring(200, random_state=4)[0])


def test_each_applicants_costs_follow_the_amount_and_the_collateral():
    X, y, costs = make_credit_scoring(500, random_state=0)
    assert X.shape == (500, 6) and set(np.unique(y)) == {0, 1} and costs.shape == (500, 2, 2)
    amount, secured = np.exp(X[:, 4]), X[:, 5].astype(bool)
    np.testing.assert_allclose(costs[:, 0, 1], 0.2 * amount)  # a refused good payer
    np.testing.assert_allclose(costs[:, 1, 0], np.where(secured, 0.1, 1.0) * amount)
    assert np.all(costs[:, [0, 1], [0, 1]] == 0)
    # the Bayes thresholds on the default probability: 0.67 secured, 0.17 unsecured
    thresholds = costs[:, 0, 1] / (costs[:, 0, 1] + costs[:, 1, 0])
    np.testing.assert_allclose(np.unique(thresholds.round(2)), [0.17, 0.67])
