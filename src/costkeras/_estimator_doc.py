"""The documentation of ``CostSensitiveKerasClassifier``: every parameter, attribute, an example.

Kept apart from the estimator's code so that estimator.py holds what it does; the class
takes this text as its docstring (``__doc__``), which the reference and ``help`` show and the
doctests run.
"""

ESTIMATOR_DOC = """A Keras classifier that trains and decides with misclassification costs.

A drop-in for scikeras's ``KerasClassifier`` that also takes a cost
matrix ``C[true, predicted]`` (the orientation of
:func:`sklearn.metrics.confusion_matrix`), class weights and per-example
costs, builds the cost loss inside ``fit``, and predicts the class of
lowest expected cost. Each parameter is described below; a model you
compiled keeps its optimizer, loss and metrics unless the matching
parameter is set (see the user guide's "Training defaults" and "Coming
from scikeras" pages).

Parameters
----------
model : None, callable or keras.Model, default=None
    None builds a multi-layer perceptron sized by ``hidden_layer_sizes``.
    A scikeras build function (it may take ``meta``, ``compile_kwargs``,
    ``params``) or a Keras model: one output per output of y, a softmax
    over its classes or, for two classes, one sigmoid unit. A model you
    compiled keeps its optimizer, loss and metrics unless the matching
    parameter is set or the costs must train.
cost_matrix : array-like of shape (k, k), DataFrame, dict of dicts or None, default=None
    ``C[i, j]`` is the cost of predicting class ``j`` when the truth is
    ``i``; an array follows ``classes_``, a DataFrame or a dict of dicts
    ``{true: {predicted: cost}}`` names its labels. For several outputs, a
    dict keyed by output name or a list with one matrix (or None) each.
    Its columns may be actions rather than classes, ``C[true, action]`` of
    shape (k, m), named by a DataFrame's columns or a dict of dicts' inner
    keys (approve, review, decline): the network learns the classes and
    ``predict`` returns actions, so such a matrix needs
    ``cost_loss="cross_entropy"`` and a Bayes decision.
class_weight : dict, list, "balanced" or None, default=None
    Multiplies ``sample_weight`` (never in place); per output as above.
cost_loss : {"cross_entropy", "argmax_weighted", "class_weighted", \
        "expected_cost"}, default="cross_entropy"
    How the costs shape training: not at all (they act in the decision,
    what the benchmarks favour), the forum loss
    ``CE * (1 + C)[true, argmax]``, cross-entropy weighted by the cost
    rows, or ``CE + cost_loss_weight * sum_j p_j C[true, j] / max|C|``.
cost_loss_weight : float, default=1.0
    Weight of the expected-cost term of ``cost_loss="expected_cost"``.
decision : {"auto", "bayes", "argmax"}, default="auto"
    ``"bayes"``: ``argmin_j sum_i p_i C[i, j]``; ``"argmax"``: the most probable
    class; ``"auto"``: ``"bayes"`` except after the two losses that reweight
    examples (costs counted twice). Costs given to ``predict`` decide by Bayes.
hidden_layer_sizes : int or tuple of int, default=(100,)
    Hidden layers of the default network.
activation : str, default="relu"
    Default network: the hidden layers' activation.
optimizer : str, keras.optimizers.Optimizer, class or None, default=None
    None: Adam, or your compiled model's; ``optimizer__learning_rate=...``.
loss : str, keras.losses.Loss, class, callable, dict, list or None, default=None
    None: cross-entropy, or your compiled model's. A cost loss replaces it
    only when costs train; a loss that is no cross-entropy then raises.
metrics : list, dict or None, default=None
    Keras metrics to report during training, as Keras's ``compile`` takes
    them (names or objects; a dict or list per output for several). None:
    your compiled model's, or none. With per-example costs in the targets
    they see the labels only.
epochs : int or "auto", default="auto"
    ``"auto"``: about 3,000 optimizer steps, 10 to 200 epochs; with early
    stopping, half of them, over which the learning rate anneals (see
    ``reduce_lr_on_plateau``), or twice them as a budget where it does not.
batch_size : int, -1, None or "auto", default="auto"
    Training batches. ``"auto"``: a power of two near ``n / 64`` in [32, 256];
    None: Keras's 32; -1: all rows. Predictions: ``predict__batch_size``.
validation_batch_size : int or None, default=None
    Batch size of the validation pass of each epoch (Keras's ``fit``).
    None: the training batch size.
early_stopping : bool or "auto", default="auto"
    Hold out a stratified ``validation_fraction`` of the rows, stop after
    ``n_iter_no_change`` epochs without a relative fall of ``tol`` in their log
    loss (``history_["val_log_loss"]``), keep the best epoch's weights. ``"auto"``:
    on from 2,000 rows, one output, no ``validation_split``/``validation_data``.
validation_fraction : float in (0, 1) or "auto", default="auto"
    Early stopping's held-out share. ``"auto"``: 0.1, up to 0.25 to hold 50 rows
    of the rarest class. Warm fits and ``partial_fit`` never stop early.
n_iter_no_change : int, default=10
    Early stopping's patience: the epochs without improvement after which
    training stops.
tol : float, default=1e-4
    Early stopping's smallest relative fall of the validation log loss that
    counts as an improvement.
reduce_lr_on_plateau : bool or "auto", default="auto"
    With early stopping, after every third of ``n_iter_no_change`` epochs
    without improvement: back to the best weights at 0.3 times the learning
    rate (``history_["learning_rate"]``; reset after the fit). ``"auto"``: so,
    unless a schedule or rate callback of yours sets it, and with
    ``epochs="auto"`` the rate anneals instead: twice its value for the first
    half of the epochs, then a cosine down towards 0; True: so, and those
    raise; False: never.
dropout : float in [0, 1), default=0.2
    Default network: dropout after each hidden layer.
input_scaling : {"embedding", "robust", "quantile"} or None, default="embedding"
    Default network: its first layer learns from the first fit's training
    rows, kept in the model. ``"embedding"``: each column's piecewise-linear
    encoding over 16 quantile bins (one bin for a column of two values),
    embedded in 4 learnt dimensions (Gorishniy et al., NeurIPS 2022);
    ``"robust"``: median and IQR with a smooth clip at +-3 (RealMLP);
    ``"quantile"``: a quantile map to a normal. None: X as given.
verbose : int, default=0
    Keras's progress output in ``fit`` and ``predict``: 0 silent, 1 a
    progress bar, 2 a line per epoch.
callbacks : list, dict or None, default=None
    Keras callbacks run by ``fit``, besides early stopping's and the
    learning-rate reduction's; ``callbacks__`` parameters route arguments to
    them, as in scikeras.
validation_split : float, default=0.0
    Keras's ``validation_split``: the last share of the training rows, held
    out for validation metrics (``history_["val_..."]``). Set, it turns
    ``early_stopping="auto"`` off.
shuffle : bool, default=True
    Shuffle the training rows before each epoch.
run_eagerly : bool, default=False
    Run Keras's training and prediction steps eagerly, not compiled: slow,
    for debugging a model.
steps_per_execution : int or "auto", default="auto"
    Batches per call into the compiled training step. ``"auto"``, where costkeras
    compiles the network and an epoch has 32 batches or more: on TensorFlow an
    epoch per call from one ``tf.data`` iterator per fit, 16 on JAX; else 1 (and
    with batch-level callback hooks, on PyTorch). A model you compiled keeps its
    own. An int is always used, with Keras's own loop.
warm_start : bool, default=False
    True: a later ``fit`` goes on training the fitted network rather than
    building a new one (the classes must be the same).
random_state : int, RandomState or None, default=None
    Seeds weight initialisation, dropout, shuffling and the validation share.
memory : str, path, joblib.Memory or None, default=None
    Where to keep trained networks, as ``Pipeline(memory=...)``: a ``fit`` whose
    Keras training would be identical to one stored (data, starting weights,
    network, compile and fit settings, seed, versions) takes its weights,
    optimizer state and ``history_`` back. A cost matrix that only decides does
    not train, so a search over such matrices trains one network per fold. In
    one process, a later fit identical but for such decision-only parameters
    builds no network at all: it predicts with the one trained before and builds
    its own ``model_`` when something first reads it (a warm fit, an export,
    pickling). Not for ``partial_fit``, warm starts, ``random_state=None``, your
    callbacks or a ``distribution``.
distribution : tf.distribute.Strategy, keras.distribution.Distribution or None, default=None
    Data-parallel training: ``fit`` and ``partial_fit`` build and train the
    network in its scope (a ``MirroredStrategy`` on TensorFlow, ``DataParallel``
    on JAX). ``batch_size`` is the global batch, split over the replicas.
build_fn : None, callable or keras.Model, default=None
    scikeras's older name for ``model``; give one of the two.
**kwargs
    Routed parameters, as scikeras takes them: ``model__`` (arguments of your
    build function), ``optimizer__``, ``loss__``, ``metrics__``, ``fit__``,
    ``predict__`` and ``callbacks__`` (``optimizer__learning_rate=1e-3``).

Attributes
----------
classes_ : ndarray of shape (k,), or a list per output
cost_matrix_ : ndarray of shape (k, m) or None, or a list per output
    The validated costs, rows in ``classes_`` order, columns in ``actions_``
    order (with ``sample_cost`` and no ``cost_matrix``: the mean training
    cost matrix).
actions_ : ndarray of shape (m,), or a list per output
    The labels ``predict`` returns: ``classes_`` unless ``cost_matrix``
    names actions.
decision_ : str, or a list per output
loss_ : the loss the model trains with (a list in the model's output order)
output_names_ : list
    Several outputs only: the name of each output.
heads_ : list of ``_scikeras.heads.Head``
    One per output: classes, costs, loss and decision.
model_ : keras.Model
history_ : dict

Examples
--------
>>> from sklearn.datasets import load_iris
>>> from costkeras import CostSensitiveKerasClassifier
>>> X, y = load_iris(return_X_y=True)
>>> C = [[0, 1, 1], [1, 0, 5], [1, 1, 0]]
>>> clf = CostSensitiveKerasClassifier(cost_matrix=C, epochs=5, random_state=0)
>>> clf.fit(X, y).predict(X[:3]).shape
(3,)
>>> clf.predict_expected_cost(X[:1]).shape
(1, 3)
"""
