"""A fitted estimator's decision as one plain Keras model: raw features in, decisions out.

What ``predict`` does in Python (the network, each head's probabilities, Bayes's
decision with its costs) is rebuilt from Keras layers, so that it travels with
the model to ``.keras`` files, TensorFlow SavedModel and ONNX. The decision is
computed in float64 from the network's float32 outputs, as ``predict`` computes
it in NumPy, so the two decide alike to the last bit of the probabilities. Rows
``predict`` would refuse (features that are not finite) get the decision -1.
"""

from __future__ import annotations

import keras
import numpy as np
from scikeras.wrappers import KerasClassifier
from sklearn.utils.validation import check_is_fitted

from ..keras._decide import NO_DECISION
from ..keras.layers import BayesDecision, ClassProbabilities, DecisionModel, WhereFinite
from .network import layer_name
from .persistence import model_from_bytes, model_to_bytes


def decision_dtype() -> str:
    """float64, as ``predict`` decides; float32 where JAX runs without 64-bit types.

    JAX truncates float64 to float32 (with a warning per array) unless
    ``jax_enable_x64`` is set; the decision then agrees with ``predict`` except on
    rows whose expected costs tie to float32 precision.
    """
    if keras.backend.backend() == "jax":
        import jax

        if not jax.config.jax_enable_x64:
            return "float32"
    return "float64"


def check_servable(estimator, sample_cost: bool) -> None:
    """Refuse, naming it, what cannot travel inside a Keras model."""
    if estimator.__dict__.get("heads_") is None:
        raise ValueError(
            "decision_model needs costkeras's own target encoding: a custom target_encoder "
            "decodes the network's outputs in Python, which cannot travel with the model. "
            "Export estimator.model_ and apply your encoder's inverse_transform where it "
            "serves."
        )
    if type(estimator).feature_encoder is not KerasClassifier.feature_encoder:
        raise ValueError(
            "decision_model takes the features the network takes: a custom feature_encoder "
            "transforms X in Python, which cannot travel with the model; apply it before "
            "calling the exported model, or move it into the network as Keras layers."
        )
    if sample_cost and estimator.decision == "argmax":
        raise ValueError(
            "sample_cost=True, but decision='argmax' decides without costs; set "
            "decision='auto' or 'bayes' to decide with them."
        )


def build_decision_model(estimator, sample_cost: bool = False) -> DecisionModel:
    """The model of ``CostSensitiveKerasClassifier.decision_model`` (its docstring says what)."""
    check_servable(estimator, sample_cost)
    # a copy: later partial_fit or warm fits of the estimator leave the served model as it was
    network = model_from_bytes(model_to_bytes(estimator.model_))
    shape = (estimator.n_features_in_,)
    if getattr(network, "inputs", None) and len(network.inputs) == 1:
        shape = tuple(network.inputs[0].shape[1:])
    features = keras.Input(shape, name="features")
    outputs = network(features)
    if isinstance(outputs, dict):  # named (dict) outputs, in the order predict reads them
        outputs = [outputs[name] for name in network.output_names]
    elif not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    heads = estimator.heads_
    dtype = decision_dtype()
    inputs, served = [features], {}
    for head in heads:
        prefix = "" if len(heads) == 1 else f"{layer_name(head.name)}_"
        output = outputs[head.output_index]
        probabilities = ClassProbabilities(head.unit, name=f"{prefix}class_probabilities")(output)
        proba = ClassProbabilities(head.unit, dtype=dtype, name=f"{prefix}exact")(output)
        if sample_cost:
            shape = (head.n_classes, head.n_actions or head.n_classes)  # C_n[true, decision]
            costs = keras.Input(shape, dtype=dtype, name=f"{prefix}sample_cost")
            inputs.append(costs)
            decision = BayesDecision(dtype=dtype, name=f"{prefix}bayes_decision")
            decided = decision(proba, sample_cost=costs)
        else:
            matrix = head.cost_matrix if head.decision == "bayes" else None
            decided = BayesDecision(matrix, dtype=dtype, name=f"{prefix}bayes_decision")(proba)
        # predict refuses features that are not finite; the default network clips its
        # inputs, so an infinite feature would otherwise be decided from finite outputs
        served[f"{prefix}probabilities"] = WhereFinite(float("nan"), name=f"{prefix}probabilities")(
            probabilities, features
        )
        served[f"{prefix}decision"] = WhereFinite(NO_DECISION, name=f"{prefix}decision")(
            decided, features
        )
    return DecisionModel(inputs[0] if len(inputs) == 1 else inputs, served, name="decision_model")


