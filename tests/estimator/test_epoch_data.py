"""Training batches from one iterator for the whole fit, and steps_per_execution."""

import pickle

import keras
import numpy as np
import pytest

from costkeras._scikeras.epoch_data import one_iterator_steps, repeated_batches
from tests._helpers import two_blobs


class CountBatches(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        self.seen = [*getattr(self, "seen", []), batch]


class CountSteps(keras.callbacks.Callback):
    """The optimizer's steps at the end of every epoch."""

    def on_epoch_end(self, epoch, logs=None):
        steps = int(keras.ops.convert_to_numpy(self.model.optimizer.iterations))
        self.seen = [*getattr(self, "seen", []), steps]


@pytest.mark.backend
def test_steps_per_execution_trains_the_same_weights(small):
    X, y = two_blobs(300)  # 38 batches of 8 per epoch
    many, one = (small(epochs=3, batch_size=8, steps_per_execution=n).fit(X, y) for n in (16, 1))
    assert many.model_.steps_per_execution == 16 and one.model_.steps_per_execution == 1
    for a, b in zip(many.model_.get_weights(), one.model_.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    short = small(epochs=1, batch_size=16).fit(X, y)  # 19 batches: not worth the tracing
    assert short.model_.steps_per_execution == 1


@pytest.mark.backend
def test_auto_steps_per_execution_trains_an_epoch_per_call_and_exact_epochs(small):
    X, y = two_blobs(300)  # 38 batches of 8 per epoch, the last of 4 rows
    counter, hooked = CountSteps(), CountBatches()
    per_epoch = small(epochs=3, batch_size=8, callbacks=[counter]).fit(X, y)
    per_batch = small(epochs=3, batch_size=8, callbacks=[hooked]).fit(X, y)
    expected = {"tensorflow": 38, "torch": 1}.get(keras.backend.backend(), 16)
    assert per_epoch.model_.steps_per_execution == expected
    assert per_batch.model_.steps_per_execution == 1 and hooked.seen == list(range(38)) * 3
    # every epoch reads exactly its 38 batches, whatever the steps per call
    assert counter.seen == [38, 76, 114]
    for a, b in zip(per_epoch.model_.get_weights(), per_batch.model_.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    again = small(epochs=3, batch_size=8).fit(X, y)  # seeded: the same shuffles
    for a, b in zip(per_epoch.model_.get_weights(), again.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow's pipeline")
def test_repeated_batches_cover_every_row_once_per_pass_in_new_orders():
    X = np.arange(10.0)[:, None]
    dataset = repeated_batches(X, X[:, 0], None, batch_size=4, shuffle=True, seed=0)
    batches = [keras.ops.convert_to_numpy(x)[:, 0] for x, _ in dataset.take(9)]
    assert [len(b) for b in batches] == [4, 4, 2] * 3
    orders = [np.concatenate(batches[3 * k : 3 * k + 3]) for k in range(3)]
    for order in orders:
        assert sorted(order) == list(range(10))
    assert len({tuple(order) for order in orders}) > 1  # reshuffled every pass
    again = repeated_batches(X, X[:, 0], None, batch_size=4, shuffle=True, seed=0)
    first = np.concatenate([keras.ops.convert_to_numpy(x)[:, 0] for x, _ in again.take(3)])
    np.testing.assert_array_equal(first, orders[0])  # seeded
    in_order = repeated_batches(X, X[:, 0], None, batch_size=4, shuffle=False)
    rows = [keras.ops.convert_to_numpy(x)[:, 0] for x, _ in in_order.take(6)]
    np.testing.assert_array_equal(np.concatenate(rows), np.tile(np.arange(10.0), 2))


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow's pipeline")
@pytest.mark.parametrize(
    "fit_args, setting, compiled, expected",
    [
        ({}, "auto", 38, 38),
        ({}, "auto", 1, 38),
        ({}, 16, 16, None),  # an int: Keras's own loop, as before
        ({}, "auto", 16, None),  # a call of 16 would run past an epoch's end
        ({"validation_split": 0.2}, "auto", 38, None),
        ({"class_weight": {0: 1.0, 1: 2.0}}, "auto", 38, None),
        ({"steps_per_epoch": 5}, "auto", 38, None),
    ],
)
def test_one_iterator_only_where_keras_would_read_the_same_epochs(
    fit_args, setting, compiled, expected
):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", steps_per_execution=compiled)
    X = np.zeros((300, 2))
    assert one_iterator_steps(model, X, fit_args, 8, setting) == expected
    assert one_iterator_steps(model, [X, X], {}, 8, "auto") is None  # several inputs


@pytest.mark.backend
def test_auto_steps_per_execution_calls_batch_hooks_every_batch_on_warm_fits_too(small):
    X, y = two_blobs(320)
    clf = small(epochs=1, batch_size=8, warm_start=True).fit(X, y)
    expected = {"tensorflow": 40, "torch": 1}.get(keras.backend.backend(), 16)
    assert clf.model_.steps_per_execution == expected
    counter = CountBatches()
    clf.fit(X, y, callbacks=[counter])  # the model compiled in the first fit is recompiled
    assert counter.seen == list(range(40)) and clf.model_.steps_per_execution == 1
    again = pickle.loads(pickle.dumps(small(epochs=1, batch_size=8, warm_start=True).fit(X, y)))
    counter = CountBatches()
    again.fit(X, y, callbacks=[counter])  # unpickled: the default network is still costkeras's
    assert counter.seen == list(range(40))
    counted = small(epochs=1, batch_size=8, callbacks=[CountBatches()]).fit(X, y)
    assert counted.model_.steps_per_execution == 1


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow's tracing")
def test_the_training_step_is_traced_once_per_fit(monkeypatch, small):
    from keras.src.backend.tensorflow.trainer import TensorFlowTrainer

    traced = []
    train_step = TensorFlowTrainer.train_step

    def counted(model, data):
        traced.append(model)
        return train_step(model, data)

    monkeypatch.setattr(TensorFlowTrainer, "train_step", counted)
    X, y = two_blobs(2_000)  # early stopping on: the held-out rows are scored every epoch
    clf = small(epochs=3, batch_size=32).fit(X, y)
    assert len(traced) == 1 and clf.model_.optimizer.built
    clf.set_params(warm_start=True).fit(X, y)  # the same model: its step is traced already
    assert len(traced) == 1


@pytest.mark.backend
def test_partial_fits_of_other_sizes_keep_their_compiled_steps_and_train_every_batch(small):
    X, y = two_blobs(400)
    counter = CountSteps()
    clf = small(batch_size=8, callbacks=[counter])
    clf.partial_fit(X, y)  # 50 batches
    compiled = clf.model_.steps_per_execution
    clf.partial_fit(X[:264], y[:264])  # 33 batches: no recompile, no retrace
    clf.partial_fit(X[:300], y[:300])  # 38
    assert clf.model_.steps_per_execution == compiled
    assert counter.seen == [50, 83, 121]


@pytest.mark.skipif(keras.backend.backend() == "torch", reason="PyTorch takes 1 only")
def test_steps_per_execution_set_recompiles_a_model_the_user_compiled(small):
    X, y = two_blobs(100)

    def build(meta):
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
        model.compile(
            optimizer="sgd", loss="sparse_categorical_crossentropy", steps_per_execution=3
        )
        return model

    assert small(model=build, epochs=1).fit(X, y).model_.steps_per_execution == 3
    clf = small(model=build, epochs=1, steps_per_execution=5).fit(X, y)
    assert clf.model_.steps_per_execution == 5
    assert isinstance(clf.model_.optimizer, keras.optimizers.SGD)  # the rest stays theirs


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="the PyTorch trainer's limit")
def test_steps_per_execution_above_one_is_refused_on_torch_before_training(small):
    X, y = two_blobs(40)
    with pytest.raises(ValueError, match="steps_per_execution must be 1"):
        small(steps_per_execution=4).fit(X, y)
