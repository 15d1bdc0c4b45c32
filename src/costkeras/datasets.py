"""Data sets built in code, for examples, tests and benchmarks (no download)."""

from __future__ import annotations

import numpy as np

from .costs import binary_sample_cost

__all__ = ["make_credit_scoring"]


def make_credit_scoring(
    n_samples: int = 4000, *, random_state: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A credit-scoring problem whose misclassification costs differ per applicant.

    Applicants ask for loans of different amounts; some are secured by
    collateral. Refusing a good payer (predicting 1 for a true 0) loses the
    interest, 20% of the amount; accepting a defaulter (predicting 0 for a
    true 1) loses the amount, or 10% of it when the loan is secured. Secured
    and unsecured loans thus have Bayes thresholds of 0.67 and 0.17 on the
    default probability, which no single class-level cost matrix serves.

    Parameters
    ----------
    n_samples : int, default=4000
        The number of applicants.
    random_state : int or None, default=None
        Seeds the draw; the same seed gives the same data.

    Returns
    -------
    X : ndarray of shape (n_samples, 6)
        log income, debt ratio, late payments, age, log amount, secured (0/1).
    y : ndarray of shape (n_samples,)
        1 for a default.
    sample_cost : ndarray of shape (n_samples, 2, 2)
        ``C_n[true, predicted]`` per applicant.

    Examples
    --------
    >>> from costkeras.datasets import make_credit_scoring
    >>> X, y, costs = make_credit_scoring(100, random_state=0)
    >>> X.shape, y.shape, costs.shape
    ((100, 6), (100,), (100, 2, 2))
    """
    rng = np.random.default_rng(random_state)
    income = rng.lognormal(mean=10.5, sigma=0.4, size=n_samples)
    debt_ratio = rng.beta(2, 5, size=n_samples)
    late_payments = rng.poisson(0.6, size=n_samples)
    age = rng.integers(21, 70, size=n_samples)
    amount = np.round(income * rng.uniform(0.05, 0.5, size=n_samples), -2)
    secured = rng.random(n_samples) < 0.45
    logit = (
        -2.2 + 3.0 * debt_ratio + 0.8 * late_payments - 0.02 * (age - 40) + 2.0 * amount / income
    )
    y = (rng.random(n_samples) < 1 / (1 + np.exp(-logit))).astype(int)
    X = np.column_stack(
        [np.log(income), debt_ratio, late_payments, age, np.log(amount), secured.astype(float)]
    )
    sample_cost = binary_sample_cost(
        fp_cost=0.2 * amount,  # a refused good payer: lost interest
        fn_cost=np.where(secured, 0.1, 1.0) * amount,  # a missed default: loss given default
    )
    return X, y, sample_cost
