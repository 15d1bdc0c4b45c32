"""A failed fit leaves the estimator as it was, the model's weights included."""

from __future__ import annotations

import keras


class Snapshot:
    """The estimator's state before a fit, to restore if the fit fails.

    The model's weights and optimizer state are copied too: a warm fit, or a
    fit of a model given as an instance, trains the very model a previous fit
    left behind.
    """

    def __init__(self, estimator):
        self.state = dict(estimator.__dict__)
        self.heads = [vars(head).copy() for head in self.state.get("heads_") or []]
        self.model = self.state.get("model_")
        self.weights = self.optimizer = None
        if self.model is not None:
            self.weights = self.model.get_weights()
            optimizer = getattr(self.model, "optimizer", None)
            if optimizer is not None:
                self.optimizer = [keras.ops.convert_to_numpy(v) for v in optimizer.variables]

    def restore(self, estimator) -> None:
        estimator.__dict__.clear()
        estimator.__dict__.update(self.state)
        for head, fields in zip(self.state.get("heads_") or [], self.heads, strict=True):
            vars(head).update(fields)
        if self.model is not None:
            self.model.set_weights(self.weights)
            if self.optimizer is not None:
                for variable, value in zip(
                    self.model.optimizer.variables, self.optimizer, strict=False
                ):
                    variable.assign(value)
