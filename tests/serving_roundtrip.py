"""Serve exported decision models in a fresh process; write what they return.

Run by ``tests/estimator/test_serving.py``: ``python serving_roundtrip.py FOLDER plain|keras``.
FOLDER holds ``cases.json`` (each case's batches, by name) and, per case,
``CASE@BATCH.npz`` (a batch's inputs, by input name), ``CASE_inputs.json`` (the
inputs' order), ``CASE_savedmodel/``, ``CASE.onnx`` and ``CASE.keras``. ``plain``
serves the ONNX file with ONNX Runtime and the SavedModel with TensorFlow while
costkeras and scikit-learn cannot be imported at all (a serving machine has
neither); ``keras`` loads the ``.keras`` file with ``keras.saving.load_model`` after
``import costkeras.keras`` (and checks the error a load without it raises). Each model
is loaded once and serves every batch of its case. Writes ``FOLDER/served_MODE.npz``,
arrays named ``CASE/FORMAT/BATCH/OUTPUT``.
"""

import json
import sys
from pathlib import Path

import numpy as np

FORGOTTEN = (
    "Could not locate class 'DecisionModel'. Make sure custom classes and functions are "
    "decorated with `@keras.saving.register_keras_serializable()`."
)


def batches(folder: Path, case: str):
    """(batch name, inputs by name, the model's positional argument) of each batch."""
    order = json.loads((folder / f"{case}_inputs.json").read_text())
    for batch in json.loads((folder / "cases.json").read_text())[case]:
        inputs = dict(np.load(folder / f"{case}@{batch}.npz"))
        args = [inputs[name] for name in order]
        yield batch, inputs, args if len(args) > 1 else args[0]


def cases(folder: Path) -> list:
    return list(json.loads((folder / "cases.json").read_text()))


def serve_plain(folder: Path) -> dict:
    for blocked in ("costkeras", "sklearn"):
        sys.modules[blocked] = None  # any import of them raises ImportError
    served = {}
    import onnxruntime

    for case in cases(folder):
        session = onnxruntime.InferenceSession(str(folder / f"{case}.onnx"))
        names = [output.name for output in session.get_outputs()]
        for batch, inputs, _ in batches(folder, case):
            feeds = {i.name: inputs[i.name] for i in session.get_inputs()}
            for name, value in zip(names, session.run(names, feeds), strict=True):
                served[f"{case}/onnx/{batch}/{name}"] = value
    import tensorflow as tf

    for case in cases(folder):
        loaded = tf.saved_model.load(str(folder / f"{case}_savedmodel"))  # held while it serves
        for batch, _, args in batches(folder, case):
            for name, value in loaded.serve(args).items():
                served[f"{case}/savedmodel/{batch}/{name}"] = value.numpy()
    return served


def serve_keras(folder: Path) -> dict:
    import keras

    # without costkeras.keras imported, Keras knows none of its classes: the error the
    # serving guide shows
    try:
        keras.saving.load_model(folder / f"{cases(folder)[0]}.keras")
    except TypeError as error:
        assert str(error).startswith(FORGOTTEN), str(error)[:300]
    else:
        raise AssertionError("the .keras file loaded without import costkeras.keras")

    import costkeras.keras  # noqa: F401  (registers costkeras's layers for load_model)

    served = {}
    for case in cases(folder):
        model = keras.saving.load_model(folder / f"{case}.keras")
        for batch, _, args in batches(folder, case):
            for name, value in model.predict(args, verbose=0).items():
                served[f"{case}/keras/{batch}/{name}"] = np.asarray(value)
    return served


if __name__ == "__main__":
    folder, mode = Path(sys.argv[1]), sys.argv[2]
    served = {"plain": serve_plain, "keras": serve_keras}[mode](folder)
    np.savez(folder / f"served_{mode}.npz", **served)
