"""The layers of costkeras's default network, registered for ``.keras`` files.

Input handling learnt from the training X (robust scaling with a smooth clip, a
quantile map to a normal, piecewise-linear embeddings, those of two-valued columns
folded into the first dense layer); ``costkeras._scikeras.network.build_mlp``
assembles them. They live beside the other Keras pieces so that ``import
costkeras.keras`` registers every class a saved costkeras model holds (an
exported ``decision_model`` included), without scikit-learn.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops


def _constant(values):
    # a backend tensor, not a NumPy array: PyTorch computes tensor-with-ndarray arithmetic
    # through NumPy (on the CPU, with a DeprecationWarning per call)
    return ops.convert_to_tensor(np.asarray(values, dtype="float32"))


def _fill_nan(x, median):
    return ops.where(ops.isnan(x), median, x)


class _Bins:
    """The bins between each feature's knots, as constants computed once.

    ``encode`` maps (batch, d) to (batch, d, m): how far x has gone through each of
    the m bins. A zero-width bin (a repeated quantile: a discrete feature) counts
    half for x at its value and fully beyond it, the midpoint rule of sklearn's
    QuantileTransformer. The encoding is a function of the input only, so no
    gradient flows through it; the work per step is a subtraction, a product and a
    clip, plus a sign only where zero-width bins exist.
    """

    def __init__(self, knots):
        knots = np.asarray(knots, dtype=np.float64)
        width = np.diff(knots, axis=1)
        self.median = knots[:, knots.shape[1] // 2]
        self.left = knots[:, :-1]
        self.inverse_width = np.where(width > 0, 1.0 / np.where(width > 0, width, 1.0), 0.0)
        self.half_step = 0.5 * (width <= 0)  # where a zero-width bin steps instead
        self.has_zero_width = bool(self.half_step.any())

    def encode(self, x):
        diff = ops.expand_dims(_fill_nan(x, _constant(self.median)), -1) - _constant(self.left)
        encoded = ops.clip(diff * _constant(self.inverse_width), 0.0, 1.0)
        if self.has_zero_width:
            encoded = encoded + _constant(self.half_step) * (1.0 + ops.sign(diff))
        return encoded


@keras.saving.register_keras_serializable(package="costkeras")
class ColumnSubset(keras.layers.Layer):
    """(batch, d) -> (batch, len(columns)): the named columns, in that order.

    Parameters
    ----------
    columns : sequence of int
    """

    def __init__(self, columns, **kwargs):
        super().__init__(**kwargs)
        self.columns = [int(c) for c in columns]

    def call(self, x):
        return ops.take(x, ops.convert_to_tensor(self.columns, dtype="int32"), axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], len(self.columns))

    def get_config(self):
        return {**super().get_config(), "columns": self.columns}


@keras.saving.register_keras_serializable(package="costkeras")
class RobustScaleClip(keras.layers.Layer):
    """``(x - median) * scale``, then the smooth clip ``z / sqrt(1 + (z / 3)^2)``.

    The robust scaling with smooth clipping of RealMLP (Holzmüller et al., NeurIPS
    2024): outliers of heavy-tailed columns are squashed towards +-3 instead of
    dominating the first layer. NaN becomes the median.

    Parameters
    ----------
    median, scale : sequence of float, one per feature
    clip : float, default=3.0
    """

    def __init__(self, median, scale, clip: float = 3.0, **kwargs):
        super().__init__(**kwargs)
        self.median = [float(v) for v in median]
        self.scale = [float(v) for v in scale]
        self.clip = float(clip)

    def call(self, x):
        median = _constant(self.median)
        z = (_fill_nan(x, median) - median) * _constant(self.scale)
        return z / ops.sqrt(1.0 + ops.square(z / self.clip))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "median": self.median,
            "scale": self.scale,
            "clip": self.clip,
        }


@keras.saving.register_keras_serializable(package="costkeras")
class QuantileNormal(keras.layers.Layer):
    """Map each feature through its training quantiles to a standard normal.

    A quantile transform (as sklearn's ``QuantileTransformer(output_distribution=
    "normal")``) done by piecewise-linear interpolation of the stored quantiles, then
    the normal quantile function; the output lies in about [-3.1, 3.1]. NaN becomes
    the median.

    Parameters
    ----------
    quantiles : sequence of sequences of float, shape (n_features, m + 1)
    """

    def __init__(self, quantiles, **kwargs):
        super().__init__(**kwargs)
        self.quantiles = [[float(v) for v in row] for row in quantiles]
        self._bins = _Bins(self.quantiles)

    def call(self, x):
        u = ops.mean(self._bins.encode(x), axis=-1)
        u = ops.clip(u, 1e-3, 1 - 1e-3)
        return np.float32(np.sqrt(2.0)) * ops.erfinv(2.0 * u - 1.0)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "quantiles": self.quantiles}


@keras.saving.register_keras_serializable(package="costkeras")
class PiecewiseLinearEmbedding(keras.layers.Layer):
    """Embed each numerical feature by its piecewise-linear encoding (Gorishniy 2022).

    Feature ``j`` becomes ``relu(W_j ple_j(x_j) + b_j)``, ``ple_j`` its encoding over
    quantile bins, ``W_j`` its own (n_bins, dim) matrix; the output is flattened to
    (batch, n_features * dim).

    Parameters
    ----------
    knots : sequence of sequences of float, shape (n_features, n_bins + 1)
    dim : int, default=8
    seed : int or None, default=None
    """

    def __init__(self, knots, dim: int = 8, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.knots = [[float(v) for v in row] for row in knots]
        self._bins = _Bins(self.knots)
        self.dim = int(dim)
        self.seed = seed

    def build(self, input_shape):
        d, m = len(self.knots), len(self.knots[0]) - 1
        limit = float(np.sqrt(1.0 / m))
        self.kernel = self.add_weight(
            shape=(d, m, self.dim),
            initializer=keras.initializers.RandomUniform(-limit, limit, seed=self.seed),
            name="kernel",
        )
        self.bias = self.add_weight(
            shape=(d, self.dim),
            initializer=keras.initializers.RandomUniform(-limit, limit, seed=self.seed),
            name="bias",
        )

    def call(self, x):
        encoded = self._bins.encode(x)  # (b, d, m)
        if len(self.knots[0]) == 2:  # one bin per feature: a broadcast product, no matmul
            embedded = encoded * self.kernel[:, 0, :]
        else:
            embedded = ops.einsum("bdm,dme->bde", encoded, self.kernel)
        embedded = ops.relu(embedded + self.bias)
        return ops.reshape(embedded, (-1, len(self.knots) * self.dim))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], len(self.knots) * self.dim)

    def get_config(self):
        return {**super().get_config(), "knots": self.knots, "dim": self.dim, "seed": self.seed}


@keras.saving.register_keras_serializable(package="costkeras")
class TwoValuedEmbeddingDense(keras.layers.Layer):
    """Two-valued columns, each embedded, projected straight to a dense layer's units.

    Column ``j`` (a 0/1 flag, a one-hot level) has one bin from its smaller to its
    larger training value, so its piecewise-linear embedding takes two values,
    ``low_j = relu(b_j)`` and ``high_j = relu(w_j + b_j)``, and the dense layer after
    it adds ``K_j^T low_j`` or ``K_j^T high_j``, ``K_j`` the column's (dim, units) slice
    of that layer's kernel. This layer holds ``w``, ``b`` and ``K`` and adds
    ``sum_j K_j^T low_j + t_j K_j^T (high_j - low_j)``, ``t_j`` the column's position
    in its bin: the same function and gradients as :class:`PiecewiseLinearEmbedding`
    followed by a :class:`keras.layers.Dense`, with a (batch, n_columns) product per
    row instead of a (batch, n_columns * dim) one (most columns of one-hot encoded
    data are of this kind). A value between the two, unseen in training, gets the
    embedding interpolated between theirs, and so does a constant column's one value
    (the middle of its zero-width bin): a constant either way.

    Parameters
    ----------
    knots : sequence of sequences of float, shape (n_columns, 2)
        Each column's smaller and larger value.
    dim : int
        Size of each column's embedding.
    units : int
        Units of the dense layer the embeddings feed; the layer holds its bias (zeros
        at first), and ``K`` starts Glorot-uniform as if these columns alone fed it
        (``build_mlp`` gives it the rows of the whole layer's start instead).
    seed : int or None, default=None
    """

    def __init__(
        self,
        knots,
        dim: int,
        units: int,
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.knots = [[float(v) for v in row] for row in knots]
        if any(len(row) != 2 for row in self.knots):
            raise ValueError("TwoValuedEmbeddingDense takes two knots (one bin) per column.")
        self._bins = _Bins(self.knots)
        self.dim, self.units = int(dim), int(units)
        self.seed = seed

    def build(self, input_shape):
        d = len(self.knots)
        # PiecewiseLinearEmbedding's start for one bin: kernel and bias from one seed
        embedding = keras.initializers.RandomUniform(-1.0, 1.0, seed=self.seed)
        self.embedding_kernel = self.add_weight(
            shape=(d, self.dim), initializer=embedding, name="embedding_kernel"
        )
        self.embedding_bias = self.add_weight(
            shape=(d, self.dim), initializer=embedding, name="embedding_bias"
        )
        limit = float(np.sqrt(6.0 / (d * self.dim + self.units)))
        # another seed: the kernel's first draws would repeat the embedding's
        kernel_seed = None if self.seed is None else self.seed + 1
        self.kernel = self.add_weight(
            shape=(d, self.dim, self.units),
            initializer=keras.initializers.RandomUniform(-limit, limit, seed=kernel_seed),
            name="kernel",
        )
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, x):
        position = self._bins.encode(x)[..., 0]  # (batch, d), 0 and 1 at the two values
        low = ops.relu(self.embedding_bias)
        high = ops.relu(self.embedding_kernel + self.embedding_bias)
        base = ops.einsum("de,deu->u", low, self.kernel)
        step = ops.einsum("de,deu->du", high - low, self.kernel)
        return ops.matmul(position, step) + base + self.bias

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "knots": self.knots,
            "dim": self.dim,
            "units": self.units,
            "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package="costkeras")
class Sum(keras.layers.Add):
    """:class:`keras.layers.Add` that also takes a batch of no rows on TensorFlow.

    TensorFlow's ``keras.ops.add`` reads a second operand of shape (0, d) as a
    bias and hands it to ``BiasAdd``, which refuses it ("Biases must be 1D"),
    so a network holding ``Add`` fails when called eagerly on no rows. Of
    operands of no rows, each one already is their sum (of that shape, with
    no values); every other batch is added as ``Add`` adds it.
    """

    def _merge_function(self, inputs):
        shapes = [tuple(x.shape) for x in inputs]
        known = all(d is not None for shape in shapes for d in shape)
        if known and any(shape and shape[0] == 0 for shape in shapes):
            return ops.zeros(np.broadcast_shapes(*shapes), dtype=inputs[0].dtype)
        return super()._merge_function(inputs)
