"""A confusion matrix that shows what each cell costs.

Follows scikit-learn's Display API (``from_estimator``, ``from_predictions``, ``plot``).
matplotlib is an optional extra (``pip install "costkeras[plot]"``), imported only when a
figure is drawn; this module imports neither TensorFlow nor Keras.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import check_cost_matrix, column, default_output_names, per_output

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


class CostConfusionMatrixDisplay:
    """Confusion matrix whose cells show counts and their cost; the title shows the total.

    The colour of a cell is its cost (count x ``C[true, predicted]``), so the expensive
    mistakes stand out even when they are rare. Build it with :meth:`from_estimator` or
    :meth:`from_predictions`; for y with several columns these return one display per
    output, drawn side by side on one figure.

    Parameters
    ----------
    confusion_matrix : ndarray of shape (k, k)
        Counts (or summed sample weights), rows true, columns predicted.
    cost_matrix : ndarray of shape (k, k)
        ``C[true, predicted]`` in the same order.
    display_labels : array-like of shape (k,), default=None
        Tick labels; 0..k-1 when None.
    output_name : str, default=None
        Prefixes the title (multi-output panels).

    Attributes
    ----------
    cell_costs_ : ndarray of shape (k, k)
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
    """

    def __init__(
        self,
        confusion_matrix: Any,
        cost_matrix: Any,
        *,
        display_labels: Any = None,
        output_name: str | None = None,
    ):
        self.confusion_matrix = np.asarray(confusion_matrix)
        self.cost_matrix = np.asarray(cost_matrix, dtype=float)
        self.display_labels = display_labels
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
        k = len(self.confusion_matrix)
        labels = np.arange(k) if self.display_labels is None else self.display_labels
        self.im_ = ax.imshow(self.cell_costs_, interpolation="nearest", cmap=cmap)
        high = self.cell_costs_.max() / 2 if self.cell_costs_.max() > 0 else 1.0
        fontsize = fontsize or (10 if k <= 5 else 6)
        self.text_ = np.empty((k, k), dtype=object)
        for i in range(k):
            for j in range(k):
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
            xticks=np.arange(k),
            yticks=np.arange(k),
            xticklabels=labels,
            yticklabels=labels,
            xlabel="Predicted label",
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
        cost_matrix: Any,
        *,
        labels: Any = None,
        sample_weight: Any = None,
        output_names: Any = None,
        ax: Any = None,
        **plot_kwargs: Any,
    ):
        """Build and draw the display from true and predicted labels.

        Parameters
        ----------
        y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
        cost_matrix : array-like of shape (k, k), DataFrame or dict of dicts
            ``C[true, predicted]``; for several outputs a list with one matrix per
            output or a dict keyed by output name (an output without a matrix shows
            counts at zero cost).
        labels : array-like of shape (k,), default=None
            Class order; the sorted labels of ``y_true`` and ``y_pred`` when None (for
            several outputs, one entry per output).
        sample_weight : array-like of shape (n_samples,), default=None
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
                y_true, y_pred, cost_matrix, labels, sample_weight, output_names, ax, plot_kwargs
            )
        from sklearn.metrics import confusion_matrix

        y_true, y_pred = np.ravel(y_true), np.ravel(y_pred)
        if labels is None:
            labels = np.unique(np.concatenate([y_true, y_pred]))
        counts = confusion_matrix(y_true, y_pred, labels=labels, sample_weight=sample_weight)
        k = len(labels)
        costs = np.zeros((k, k)) if cost_matrix is None else check_cost_matrix(cost_matrix, labels)
        display = cls(
            counts, costs, display_labels=labels, output_name=plot_kwargs.pop("output_name", None)
        )
        return display.plot(ax=ax, **plot_kwargs)

    @classmethod
    def _multioutput(
        cls, y_true, y_pred, cost_matrix, labels, sample_weight, names, ax, plot_kwargs
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
        return [
            cls.from_predictions(
                column(y_true, j),
                column(y_pred, j),
                matrices[j],
                labels=label_sets[j],
                sample_weight=sample_weight,
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
        sample_weight: Any = None,
        ax: Any = None,
        **plot_kwargs: Any,
    ):
        """Build and draw the display from a fitted classifier's predictions on X.

        ``cost_matrix`` defaults to the estimator's ``cost_matrix_`` (a costkeras
        estimator, also as a Pipeline's last step) and ``labels`` to its ``classes_``.
        Other parameters are those of :meth:`from_predictions`.

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
        return cls.from_predictions(
            y,
            estimator.predict(X),
            cost_matrix,
            labels=labels,
            sample_weight=sample_weight,
            output_names=getattr(final, "output_names_", None),
            ax=ax,
            **plot_kwargs,
        )
