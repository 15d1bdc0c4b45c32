"""Train one cost-sensitive Keras model on one device and data-parallel on two; print both.

Run by ``tests/test_distributed.py`` in a fresh process, because the devices must be
set up before the backend starts: ``python distributed_training.py tensorflow`` (two
logical CPU devices under ``tf.distribute.MirroredStrategy``) or ``... jax`` (two host
devices under ``keras.distribution.DataParallel``; the caller sets ``XLA_FLAGS``). Prints
one JSON line: the per-epoch losses and validation MeanCost of each run, and each run's
BayesDecision on the validation rows.
"""

import json
import sys


def data():
    import numpy as np

    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, size=256)
    X = (rng.normal(size=(256, 5)) + np.eye(3, 5)[y] * 1.5).astype("float32")
    return X[:192], y[:192], X[192:], y[192:]


def train_and_decide():
    import keras
    import numpy as np

    from costkeras.keras import BayesDecision, ExpectedCostCrossEntropy, MeanCost

    costs = [[0, 1, 4], [2, 0, 1], [8, 1, 0]]
    X, y, X_val, y_val = data()
    keras.utils.set_random_seed(0)
    inputs = keras.Input((5,))
    hidden = keras.layers.Dense(16, activation="tanh")(inputs)
    proba = keras.layers.Dense(3, activation="softmax")(hidden)
    model = keras.Model(inputs, proba)
    model.compile(
        optimizer=keras.optimizers.SGD(0.1),
        loss=ExpectedCostCrossEntropy(costs, cost_weight=0.2),
        metrics=[MeanCost(costs)],
    )
    history = model.fit(
        X, y, batch_size=32, epochs=4, shuffle=False, validation_data=(X_val, y_val), verbose=0
    )
    decide = keras.Model(inputs, BayesDecision(costs)(proba))
    decided = np.asarray(decide.predict(X_val, batch_size=32, verbose=0))
    return {
        "loss": [float(v) for v in history.history["loss"]],
        "val_mean_cost": [float(v) for v in history.history["val_mean_cost"]],
        "decided": decided.tolist(),
    }


def tensorflow():
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    single = train_and_decide()
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        parallel = train_and_decide()
    return {"replicas": strategy.num_replicas_in_sync, "single": single, "parallel": parallel}


def jax():
    import keras

    single = train_and_decide()
    devices = keras.distribution.list_devices("cpu")
    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
    parallel = train_and_decide()
    return {"replicas": len(devices), "single": single, "parallel": parallel}


if __name__ == "__main__":
    backend = sys.argv[1]
    print(json.dumps({"tensorflow": tensorflow, "jax": jax}[backend]()))