class DecisionModelMixin:
    """``decision_model``: the estimator's side of this module."""

    def decision_model(self, sample_cost: bool = False) -> DecisionModel:
        """The fitted decision as a plain Keras model: raw features in, decisions out.

        The model holds everything ``predict`` does after the feature checks:
        the network (with the default network's input layer), each output's
        class probabilities and its decision, by Bayes's rule with
        ``cost_matrix_`` or by argmax, exactly as ``predict`` decides (in
        float64, as ``predict`` does). It is a copy: later fits of the estimator
        leave it as it is. Export it, straight away and in any order, with
        ``model.save("m.keras")`` (load it with ``keras.saving.load_model``
        after ``import costkeras.keras``), ``model.export(path)`` (TensorFlow
        SavedModel, endpoint ``serve``) or ``model.export(path,
        format="onnx")`` (the batch dimension of every input and output named
        ``"batch"``); the SavedModel and ONNX files need neither scikit-learn
        nor costkeras to serve.

        Where ``predict`` raises on features that are not finite, the model
        decides every row and marks those it cannot decide: a row whose
        features hold a NaN or an infinite value gets decision ``-1`` and NaN
        probabilities (the default network clips its inputs, so an infinite
        feature would otherwise get finite probabilities and a decision); a row
        whose network outputs or ``sample_cost`` hold one (or whose expected
        costs overflow) gets decision ``-1`` too. Check ``decision >= 0``
        before ``actions_[decision]``, which would read ``-1`` as the last
        action. A batch of no rows gives outputs of no rows.

        Parameters
        ----------
        sample_cost : bool, default=False
            Take a cost matrix per row as a second input, float64 (float32 on
            JAX without ``jax_enable_x64``) of shape (n, k, m), rows in
            ``classes_`` order and columns in ``actions_`` order (m = k for the
            classes; one input per output, named ``<output>_sample_cost``, for
            several), and decide with it as ``predict(X, sample_cost=S)`` does.
            A ``sample_cost`` of another number of rows than the features
            raises a ValueError naming it from ``model([X, S])`` and
            ``model.predict_on_batch`` (``model.predict`` refuses the pair
            first: "Data cardinality is ambiguous"); the SavedModel raises the
            same message as ``tf.errors.InvalidArgumentError``, ONNX Runtime an
            error of its own. With several outputs, every output takes its own
            cost input, and each must be fed (Keras refuses a call that
            lacks one).

        Returns
        -------
        DecisionModel
            A functional ``keras.Model`` (:class:`costkeras.keras.layers.DecisionModel`).
            Input ``features``: X as ``predict`` takes it, shape
            (n, n_features_in_) (and the ``sample_cost`` inputs); stored as
            float32, as the network takes it, it accepts any numeric array
            through ``model.predict`` and ``model(...)`` (float64, integers,
            bool) and casts it, while ONNX Runtime takes float32 only. Outputs,
            a dict: ``probabilities`` (n, k) float32, ``predict_proba``'s values
            (NaN for rows whose features are not finite), and ``decision`` (n,)
            int32, the position in ``actions_`` (the classes, unless the costs
            name actions) of each row's decision: ``actions_[decision]`` is
            ``predict``'s label; ``-1`` where the row cannot be decided. For
            several outputs, ``<output>_probabilities`` and
            ``<output>_decision`` for each name of ``output_names_``.

        Raises
        ------
        ValueError
            For what cannot travel inside a Keras model: a custom
            ``target_encoder`` or ``feature_encoder``; and for
            ``sample_cost=True`` with ``decision="argmax"``, as ``predict``.
        TypeError
            For a ``sample_cost`` that is not True or False (an array of costs
            goes to the returned model: ``served.predict([X, S])``).

        Examples
        --------
        >>> import numpy as np
        >>> from costkeras import CostSensitiveKerasClassifier
        >>> X = np.random.default_rng(0).normal(size=(60, 3)).astype("float32")
        >>> y = (X[:, 0] > 0).astype(int)
        >>> clf = CostSensitiveKerasClassifier(cost_matrix=[[0, 1], [5, 0]], epochs=2,
        ...                                    random_state=0).fit(X, y)
        >>> served = clf.decision_model()
        >>> decided = served.predict(X, verbose=0)["decision"]
        >>> bool(np.array_equal(clf.actions_[decided], clf.predict(X)))
        True
        >>> served.predict(np.array([[np.nan, 0.0, np.inf]]), verbose=0)["decision"]
        array([-1], dtype=int32)
        """
        check_is_fitted(self, "model_")
        if not isinstance(sample_cost, (bool, np.bool_)):
            raise TypeError(
                "sample_cost must be True or False: whether the model takes a cost matrix per "
                f"row as a second input; got {_shown(sample_cost)}. The costs themselves go "
                "to the model it returns: served = clf.decision_model(sample_cost=True), "
                "then served.predict([X, S])."
            )
        return build_decision_model(self, sample_cost=bool(sample_cost))


def _shown(value) -> str:
    """``value`` for a message: an array by its type and shape, not its numbers."""
    shape = getattr(value, "shape", None)
    if shape is not None:
        return f"a {type(value).__name__} of shape {tuple(shape)}"
    text = repr(value)
    return text if len(text) <= 80 else f"a {type(value).__name__}"
