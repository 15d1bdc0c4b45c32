"""Data larger than memory: training read chunk by chunk from Parquet files.

The Keras pieces on a ``tf.data`` pipeline that reads Parquet shards (features, label
and each example's cost row); the estimator through ``partial_fit`` over a file's row
groups, its memory flat however many chunks it reads.
"""

import tracemalloc

import numpy as np
import pytest

from costkeras.datasets import make_credit_scoring
from tests._helpers import tensorflow_only

pq = pytest.importorskip("pyarrow.parquet")
pa = pytest.importorskip("pyarrow")

FEATURES = [f"x{i}" for i in range(6)]


def write_shards(folder, X, y, cost_rows, n_shards, row_group_size):
    """Parquet shards of contiguous rows: features, label, cost row ``C_n[y_n, :]``."""
    paths = []
    for i, rows in enumerate(np.array_split(np.arange(len(y)), n_shards)):
        columns = {name: X[rows, j] for j, name in enumerate(FEATURES)}
        columns.update(label=y[rows], cost_0=cost_rows[rows, 0], cost_1=cost_rows[rows, 1])
        path = folder / f"part-{i:03d}.parquet"
        pq.write_table(pa.table(columns), path, row_group_size=row_group_size)
        paths.append(str(path))
    return paths


@tensorflow_only("tf.data reads the shards")
def test_keras_pieces_train_on_tf_data_read_from_parquet_shards_as_on_arrays(tmp_path):
    import keras
    import tensorflow as tf

    from costkeras.keras import BayesDecision, ExpectedCostCrossEntropy, MeanCost

    X, y, costs = make_credit_scoring(1024, random_state=0)
    X = ((X - X.mean(0)) / X.std(0)).astype("float32")
    scale = costs.max()
    cost_rows = (costs[np.arange(len(y)), y] / scale).astype("float32")  # C_n[y_n, :]
    paths = write_shards(tmp_path, X, y, cost_rows, n_shards=4, row_group_size=64)

    def batches():  # one row group at a time: never a whole shard in memory
        for path in paths:
            for table in pq.ParquetFile(path).iter_batches(batch_size=64):
                frame = table.to_pandas()
                target = frame[["label", "cost_0", "cost_1"]].to_numpy("float32")
                yield frame[FEATURES].to_numpy("float32"), target

    signature = (
        tf.TensorSpec((None, 6), tf.float32),
        tf.TensorSpec((None, 3), tf.float32),  # label, then the example's cost row
    )
    read = tf.data.Dataset.from_generator(batches, output_signature=signature)
    in_memory = np.column_stack([y, cost_rows]).astype("float32")

    def train(data, target=None):
        keras.utils.set_random_seed(0)
        inputs = keras.Input((6,))
        proba = keras.layers.Dense(2, activation="softmax")(
            keras.layers.Dense(16, activation="tanh")(inputs)
        )
        model = keras.Model(inputs, proba)
        model.compile(
            optimizer=keras.optimizers.SGD(0.1),
            loss=ExpectedCostCrossEntropy(cost_weight=1.0, costs_in_target=True),
            metrics=[MeanCost(costs_in_target=True)],
        )
        kwargs = {} if target is None else {"batch_size": 64, "shuffle": False}
        history = model.fit(data, target, epochs=3, verbose=0, **kwargs)
        return history.history, model

    streamed, model_streamed = train(read)
    arrays, model_arrays = train(X, in_memory)
    np.testing.assert_allclose(streamed["loss"], arrays["loss"], rtol=1e-5)
    np.testing.assert_allclose(streamed["mean_cost"], arrays["mean_cost"], rtol=1e-5)
    assert streamed["loss"][-1] < streamed["loss"][0]  # it trained
    # the same network decides the same with each applicant's own costs
    layer = BayesDecision()
    decided = [
        np.asarray(layer([m.predict(X, verbose=0), costs.astype("float32")]))
        for m in (model_streamed, model_arrays)
    ]
    np.testing.assert_array_equal(decided[0], decided[1])
    assert set(np.unique(decided[0])) == {0, 1}


@pytest.mark.slow
def test_partial_fit_over_row_groups_keeps_memory_flat_as_chunks_grow(tmp_path, small):
    """Peak traced memory after 16 chunks stays where it was after 4: nothing read is kept.

    NumPy reports its buffers to ``tracemalloc``; a fit that kept each chunk (or
    anything of a chunk's size) would add 12 chunks' worth between the two readings.
    """
    rows_per_chunk, chunks = 4000, 16
    X, y, costs = make_credit_scoring(rows_per_chunk * chunks, random_state=0)
    cost_rows = costs.reshape(-1, 4)
    table = pa.table(
        {
            **{name: X[:, j] for j, name in enumerate(FEATURES)},
            "label": y,
            **{f"c{i}": cost_rows[:, i] for i in range(4)},
        }
    )
    path = tmp_path / "applicants.parquet"
    pq.write_table(table, path, row_group_size=rows_per_chunk)
    del X, y, costs, cost_rows, table
    source = pq.ParquetFile(path)
    assert source.num_row_groups == chunks
    clf = small(batch_size=256)
    chunk_bytes = rows_per_chunk * (6 + 1 + 4) * 8
    peaks = {}
    tracemalloc.start()
    try:
        for i in range(chunks):
            frame = source.read_row_group(i).to_pandas()
            clf.partial_fit(
                frame[FEATURES].to_numpy(),
                frame["label"].to_numpy(),
                classes=[0, 1],
                sample_cost=frame[[f"c{i}" for i in range(4)]].to_numpy().reshape(-1, 2, 2),
            )
            del frame
            if i + 1 in (4, chunks):
                peaks[i + 1] = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert clf.current_epoch == chunks  # every chunk trained one epoch
    growth = peaks[chunks] - peaks[4]
    # less than a quarter of the 12 further chunks' bytes: flat, up to Keras's bookkeeping
    assert growth < 12 * chunk_bytes / 4, (peaks, chunk_bytes)
