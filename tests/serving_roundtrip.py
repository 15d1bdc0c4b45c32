"""Serve exported decision models in a fresh process; write what they return.

Run by ``tests/test_serving.py``: ``python serving_roundtrip.py FOLDER plain|keras``.
FOLDER holds, per case, ``CASE.npz`` (the inputs, by input name), ``CASE_savedmodel/``,
``CASE.onnx`` and ``CASE.keras``. ``plain`` serves the ONNX file with ONNX Runtime and
the SavedModel with TensorFlow while costkeras and scikit-learn cannot be imported at
all (a serving machine has neither); ``keras`` loads the ``.keras`` file with
``keras.saving.load_model`` after ``import costkeras.keras``. Writes
``FOLDER/served_MODE.npz``, arrays named ``CASE/FORMAT/OUTPUT``.
"""

import json
import sys
from pathlib import Path

import numpy as np


def cases_and_inputs(folder: Path):
    for case in json.loads((folder / "cases.json").read_text()):
        inputs = dict(np.load(folder / f"{case}.npz"))
        order = json.loads((folder / f"{case}_inputs.json").read_text())
        args = [inputs[name] for name in order]
        yield case, inputs, args if len(args) > 1 else args[0]


def serve_plain(folder: Path) -> dict:
    for blocked in ("costkeras", "sklearn"):
        sys.modules[blocked] = None  # any import of them raises ImportError
    served = {}
    import onnxruntime

    for case, inputs, _ in cases_and_inputs(folder):
        session = onnxruntime.InferenceSession(str(folder / f"{case}.onnx"))
        names = [output.name for output in session.get_outputs()]
        feeds = {i.name: inputs[i.name] for i in session.get_inputs()}
        for name, value in zip(names, session.run(names, feeds), strict=True):
            served[f"{case}/onnx/{name}"] = value
    import tensorflow as tf

    for case, _, args in cases_and_inputs(folder):
        loaded = tf.saved_model.load(str(folder / f"{case}_savedmodel"))  # held while it serves
        outputs = loaded.serve(args)
        for name, value in outputs.items():
            served[f"{case}/savedmodel/{name}"] = value.numpy()
    return served


def serve_keras(folder: Path) -> dict:
    import keras

    import costkeras.keras  # noqa: F401  (registers costkeras's layers for load_model)

    served = {}
    for case, _, args in cases_and_inputs(folder):
        model = keras.saving.load_model(folder / f"{case}.keras")
        for name, value in model.predict(args, verbose=0).items():
            served[f"{case}/keras/{name}"] = np.asarray(value)
    return served


if __name__ == "__main__":
    folder, mode = Path(sys.argv[1]), sys.argv[2]
    served = {"plain": serve_plain, "keras": serve_keras}[mode](folder)
    np.savez(folder / f"served_{mode}.npz", **served)
