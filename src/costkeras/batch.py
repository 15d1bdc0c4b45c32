"""A fitted classifier's decisions and expected costs as columns of data-frame batches.

An engine that maps a function over the partitions of a data set (Dask's
``map_partitions``, Ray Data's ``map_batches``, a loop over Parquet row groups) needs
one that takes a pandas DataFrame and returns one. :func:`decision_frame` is that
function: the features and, optionally, each row's cost matrix read from named
columns; out the decision and the expected cost of every action. :func:`map_decisions`
maps it over a Dask DataFrame with the output's schema given up front, so Dask need
not call the network on made-up rows to learn it. Neither imports Keras: they call
the estimator's own ``predict_expected_cost``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["decision_frame", "map_decisions"]

DECISION = "decision"
EXPECTED = "expected_cost_"


def _columns(estimator: Any) -> list[str]:
    return [DECISION, *(f"{EXPECTED}{action}" for action in estimator.actions_)]


def _empty(estimator: Any, index: Any = None):
    import pandas as pd

    columns = {DECISION: pd.Series(dtype=np.asarray(estimator.actions_).dtype, index=index)}
    for name in _columns(estimator)[1:]:
        columns[name] = pd.Series(dtype="float64", index=index)
    return pd.DataFrame(columns, index=index)


def _cost_matrices(frame, estimator: Any, sample_cost: Sequence[str]) -> np.ndarray:
    k, m = len(estimator.classes_), len(estimator.actions_)
    if len(sample_cost) != k * m:
        raise ValueError(
            f"sample_cost must name k * m = {k} * {m} = {k * m} columns (each row's cost "
            f"matrix C[true, action], row by row); got {len(sample_cost)}."
        )
    return frame[list(sample_cost)].to_numpy(dtype="float64").reshape(-1, k, m)


def decision_frame(
    frame: Any,
    estimator: Any,
    *,
    features: Sequence[str] | None = None,
    sample_cost: Sequence[str] | None = None,
):
    """The decision and the expected cost of each action for every row of ``frame``.

    Parameters
    ----------
    frame : pandas.DataFrame
        One partition or batch: feature columns and, optionally, cost columns.
    estimator : fitted classifier with ``predict_expected_cost`` and ``actions_``
        A fitted ``CostSensitiveKerasClassifier`` (one output) or
        ``MinimumCostClassifier``.
    features : sequence of str, default=None
        The feature columns, in the order the estimator was fitted on; None: every
        column that is not a cost column.
    sample_cost : sequence of str, default=None
        ``k * m`` columns holding each row's cost matrix ``C[true, action]`` row by
        row (``C[0, 0], C[0, 1], ..., C[k-1, m-1]``); None: ``cost_matrix_`` decides.

    Returns
    -------
    pandas.DataFrame
        With ``frame``'s index: ``decision`` (a label of ``actions_``, as ``predict``
        returns it) and ``expected_cost_<action>`` for each action (float64).

    Examples
    --------
    >>> import pandas as pd
    >>> from costkeras import MinimumCostClassifier
    >>> from costkeras.batch import decision_frame
    >>> from sklearn.linear_model import LogisticRegression
    >>> X = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
    >>> clf = MinimumCostClassifier(LogisticRegression(), cost_matrix=[[0, 1], [5, 0]])
    >>> clf = clf.fit(X, [0, 0, 1, 1])
    >>> decision_frame(X, clf).columns.tolist()
    ['decision', 'expected_cost_0', 'expected_cost_1']
    """
    cost_columns = list(sample_cost or [])
    if features is None:
        features = [name for name in frame.columns if name not in set(cost_columns)]
    if len(frame) == 0:
        return _empty(estimator, frame.index)
    costs = None if sample_cost is None else _cost_matrices(frame, estimator, cost_columns)
    kwargs = {} if costs is None else {"sample_cost": costs}
    import pandas as pd

    X = frame[list(features)]
    if not hasattr(estimator, "feature_names_in_"):  # fitted on an array: give it one
        X = X.to_numpy()
    risks = np.asarray(estimator.predict_expected_cost(X, **kwargs), dtype="float64")
    out = pd.DataFrame(risks, columns=_columns(estimator)[1:], index=frame.index)
    out.insert(0, DECISION, estimator.predict(X, **kwargs))
    return out


def map_decisions(
    frame: Any,
    estimator: Any,
    *,
    features: Sequence[str] | None = None,
    sample_cost: Sequence[str] | None = None,
):
    """:func:`decision_frame` over every partition of a Dask DataFrame, lazily.

    The estimator is one task of the graph, sent to each worker that needs it, not
    once per partition; the result keeps ``frame``'s partitions and index.

    Parameters
    ----------
    frame : dask.dataframe.DataFrame
        The rows to decide, a partition at a time.
    estimator, features, sample_cost
        As in :func:`decision_frame`.

    Returns
    -------
    dask.dataframe.DataFrame
        The columns of :func:`decision_frame`; call ``.compute()`` or write it out.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> from costkeras import MinimumCostClassifier
    >>> from costkeras.batch import map_decisions
    >>> from sklearn.linear_model import LogisticRegression
    >>> X = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
    >>> clf = MinimumCostClassifier(LogisticRegression(), cost_matrix=[[0, 1], [5, 0]])
    >>> clf = clf.fit(X, [0, 0, 1, 1])
    >>> lazy = map_decisions(dd.from_pandas(X, npartitions=2), clf)
    >>> lazy.compute()["decision"].tolist() == clf.predict(X).tolist()
    True
    """
    import dask

    meta = _empty(estimator, frame._meta.index)
    # One task holds the estimator, which every partition's task reads: Dask names tasks
    # by hashing their arguments, and a Keras model's pickle is not the same twice.
    shipped = dask.delayed(estimator, pure=False)
    return frame.map_partitions(
        decision_frame, shipped, features=features, sample_cost=sample_cost, meta=meta
    )
