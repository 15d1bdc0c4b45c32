"""A confusion matrix that shows what each cell costs.

Follows scikit-learn's Display API (``from_estimator``, ``from_predictions``, ``plot``).
matplotlib is an optional extra (``pip install "costkeras[plot]"``), imported only when a
figure is drawn; this module imports neither TensorFlow nor Keras.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._cost_matrix import action_names, check_action_matrix
from ._cost_tables import positions
from ._labels import column, default_output_names, is_frame, per_output
from ._weights import check_sample_cost, check_score_weight, cost_rows
from .costs import per_output_costs

__all__ = ["CostConfusionMatrixDisplay"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            'CostConfusionMatrixDisplay needs matplotlib: pip install "costkeras[plot]" '
            "(or pip install matplotlib)."
        ) from exc
    return plt


def _final_estimator(estimator):
    steps = getattr(estimator, "steps", None)
    return steps[-1][1] if steps else estimator


def _fitted_actions(estimator):
    """``actions_`` of a costkeras estimator, None where they are its classes."""
    from ._scorer import _fitted_actions

    return _fitted_actions(estimator)


def _cells(y_true, y_pred, labels, actions, cost_matrix, *, sample_weight, sample_cost):
    """Counts and mean costs of the (class, decision) cells, computed example by example.

    Unlike ``confusion_matrix``, the decisions may be actions, and each example may
    bring its own costs; a cell's cost is then the mean of its examples' costs, so that
    count x cost is what the cell cost in all.
    """
    labels = np.asarray(labels)
    columns = labels if actions is None else np.asarray(actions)
    true_pos = positions(y_true, labels, "y_true")
    pred_pos = positions(
        y_pred,
        columns,
        "y_pred",
        "the actions" if actions is not None else "the cost matrix's labels",
    )
    n, k, m = len(y_true), len(labels), len(columns)
    weights = np.ones(n) if sample_weight is None else check_score_weight(sample_weight, n)
    counts = np.zeros((k, m), dtype=int if sample_weight is None else float)
    np.add.at(counts, (true_pos, pred_pos), 1 if sample_weight is None else weights)
    if sample_cost is None:
        costs = np.zeros((k, m)) if cost_matrix is None else cost_matrix
        return counts, costs
    table = cost_rows(
        true_pos,
        sample_cost=check_sample_cost(sample_cost, n, k, n_actions=None if actions is None else m),
    )
    sums = np.zeros((k, m))
    np.add.at(sums, (true_pos, pred_pos), weights * table[np.arange(n), pred_pos])
    empty = np.zeros((k, m)) if cost_matrix is None else cost_matrix
    return counts, np.divide(sums, counts, out=empty.astype(float), where=counts != 0)


class CostConfusionMatrixDisplay:
    """Confusion matrix whose cells show counts and their cost; the title shows the total.

    The colour of a cell is its cost (count x ``C[true, predicted]``), so the expensive
    mistakes stand out even when they are rare. Build it with :meth:`from_estimator` or
    :meth:`from_predictions`; for y with several columns these return one display per
    output, drawn side by side on one figure. With a cost matrix of actions,
    ``C[true, action]`` of shape (k, m), the rows are the classes and the columns the
    actions (how many files of each class went to review, and what that cost).

    Parameters
    ----------
    confusion_matrix : ndarray of shape (k, m)
        Counts (or summed sample weights), rows true, columns predicted (or the actions).
    cost_matrix : ndarray of shape (k, m)
        ``C[true, predicted]`` in the same order; with per-example costs, the mean
        cost of a cell's examples.
    display_labels : array-like of shape (k,), default=None
        Tick labels of the rows (and of the columns, without ``display_actions``);
        0..k-1 when None.
    display_actions : array-like of shape (m,), default=None
        Tick labels of the columns when they are actions.
    output_name : str, default=None
        Prefixes the title (multi-output panels).

    Attributes
    ----------
    cell_costs_ : ndarray of shape (k, m)
    total_cost_ : float
    ax_, figure_, im_, text_ : matplotlib objects, set by :meth:`plot`

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from costkeras.plotting import CostConfusionMatrixDisplay
    >>> display = CostConfusionMatrixDisplay.from_predictions(
    ...     ["a", "b", "b", "a"], ["a", "a", "b", "b"], [[0, 1], [10, 0]]
    ... )
    >>> display.total_cost_
    11.0
    >>> display.ax_.get_title()
    'Total cost: 11'
    >>> C = {"good": {"approve": 0, "review": 1, "decline": 4},   # C[true, action]
    ...      "bad": {"approve": 20, "review": 3, "decline": 0}}
    >>> display = CostConfusionMatrixDisplay.from_predictions(
    ...     ["good", "bad", "bad", "good"], ["approve", "review", "approve", "review"], C
    ... )
    >>> display.confusion_matrix.tolist()   # rows bad, good; columns approve, review, decline
    [[1, 1, 0], [1, 1, 0]]
    >>> display.total_cost_
    24.0
    """

    def __init__(
        self,
        confusion_matrix: Any,
        cost_matrix: Any,
        *,
        display_labels: Any = None,
        display_actions: Any = None,
        output_name: str | None = None,
    ):
        self.confusion_matrix = np.asarray(confusion_matrix)
        self.cost_matrix = np.asarray(cost_matrix, dtype=float)
        self.display_labels = display_labels
        self.display_actions = display_actions
        self.output_name = output_name
        self.cell_costs_ = self.confusion_matrix * self.cost_matrix
        self.total_cost_ = float(self.cell_costs_.sum())

    def plot(
        self,
        *,
        ax: Any = None,
        cmap: str = "Reds",
        colorbar: bool = True,
        values_format: str = "g",
        title: str | None = None,
        fontsize: float | None = None,
    ) -> CostConfusionMatrixDisplay:
        """Draw the matrix.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            A new figure is made when None.
        cmap : str, default="Reds"
            Colour map of the cell costs.
        colorbar : bool, default=True
        values_format : str, default="g"
            Format of counts and costs.
        title : str, default=None
            Replaces the default title ("Total cost: ...").
        fontsize : float, default=None
            Size of the cell texts; chosen from the number of classes when None.

        Returns
        -------
        self
        """
        plt = _pyplot()
        if ax is None:
            _, ax = plt.subplots()
        k, m = self.confusion_matrix.shape
        labels = np.arange(k) if self.display_labels is None else self.display_labels
        columns = labels if self.display_actions is None else self.display_actions
        self.im_ = ax.imshow(self.cell_costs_, interpolation="nearest", cmap=cmap)
        high = self.cell_costs_.max() / 2 if self.cell_costs_.max() > 0 else 1.0
        fontsize = fontsize or (10 if max(k, m) <= 5 else 6)
        self.text_ = np.empty((k, m), dtype=object)
        for i in range(k):
            for j in range(m):
                count, cost = self.confusion_matrix[i, j], self.cell_costs_[i, j]
                text = format(count, values_format)
                if count and cost:
                    text += f"\n({format(cost, values_format)})"
                self.text_[i, j] = ax.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize=fontsize,
                    color="white" if cost > high else "black",
                )
        if colorbar:
            ax.figure.colorbar(self.im_, ax=ax, label="cost")
        ax.set(
            xticks=np.arange(m),
            yticks=np.arange(k),
            xticklabels=columns,
            yticklabels=labels,
            xlabel="Predicted label" if self.display_actions is None else "Action",
            ylabel="True label",
        )
        default_title = f"Total cost: {format(self.total_cost_, values_format)}"
        if self.output_name is not None:
            default_title = f"{self.output_name}: {default_title.lower()}"
        ax.set_title(title or default_title)
        self.ax_, self.figure_ = ax, ax.figure
        return self

    @classmethod
    def from_predictions(
        cls,
        y_true: Any,
        y_pred: Any,
        cost_matrix: Any = None,
        *,
        labels: Any = None,
        actions: Any = None,
        sample_weight: Any = None,
        sample_cost: Any = None,
        output_names: Any = None,
        ax: Any = None,
        **plot_kwargs: Any,
    ):
        """Build and draw the display from true and predicted labels.

        Parameters
        ----------
        y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True classes, and the predicted classes or the actions decided.
        cost_matrix : array-like of shape (k, k) or (k, m), DataFrame or dict of dicts
            ``C[true, predicted]``, or ``C[true, action]`` with actions named by a
            DataFrame's columns, a dict of dicts' inner keys or ``actions``; for
            several outputs a list with one matrix per output or a dict keyed by
            output name (an output without a matrix shows counts at zero cost).
        labels : array-like of shape (k,), default=None
            Class order; the sorted labels of ``y_true`` and ``y_pred`` when None
            (with actions, of ``y_true``; for several outputs, one entry per output).
        actions : array-like of shape (m,), default=None
            The columns' labels when they are actions (an array ``cost_matrix`` of
            actions, or ``sample_cost`` alone, needs them).
        sample_weight : array-like of shape (n_samples,), default=None
        sample_cost : array-like of shape (n_samples, k, m) or (n_samples, m), default=None
            Per-example costs, as in :func:`costkeras.metrics.total_cost`: a cell
            costs the sum of its examples' costs (and ``cost_matrix`` only names
            the labels, if given).
        output_names : list, default=None
            Names of the outputs; a DataFrame's columns, else ``output1``, ... when None.
        ax : Axes or sequence of Axes, default=None
            One Axes per output; a new figure when None.
        **plot_kwargs
            Passed to :meth:`plot`.

        Returns
        -------
        CostConfusionMatrixDisplay, or a list of them (one per output)
        """
        if np.ndim(y_true) == 2 and np.shape(y_true)[1] > 1:
            return cls._multioutput(
                y_true,
                y_pred,
                cost_matrix,
                labels=labels,
                actions=actions,
                sample_weight=sample_weight,
                sample_cost=sample_cost,
                names=output_names,
                ax=ax,
                plot_kwargs=plot_kwargs,
            )
        y_true, y_pred = np.ravel(y_true), np.ravel(y_pred)
        if actions is None and (is_frame(cost_matrix) or isinstance(cost_matrix, dict)):
            actions = action_names(cost_matrix, () if labels is None else labels)
        if labels is None:
            labels = np.unique(y_true if actions is not None else np.concatenate([y_true, y_pred]))
        if cost_matrix is not None:
            costs, actions = check_action_matrix(cost_matrix, labels, actions=actions)
        output_name = plot_kwargs.pop("output_name", None)
        if actions is None and sample_cost is None:
            from sklearn.metrics import confusion_matrix

            counts = confusion_matrix(y_true, y_pred, labels=labels, sample_weight=sample_weight)
            k = len(labels)
            costs = np.zeros((k, k)) if cost_matrix is None else costs
            display = cls(counts, costs, display_labels=labels, output_name=output_name)
            return display.plot(ax=ax, **plot_kwargs)
        counts, costs = _cells(
            y_true,
            y_pred,
            labels,
            actions,
            costs if cost_matrix is not None else None,
            sample_weight=sample_weight,
            sample_cost=sample_cost,
        )
        display = cls(
            counts,
            costs,
            display_labels=labels,
            display_actions=actions,
            output_name=output_name,
        )
        return display.plot(ax=ax, **plot_kwargs)

    @classmethod
    def _multioutput(
        cls,
        y_true,
        y_pred,
        cost_matrix,
        *,
        labels,
        actions,
        sample_weight,
        sample_cost,
        names,
        ax,
        plot_kwargs,
    ):
        n_outputs = np.shape(y_true)[1]
        if names is None:
            names = (
                list(y_true.columns)
                if hasattr(y_true, "columns")
                else default_output_names(n_outputs)
            )
        if ax is None:
            _, ax = _pyplot().subplots(1, n_outputs, figsize=(5.5 * n_outputs, 4.5))
        axes = np.ravel(ax)
        if len(axes) != n_outputs:
            raise ValueError(f"ax must hold one Axes per output ({n_outputs}); got {len(axes)}.")
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        matrices = per_output(cost_matrix, names, param="cost_matrix")
        label_sets = per_output(labels, names, param="labels")
        action_sets = per_output(actions, names, param="actions")
        costs = per_output_costs(sample_cost, names)
        return [
            cls.from_predictions(
                column(y_true, j),
                column(y_pred, j),
                matrices[j],
                labels=label_sets[j],
                actions=action_sets[j],
                sample_weight=sample_weight,
                sample_cost=costs[j],
                ax=axes[j],
                output_name=names[j],
                **plot_kwargs,
            )
            for j in range(n_outputs)
        ]

    @classmethod
    def from_estimator(
        cls,
        estimator: Any,
        X: Any,
        y: Any,
        cost_matrix: Any = None,
        *,
        labels: Any = None,
        actions: Any = None,
        sample_weight: Any = None,
        ax: Any = None,
        **plot_kwargs: Any,
    ):
        """Build and draw the display from a fitted classifier's predictions on X.

        ``cost_matrix`` defaults to the estimator's ``cost_matrix_`` (a costkeras
        estimator, also as a Pipeline's last step), ``labels`` to its ``classes_`` and
        ``actions`` to its ``actions_``. Other parameters are those of
        :meth:`from_predictions`.

        Returns
        -------
        CostConfusionMatrixDisplay, or a list of them (one per output)
        """
        final = _final_estimator(estimator)
        if cost_matrix is None:
            cost_matrix = getattr(final, "cost_matrix_", None)
            if cost_matrix is None:
                raise ValueError(
                    "cost_matrix is needed: the estimator has no cost_matrix_ to show."
                )
        if labels is None:
            labels = getattr(final, "classes_", None)
        if actions is None and cost_matrix is getattr(final, "cost_matrix_", None):
            actions = _fitted_actions(final)
        return cls.from_predictions(
            y,
            estimator.predict(X),
            cost_matrix,
            labels=labels,
            actions=actions,
            sample_weight=sample_weight,
            output_names=getattr(final, "output_names_", None),
            ax=ax,
            **plot_kwargs,
        )
