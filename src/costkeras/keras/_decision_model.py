"""``DecisionModel``: the functional model ``decision_model`` returns, exportable as it comes.

Public as :class:`costkeras.keras.layers.DecisionModel`; here on its own because it is a
model that overrides Keras's ``predict`` and ``export``, not a layer.
"""

from __future__ import annotations

import os

import keras
import numpy as np
from keras import ops

__all__ = ["DecisionModel", "name_batch_dimension"]


@keras.saving.register_keras_serializable(package="costkeras")
class DecisionModel(keras.Model):
    """A functional model ending in decisions, ready to export as it comes.

    What ``decision_model`` returns; built as any functional model,
    ``DecisionModel(inputs, outputs)``. It differs from ``keras.Model`` in two
    ways, neither of which changes what it computes:

    - ``export`` works straight away, in any format and order (a plain
      functional model refuses ONNX until it has been called once), and an ONNX
      file names the batch dimension of every input and output ``"batch"``
      (tf2onnx would leave an anonymous ``unk__N``);
    - ``predict`` and ``predict_on_batch`` on a batch of no rows return
      outputs of no rows (Keras's own ``predict`` raises there; calling the
      model eagerly on no rows works as far as its network's layers do:
      costkeras's default network takes them).

    Also, ``predict`` and ``predict_on_batch`` check each input's shape
    against the model's inputs first and raise Keras's own message
    (``expected shape=(None, 6), found shape=(3, 5)``) every time: Keras
    checks it only until it has relaxed its traced shapes after batches of
    several sizes.

    Loading a ``.keras`` file holding one needs ``import costkeras.keras`` first,
    as its layers do.

    Parameters
    ----------
    inputs : keras.KerasTensor, or a list or dict of them
        The model's inputs, made by ``keras.Input``.
    outputs : keras.KerasTensor, or a list or dict of them
        Its outputs, computed from ``inputs`` by layers (the decisions of a
        :class:`~costkeras.keras.layers.BayesDecision`, the probabilities).
    name : str or None, default=None
        The model's name, as ``keras.Model`` takes it.
    **kwargs
        As ``keras.Model`` takes them (``trainable``).

    Examples
    --------
    >>> import keras
    >>> import numpy as np
    >>> from costkeras.keras.layers import BayesDecision, DecisionModel
    >>> inputs = keras.Input((3,), name="features")
    >>> proba = keras.layers.Dense(2, activation="softmax")(inputs)
    >>> model = DecisionModel(inputs, {"decision": BayesDecision([[0, 1], [5, 0]])(proba)})
    >>> model.predict(np.zeros((0, 3)), verbose=0)["decision"].shape
    (0,)
    """

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Keras's ``Model.predict``, also for a batch of no rows and checking input shapes.

        Parameters
        ----------
        x : array-like, or a list or dict of them
            The model's inputs.
        batch_size, verbose, steps, callbacks
            As ``keras.Model.predict`` takes them.

        Returns
        -------
        The model's outputs as NumPy arrays (a dict for a dict of outputs); of no
        rows for inputs of no rows.

        Raises
        ------
        ValueError
            For an input of the wrong shape, in Keras's own words.
        """
        self._check_input_shapes(x)
        if steps is None and _no_rows(x):
            return self._predict_no_rows(x)
        return super().predict(
            x, batch_size=batch_size, verbose=verbose, steps=steps, callbacks=callbacks
        )

    def predict_on_batch(self, x):
        """Keras's ``Model.predict_on_batch``, also for a batch of no rows.

        Parameters
        ----------
        x : array-like, or a list or dict of them

        Returns
        -------
        The model's outputs as NumPy arrays.
        """
        self._check_input_shapes(x)
        return self._predict_no_rows(x) if _no_rows(x) else super().predict_on_batch(x)

    def _check_input_shapes(self, x) -> None:
        """Keras's own refusal of an input of the wrong shape, made before Keras traces.

        Keras checks the inputs against the shapes the model was built with only
        while its traced function keeps them; after calls with several batch sizes
        it relaxes the traced shapes, and a wrong feature count then fails deep in
        the graph. Arrays of no rows are checked too (``predict`` answers them
        with a one-row stand-in, whose shape the user never gave).
        """
        inputs = self.inputs
        if isinstance(x, dict):
            pairs = [(tensor, x.get(tensor.name)) for tensor in inputs]
        elif isinstance(x, (list, tuple)):
            pairs = list(zip(inputs, x, strict=False)) if len(x) == len(inputs) else []
        else:
            pairs = [(inputs[0], x)] if len(inputs) == 1 else []
        for index, (tensor, given) in enumerate(pairs):
            shape = getattr(given, "shape", None)
            if shape is None:
                continue  # a dataset, a generator: Keras reads and checks them itself
            shape = tuple(None if d is None else int(d) for d in shape)
            expected = tuple(tensor.shape)
            if len(shape) != len(expected) or any(
                want is not None and got is not None and want != got
                for want, got in zip(expected[1:], shape[1:], strict=True)
            ):
                raise ValueError(  # Keras's own words (keras.src.layers.input_spec)
                    f"Input {index} with name '{tensor.name}' of layer '{self.name}' is "
                    f"incompatible with the layer: expected shape={expected}, found "
                    f"shape={shape}"
                )
        # Keras's data adapter fails on inputs of other row counts given as a dict with
        # an AttributeError naming none of them
        rows = {
            tensor.name: int(given.shape[0])
            for tensor, given in pairs
            if getattr(given, "shape", None) is not None and len(given.shape) > 0
        }
        if len(set(rows.values())) > 1:
            raise ValueError(
                f"the inputs of a decision model have one row per example, as many in each; "
                f"got {', '.join(f'{name}: {n}' for name, n in rows.items())} rows."
            )

    def _predict_no_rows(self, x):
        """The outputs of one row of zeros, cut to none.

        Not the model on the empty batch itself: Keras's ``predict`` has no
        batch to loop over, and TensorFlow refuses some empty operands
        (Keras's ``Add`` passes a (0, d) one to ``BiasAdd``).
        """
        one = keras.tree.map_structure(
            lambda v: np.zeros((1, *np.shape(v)[1:]), np.asarray(v).dtype), x
        )
        outputs = self(one, training=False)
        return keras.tree.map_structure(lambda v: ops.convert_to_numpy(v)[:0], outputs)

    def export(
        self, filepath, format="tf_saved_model", verbose=None, input_signature=None, **kwargs
    ):
        """Keras's ``Model.export``, working before the model was ever called.

        Parameters
        ----------
        filepath : str or path
            Where to write the artifact.
        format : {"tf_saved_model", "onnx", ...}, default="tf_saved_model"
            As ``keras.Model.export`` takes it. An ONNX file names the batch
            dimension of every input and output ``"batch"``.
        verbose : bool, default=None
        input_signature : default=None
            None: the model's own inputs, batch dimension unknown (what Keras infers
            for a functional model once it has run).
        **kwargs
            Passed to ``keras.Model.export``.
        """
        if input_signature is None:  # what Keras infers for a functional model that has run
            input_signature = [keras.tree.map_structure(_input_spec, self.input)]
        super().export(
            filepath, format=format, verbose=verbose, input_signature=input_signature, **kwargs
        )
        if format == "onnx":
            name_batch_dimension(filepath)


def _input_spec(tensor) -> keras.InputSpec:
    return keras.InputSpec(shape=(None, *tensor.shape[1:]), dtype=tensor.dtype, name=tensor.name)


def _no_rows(x) -> bool:
    """Whether ``x`` (an array, or a list or dict of them) is a batch of no rows."""
    shapes = [getattr(leaf, "shape", None) for leaf in keras.tree.flatten(x)]
    return (
        bool(shapes)
        and all(shape is not None and len(shape) > 0 for shape in shapes)
        and all(shape[0] == 0 for shape in shapes)
    )


def name_batch_dimension(path: str | os.PathLike, name: str = "batch") -> None:
    """Name the first dimension of an ONNX file's inputs and outputs ``name``, in place.

    tf2onnx writes an unknown batch size as an anonymous symbol (``unk__N``),
    a different one per tensor; every symbol the inputs' and outputs' first
    dimension had is renamed, in the graph's intermediate shapes too, so the
    file says its outputs have as many rows as its inputs. Fixed sizes stay.
    """
    import onnx

    model = onnx.load(os.fspath(path))
    graph = model.graph
    ends = [*graph.input, *graph.output]
    renamed = {
        value.type.tensor_type.shape.dim[0].dim_param
        for value in ends
        if value.type.tensor_type.shape.dim
        and value.type.tensor_type.shape.dim[0].HasField("dim_param")
    }
    for value in ends:
        dims = value.type.tensor_type.shape.dim
        if dims and not dims[0].HasField("dim_value"):
            dims[0].dim_param = name
    for value in graph.value_info:
        for dim in value.type.tensor_type.shape.dim:
            if dim.HasField("dim_param") and dim.dim_param in renamed:
                dim.dim_param = name
    onnx.save(model, os.fspath(path))
