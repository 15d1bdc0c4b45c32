"""Train one cost-sensitive Keras model on one device and data-parallel on two; print both.

Run by ``tests/scale/test_distributed.py`` in a fresh process, because the devices must be
set up before the backend starts: ``python distributed_training.py tensorflow`` (two
logical CPU devices under ``tf.distribute.MirroredStrategy``) or ``... jax`` (two host
devices under ``keras.distribution.DataParallel``; the caller sets ``XLA_FLAGS``). Prints
one JSON line: the per-epoch losses and validation MeanCost of each run, and each run's
BayesDecision on the validation rows.

Other modes: ``single`` (the one-device run alone), ``worker`` (one worker of a
``MultiWorkerMirroredStrategy``, its cluster in the ``TF_CONFIG`` the caller sets),
``ray`` (two workers of Ray Train's ``TensorflowTrainer`` on a local Ray cluster) and
``estimator`` (the estimator fitted on one device and with ``distribution=`` a
``MirroredStrategy`` over two logical CPUs; ``estimator_jax`` the same with Keras's
``DataParallel`` over two host devices).
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


def custom_loop(strategy):
    """The Keras pieces trained by a loop of ``strategy.run`` steps, the one way Keras 3
    trains under ``MultiWorkerMirroredStrategy`` (its ``Model.fit`` does not run there)."""
    import keras
    import numpy as np
    import tensorflow as tf

    from costkeras.keras import BayesDecision, ExpectedCostCrossEntropy, MeanCost

    costs = [[0, 1, 4], [2, 0, 1], [8, 1, 0]]
    X, y, X_val, y_val = data()
    batch = 32  # the global batch: each of the n replicas computes batch / n of its rows
    with strategy.scope():
        keras.utils.set_random_seed(0)
        inputs = keras.Input((5,))
        hidden = keras.layers.Dense(16, activation="tanh")(inputs)
        proba = keras.layers.Dense(3, activation="softmax")(hidden)
        model = keras.Model(inputs, proba)
        optimizer = keras.optimizers.SGD(0.1)
        optimizer.build(model.trainable_variables)
        loss = ExpectedCostCrossEntropy(costs, cost_weight=0.2)
        metric = MeanCost(costs)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    batches = tf.data.Dataset.from_tensor_slices((X, y)).batch(batch).with_options(options)
    batches = strategy.experimental_distribute_dataset(batches)

    def replica_step(xb, yb):
        with tf.GradientTape() as tape:
            per_row = loss.call(yb, model(xb, training=True))
            mean = tf.nn.compute_average_loss(per_row, global_batch_size=batch)
        grads = tape.gradient(mean, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return mean

    @tf.function
    def step(xb, yb):
        return strategy.reduce("SUM", strategy.run(replica_step, args=(xb, yb)), axis=None)

    losses, val_mean_cost = [], []
    for _ in range(4):
        losses.append(float(np.mean([step(xb, yb).numpy() for xb, yb in batches])))
        metric.reset_state()
        metric.update_state(y_val, model.predict(X_val, batch_size=batch, verbose=0))
        val_mean_cost.append(float(metric.result()))
    decide = keras.Model(inputs, BayesDecision(costs)(proba))
    decided = np.asarray(decide.predict(X_val, batch_size=batch, verbose=0))
    return {
        "replicas": strategy.num_replicas_in_sync,
        "loss": losses,
        "val_mean_cost": val_mean_cost,
        "decided": decided.tolist(),
    }


def one_worker():
    import tensorflow as tf

    return custom_loop(tf.distribute.get_strategy())


def worker():
    import tensorflow as tf

    # made before any other op, as a multi-worker strategy must be
    return custom_loop(tf.distribute.MultiWorkerMirroredStrategy())


def ray_train_loop(config):
    import ray.train

    result = worker()  # Ray Train set this worker's TF_CONFIG
    result["rank"] = ray.train.get_context().get_world_rank()
    with open(f"{config['out']}/rank{result['rank']}.json", "w") as file:
        json.dump(result, file)


def ray():
    import os
    import tempfile

    import ray
    from ray.train import RunConfig, ScalingConfig
    from ray.train.tensorflow import TensorflowTrainer

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        with tempfile.TemporaryDirectory() as out:
            trainer = TensorflowTrainer(
                ray_train_loop,
                train_loop_config={"out": out},
                scaling_config=ScalingConfig(num_workers=2, use_gpu=False),
                run_config=RunConfig(storage_path=os.path.join(out, "runs"), name="costkeras"),
            )
            trainer.fit()
            ranks = []
            for rank in (0, 1):
                with open(f"{out}/rank{rank}.json") as file:
                    ranks.append(json.load(file))
    finally:
        ray.shutdown()
    return {"workers": ranks}


def estimator():
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    runs = fit_estimators(strategy)
    runs["parallel"]["replicas"] = strategy.num_replicas_in_sync
    return {"replicas": strategy.num_replicas_in_sync, **runs}


def estimator_jax():
    import keras

    devices = keras.distribution.list_devices("cpu")
    runs = fit_estimators(keras.distribution.DataParallel(devices=devices))
    return {"replicas": len(devices), **runs}


def fit_estimators(distribution):
    """The estimator fitted on one device and under ``distribution``: losses and decisions."""
    import keras
    import numpy as np

    from costkeras import CostSensitiveKerasClassifier

    X, y, X_val, _ = data()
    runs = {}
    for name, given in (("single", None), ("parallel", distribution)):
        clf = CostSensitiveKerasClassifier(
            cost_matrix=[[0, 1, 4], [2, 0, 1], [8, 1, 0]],
            hidden_layer_sizes=(16,),
            dropout=0.0,  # dropout draws per replica: another mask than one device's
            epochs=4,
            batch_size=32,
            random_state=0,
            distribution=given,
        )
        clf.fit(X, y)
        runs[name] = {
            "loss": [float(v) for v in clf.history_["loss"]],
            "decided": np.asarray(clf.predict(X_val)).tolist(),
        }
        if keras.backend.backend() == "tensorflow":
            runs[name]["replicas"] = clf.model_.distribute_strategy.num_replicas_in_sync
    return runs


if __name__ == "__main__":
    mode = sys.argv[1]
    modes = {
        "tensorflow": tensorflow,
        "jax": jax,
        "single": one_worker,
        "worker": worker,
        "ray": ray,
        "estimator": estimator,
        "estimator_jax": estimator_jax,
    }
    print(json.dumps(modes[mode]()))
