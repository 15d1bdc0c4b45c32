"""Output heads: one per output of the network, with its labels, costs, loss and decision.

A head is everything the estimator knows about one output: its name, its
classes, whether the network gives it a softmax over ``k`` units or one
sigmoid unit (two classes), its cost matrix, the Keras loss it is trained
with, the form of target that loss expects, and how it decides. A
single-output estimator has a list of one head; fit, predict, the scorer and
the plots loop over heads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import keras
import numpy as np

from .._cost_matrix import check_costs
from .._labels import per_output, plain
from .cost_losses import COST_LOSS_TYPES
from .network import layer_name
from .targets import Target, keras_float, label_positions

if TYPE_CHECKING:
    from .plan import FitPlan

_KINDS = {
    "categoricalcrossentropy": "categorical",
    "cce": "categorical",
    "categoricalfocalcrossentropy": "categorical",
    "sparsecategoricalcrossentropy": "sparse",
    "scce": "sparse",
    "binarycrossentropy": "binary",
    "bce": "binary",
    "binaryfocalcrossentropy": "binary",
}


def loss_kind(loss: Any) -> str | None:
    """``"categorical"``, ``"sparse"`` or ``"binary"`` for Keras's cross-entropies, else None.

    Strings, loss classes, instances and functions are recognised by name.
    costkeras's cost losses are categorical (one-hot targets).
    """
    if isinstance(loss, COST_LOSS_TYPES) or (
        isinstance(loss, type) and issubclass(loss, COST_LOSS_TYPES)
    ):
        return "categorical"
    if isinstance(loss, str):
        name = loss
    elif isinstance(loss, type) or (callable(loss) and hasattr(loss, "__name__")):
        name = loss.__name__
    else:
        name = type(loss).__name__
    return _KINDS.get(name.replace("_", "").lower())


def target_format(loss: Any, units: int) -> str:
    """How a head's labels are fed to ``loss``: ``"onehot"``, ``"sparse"`` or ``"binary"``.

    Other losses get class positions, as scikeras gives them (``"sparse"``).
    """
    kind = loss_kind(loss)
    if kind == "categorical" or (kind == "binary" and units > 1):
        return "onehot"
    if units == 1:
        return "binary"
    return "sparse"


@dataclass
class Head:
    """One output of the network and what the estimator knows about it."""

    name: Any
    classes: np.ndarray
    units: int  # k for a softmax; 1 for a sigmoid unit over two classes
    output_index: int  # position among the model's outputs
    cost_matrix: np.ndarray | None = None
    decision: str = "argmax"
    loss: Any = None
    target_format: str = "onehot"
    cost_scale: float = 1.0  # expected_cost divides costs by this
    one_hot_labels: bool = False  # y was a one-hot matrix; predictions go back as one
    unit: int | None = None  # several heads share one output of sigmoid units: this one's
    per_example: bool = False  # the loss takes each example's cost row with its target
    cost_sums: np.ndarray | None = None  # per-example costs seen, when they set cost_matrix
    cost_counts: np.ndarray | None = None
    actions: np.ndarray | None = None  # the cost matrix's columns, when they are no classes

    @property
    def n_actions(self) -> int | None:
        """The number m of decisions when they are actions; None: the classes."""
        return None if self.actions is None else len(self.actions)

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    @property
    def costs_from_examples(self) -> bool:
        """Whether per-example costs make this head's cost matrix: it was given none."""
        return self.cost_matrix is None or self.cost_sums is not None

    def positions(self, labels: np.ndarray, *, param: str = "y") -> np.ndarray:
        return label_positions(np.asarray(labels), self.classes, param=param)

    def encode(self, positions: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Keras targets for ``positions``; per-example cost rows travel after a one-hot."""
        if self.target_format != "onehot":
            return keras_float(positions[:, None])
        target = np.eye(self.n_classes)[positions]
        return keras_float(target if rows is None else np.hstack([target, rows]))

    def proba(self, raw) -> np.ndarray:
        """(n, k) float64 probabilities from the output's raw values (a sigmoid gives ``p(1)``).

        float64, as scikit-learn's classifiers give them: tools that write
        float64 values into an array of them (fairlearn, pandas 3) refuse float32.
        """
        raw = np.asarray(raw, dtype=np.float64)
        if self.unit is not None:
            raw = raw[:, self.unit]
        if self.units == 1:
            p = raw.reshape(-1)
            return np.column_stack([1.0 - p, p])
        return raw

    def labels(self, positions: np.ndarray) -> np.ndarray:
        if self.actions is not None:  # positions of decisions, not of classes
            return self.actions[positions]
        if self.one_hot_labels:
            return np.eye(self.n_classes, dtype=int)[positions]
        if self.unit is not None and np.array_equal(self.classes, [0, 1]):
            return positions  # a multilabel indicator, as scikit-learn predicts one: ints
        return self.classes[positions]

    def add_sample_costs(self, sample_cost: np.ndarray, positions: np.ndarray) -> None:
        """Fold per-example costs into the mean matrix that decides without them.

        The mean of the (n, k, k) matrices; for (n, k) rows, row ``i`` is the
        mean cost row of the examples of class ``i``. Running sums, so that
        ``partial_fit`` batches average as one data set would.
        """
        k = self.n_classes
        if self.cost_sums is None:
            self.cost_sums, self.cost_counts = np.zeros((k, k)), np.zeros((k, 1))
        # new arrays, not in place: a failed fit restores the previous ones
        if sample_cost.ndim == 3:
            sums, counts = sample_cost.sum(axis=0), len(sample_cost)
        else:
            sums = np.zeros((k, k))
            np.add.at(sums, positions, sample_cost)
            counts = np.bincount(positions, minlength=k)[:, None]
        self.cost_sums = self.cost_sums + sums
        self.cost_counts = self.cost_counts + counts
        self.cost_matrix = self.cost_sums / np.maximum(self.cost_counts, 1)


def model_output_names(model: keras.Model) -> list[str]:
    names = getattr(model, "output_names", None)
    if names:
        return list(names)
    return [layer_name(getattr(t, "name", f"output_{i}")) for i, t in enumerate(model.outputs)]


def output_order(names, model_names) -> list[int]:
    """For each output of y, the position of its head among the model's outputs.

    By name when the model's output names are the outputs' names, by order otherwise.
    """
    by_name = {name: i for i, name in enumerate(model_names)}
    columns = [layer_name(name) for name in names]
    if sorted(columns) == sorted(by_name):
        return [by_name[column] for column in columns]
    return list(range(len(names)))


def _per_head(value, names, model_names, *, param):
    """A parameter given once, per output by name (y's or the model's) or as a list."""
    if isinstance(value, dict) and value and set(value) <= set(model_names):
        value = {name: value.get(model) for name, model in zip(names, model_names, strict=True)}
    return per_output(value, names, param=param)


def build_heads(
    target: Target,
    model: keras.Model,
    *,
    plan: FitPlan,
    user_loss: Any,
) -> list[Head]:
    """One head per output of y, matched to the model's outputs and given its loss.

    ``plan`` holds the estimator's ``cost_matrix``, ``cost_loss``,
    ``cost_loss_weight`` and ``decision``; ``user_loss`` is the ``loss``
    parameter as scikeras instantiates it. Raises before any training when
    the model's outputs do not fit y or a parameter does not fit the outputs.
    """
    n_outputs = target.n_outputs
    model_names = model_output_names(model)
    if _is_multilabel_output(target, model):
        return _multilabel_heads(target, model, plan, user_loss)
    if len(model_names) != n_outputs:
        what = "one output" if n_outputs == 1 else f"one output per column of y ({n_outputs})"
        raise ValueError(
            f"model must have {what}; it has {len(model_names)} outputs {model_names!r} "
            f"(y is a Keras model input of size {n_outputs} for them)."
        )
    names = target.names or (
        target.output_names() if n_outputs > 1 and not plan.model_given else None
    )
    if names is None:
        names = model_names if n_outputs > 1 else [model_names[0]]
    order = output_order(names, model_names) if n_outputs > 1 else [0]
    single = n_outputs == 1
    costs = (
        [plan.cost_matrix]
        if single
        else _per_head(plan.cost_matrix, names, model_names, param="cost_matrix")
    )
    losses = _per_head(user_loss, names, model_names, param="loss") if not single else [user_loss]
    model_losses = _compiled_losses(model, names, model_names)
    heads = []
    for j, name in enumerate(names):
        classes = target.classes[j]
        named = None if single else (model_names, name)
        units = _output_units(model, order[j], classes, named, _one_based_hint(target, j))
        param = "cost_matrix" if single else f"cost_matrix[{name!r}]"
        matrix, actions = _head_costs(costs[j], classes, plan, param)
        head = Head(name, classes, units, order[j], one_hot_labels=target.one_hot)
        head.cost_matrix, head.actions = matrix, actions
        head.loss = _head_loss(head, plan, losses[j], model_losses[j])
        head.target_format = target_format(head.loss, units)
        head.per_example = plan.per_example and plan.cost_loss.trains
        head.decision = plan.cost_loss.decision(plan.decision, matrix)
        heads.append(head)
    if plan.cost_loss.trains and not plan.per_example:
        if all(head.cost_matrix is None for head in heads):
            raise ValueError(
                f"cost_loss={plan.cost_loss.name!r} needs a cost_matrix or sample_cost; got "
                "neither."
            )
    return heads


def _output_units(model: keras.Model, index: int, classes, named, hint: str = "") -> int:
    """Units of the model's output ``index``, checked against its head's classes.

    ``named``: None for a single output, else the model's output names and y's column;
    ``hint``: said after the error (:func:`_one_based_hint`).
    """
    units = model.outputs[index].shape[-1]
    if units != len(classes) and not (units == 1 and len(classes) == 2):
        where = "model output"
        if named is not None:
            model_names, name = named
            where = f"model output {model_names[index]!r} (for y column {name!r})"
        raise ValueError(
            f"{where} has {units} units but {'y' if named is None else 'that column'} has "
            f"{len(classes)} classes {classes.tolist()!r}; it needs {len(classes)} units "
            "(a softmax)" + (" or 1 (a sigmoid)" if len(classes) == 2 else "") + "." + hint
        )
    return units


def _one_based_hint(target, output: int) -> str:
    """For one-hot y whose first column is never set: the labels were likely 1-based."""
    if not target.one_hot or np.any(target.columns[output] == 0):
        return ""
    k = len(target.classes[output]) - 1
    return (
        f" y is one-hot with {k + 1} columns and its first column is never set, as "
        f"keras.utils.to_categorical makes of labels 1 to {k}: pass the labels "
        f"themselves, or to_categorical(labels - 1), for {k} classes."
    )


def _head_costs(cost_matrix, classes, plan: FitPlan, param: str):
    """A head's validated cost matrix and its actions (None: the classes), or None, None.

    Training uses the classes: the cost losses weigh a class predicted for a true
    one, so a matrix of actions only decides, and needs ``cost_loss="cross_entropy"``
    and a Bayes decision.
    """
    if cost_matrix is None:
        return None, None
    # every entry point's check of a cost matrix (``_cost_matrix.check_costs``)
    matrix, actions = check_costs(cost_matrix, classes, param=param, actions_param=None)
    if actions is not None:
        named = f"{param} has actions {plain(actions)!r} for its columns, not the classes"
        if plan.cost_loss.trains:
            raise ValueError(
                f"{named}, but cost_loss={plan.cost_loss.name!r} trains with a square (k, k) "
                "matrix over the classes. Pass cost_loss='cross_entropy' (the network then "
                "learns the classes and the actions act in the decision), or a square "
                "cost_matrix."
            )
        if plan.decision == "argmax":
            raise ValueError(
                f"{named}, but decision='argmax' predicts the most probable class. Pass "
                "decision='auto' or 'bayes' to decide among the actions."
            )
    return matrix, actions


def _is_multilabel_output(target: Target, model: keras.Model) -> bool:
    """scikeras's multilabel recipe: one model output of one sigmoid unit per column of y."""
    return (
        target.n_outputs > 1
        and len(model.outputs) == 1
        and model.outputs[0].shape[-1] == target.n_outputs
        and all(len(classes) == 2 for classes in target.classes)
    )


def _multilabel_heads(target, model, plan: FitPlan, user_loss) -> list[Head]:
    """One head per column of y, each reading its own unit of the model's single output."""
    names = target.output_names()
    if plan.cost_loss.trains and (plan.per_example or plan.cost_matrix is not None):
        raise ValueError(
            f"cost_loss={plan.cost_loss.name!r} trains each output with its own cost loss, so "
            "it needs one model output per column of y; this model has one output of "
            f"{target.n_outputs} units. Pass cost_loss='cross_entropy' (the costs then act "
            "in the decision) or give the model one output per column."
        )
    model_loss = _compiled_losses(model, ["all"], ["all"])[0]
    loss = user_loss if user_loss is not None else model_loss
    if loss is None:
        loss = keras.losses.BinaryCrossentropy()
    costs = _per_head(plan.cost_matrix, names, names, param="cost_matrix")
    heads = []
    for j, name in enumerate(names):
        matrix, actions = _head_costs(costs[j], target.classes[j], plan, f"cost_matrix[{name!r}]")
        head = Head(name, target.classes[j], 1, 0, cost_matrix=matrix, loss=loss, unit=j)
        head.actions = actions
        head.target_format = "binary"
        head.decision = plan.cost_loss.decision(plan.decision, matrix)
        heads.append(head)
    return heads


def _compiled_losses(model: keras.Model, names, model_names) -> list:
    loss = getattr(model, "loss", None) if model.compiled else None
    if isinstance(loss, dict):
        return [loss.get(model_name) for model_name in model_names]
    if isinstance(loss, (list, tuple)):
        return list(loss) if len(loss) == len(names) else [None] * len(names)
    return [loss] * len(names)


def _head_loss(head: Head, plan: FitPlan, user_loss, model_loss):
    """The loss a head trains with: the cost loss, else the user's, else cross-entropy."""
    strategy = plan.cost_loss
    if strategy.trains and (head.cost_matrix is not None or plan.per_example):
        given = user_loss if user_loss is not None else model_loss
        if given is not None and loss_kind(given) is None:
            source = (
                f"loss={plan.loss!r}"
                if user_loss is not None
                else f"the model's compiled loss {given!r}"
            )
            raise ValueError(
                f"cost_loss={strategy.name!r} trains with cross-entropy plus the costs, which "
                f"cannot be combined with {source}; pass cost_loss='cross_entropy' "
                "to keep that loss (the costs then act in the decision), or drop it."
            )
        if plan.per_example:  # each example's costs travel with it (strategy.travels)
            return strategy.example_loss(plan.cost_loss_weight)
        return strategy.matrix_loss(head.cost_matrix, plan.cost_loss_weight)
    if user_loss is not None:
        return user_loss
    if model_loss is not None:
        return model_loss
    if head.units == 1:
        return keras.losses.BinaryCrossentropy()
    return keras.losses.CategoricalCrossentropy()
