"""Where a default fit's time goes: ``CostSensitiveKerasClassifier().fit`` by category.

Times one fit (after a warm-up fit, so TensorFlow's one-off start-up is not counted) with
timers around the functions that do each kind of work; a second's exclusive time goes to
the innermost timed function running, so the categories add up to the fit:

- tracing: TensorFlow turning the training step (and the ``tf.data`` functions) into graphs;
- training steps: the compiled training function's calls, their tracing left out;
- tf.data iterators made over the training batches (Keras's own loop makes two per epoch);
- data pipeline: building the ``tf.data`` pipeline over the arrays;
- validation pass: early stopping scoring the held-out rows after every epoch;
- other callbacks: Keras's callback machinery and the other callbacks' hooks;
- Keras's loop, the rest: ``Model.fit``'s own work between those (its logs, the epoch loop,
  the waits on TensorFlow's asynchronous executor that land in it);
- building and compiling the network (the input statistics included);
- the estimator's own work: reading X, y and the costs, the targets and weights, the
  validation split.

Run: python benchmarks/profile_fit.py                      (4,000 rows x 12, 3 classes)
     python benchmarks/profile_fit.py --set churn          (split 0's training half of a real
                                                            set of tabular.py; needs empulse)
     python benchmarks/profile_fit.py --params steps_per_execution=16   (other parameters)
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# one thread, as each task of tabular.py runs
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")

sys.path.insert(0, str(Path(__file__).parent))

CATEGORIES = (
    "tracing (graphs of the training step, tf.data functions)",
    "training steps (compiled calls, tracing left out)",
    "tf.data iterators made",
    "data pipeline built",
    "validation pass (early stopping's scoring)",
    "other callbacks (Keras's machinery, hooks)",
    "Keras's loop, the rest (logs, epoch loop, waits)",
    "building and compiling the network",
    "the estimator's own work (X, y, costs, targets, split)",
)


def data(name: str, rows: int):
    """X, y and the per-example costs (None for the synthetic set) of one training set."""
    if name == "synthetic":
        from sklearn.datasets import make_classification

        X, y = make_classification(rows, 12, n_informative=6, n_classes=3, random_state=0)
        return X, y, None
    from sklearn.model_selection import StratifiedShuffleSplit
    from tabular import load

    X, y, S, _ = load(name)
    splitter = StratifiedShuffleSplit(n_splits=5, test_size=0.5, random_state=0)
    train, _ = next(splitter.split(X, y))
    return X[train], y[train], S[train]


class Clock:
    """Exclusive seconds per category: a second goes to the innermost timed call."""

    def __init__(self):
        self.seconds = dict.fromkeys(CATEGORIES, 0.0)
        self.stack: list[str] = []
        self.mark = time.perf_counter()

    def _charge(self):
        now = time.perf_counter()
        if self.stack:
            self.seconds[self.stack[-1]] += now - self.mark
        self.mark = now

    def wrap(self, owner, name: str, category: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args, **kwargs):
            self._charge()
            self.stack.append(category)
            try:
                return original(*args, **kwargs)
            finally:
                self._charge()
                self.stack.pop()

        setattr(owner, name, timed)


def instrument(clock: Clock) -> None:
    """Put the clock's timers around the functions of each category."""
    from keras.src.backend.tensorflow import trainer
    from keras.src.callbacks.callback_list import CallbackList
    from keras.src.trainers import data_adapters
    from tensorflow.python.data.ops import iterator_ops
    from tensorflow.python.eager.polymorphic_function import tracing_compilation

    from costkeras import CostSensitiveKerasClassifier
    from costkeras._scikeras import wrapper
    from costkeras._scikeras.early_stopping import LogLossEarlyStopping

    tracing, steps, iterators, pipeline, validation, callbacks, loop, build, own = CATEGORIES
    clock.wrap(tracing_compilation, "_create_concrete_function", tracing)
    clock.wrap(iterator_ops.OwnedIterator, "__init__", iterators)
    clock.wrap(data_adapters, "get_data_adapter", pipeline)
    if hasattr(wrapper, "repeated_batches"):
        clock.wrap(wrapper, "repeated_batches", pipeline)
    clock.wrap(LogLossEarlyStopping, "on_epoch_end", validation)
    for hook in ("on_epoch_begin", "on_epoch_end", "on_train_batch_begin", "on_train_batch_end"):
        clock.wrap(CallbackList, hook, callbacks)
    clock.wrap(CallbackList, "on_train_begin", callbacks)
    clock.wrap(CallbackList, "on_train_end", callbacks)
    clock.wrap(trainer.TensorFlowTrainer, "fit", loop)
    make = trainer.TensorFlowTrainer.make_train_function

    def make_timed(model, force=False):
        function = make(model, force)
        if not getattr(model.train_function, "_clocked", False):
            holder = type("Holder", (), {"call": staticmethod(model.train_function)})
            clock.wrap(holder, "call", steps)
            model.train_function = holder.call
            model.train_function._clocked = True
        return function

    trainer.TensorFlowTrainer.make_train_function = make_timed
    clock.wrap(wrapper.HeadsKerasWrapper, "_build", build)
    clock.wrap(wrapper.HeadsKerasWrapper, "_ensure_compiled_model", build)
    clock.wrap(CostSensitiveKerasClassifier, "fit", own)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="synthetic", help="synthetic, churn, pakdd, bank, vub")
    parser.add_argument("--rows", type=int, default=4000, help="rows of the synthetic set")
    parser.add_argument(
        "--params", default="", help="estimator parameters, key=value,... (tabular.py's est:)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed fits; the median's shown")
    args = parser.parse_args()
    from tabular import _value

    from costkeras import CostSensitiveKerasClassifier

    params = {
        key: _value(value)
        for key, value in (item.split("=", 1) for item in filter(None, args.params.split(",")))
    }
    X, y, S = data(args.set, args.rows)
    fit_params = {} if S is None else {"sample_cost": S}
    warm = CostSensitiveKerasClassifier(epochs=1, random_state=0)
    warm.fit(X[:64], y[:64], **({} if S is None else {"sample_cost": S[:64]}))
    clock = Clock()
    instrument(clock)
    runs = []
    for _ in range(args.repeat):
        clock.seconds = dict.fromkeys(CATEGORIES, 0.0)
        clf = CostSensitiveKerasClassifier(random_state=0, **params)
        start = time.perf_counter()
        clf.fit(X, y, **fit_params)
        runs.append((time.perf_counter() - start, dict(clock.seconds), clf))
    total, seconds, clf = sorted(runs, key=lambda run: run[0])[len(runs) // 2]
    epochs = len(clf.history_["loss"])
    described = ", ".join(f"{k}={v}" for k, v in params.items()) or "the default"
    print(
        f"{args.set}: {len(X)} training rows x {X.shape[1]} columns, {described}: "
        f"{epochs} epochs, steps_per_execution {clf.model_.steps_per_execution}; median fit "
        f"of {args.repeat}: {total:.2f} s (all: {', '.join(f'{r[0]:.2f}' for r in runs)})\n"
    )
    print("| where the time goes | seconds | share |")
    print("|---|---:|---:|")
    for name, value in seconds.items():
        print(f"| {name} | {value:.2f} | {value / total:.0%} |")
    print(f"| total | {sum(seconds.values()):.2f} | {sum(seconds.values()) / total:.0%} |")
    per_epoch = (total - seconds[CATEGORIES[0]]) / epochs
    print(f"\nper epoch, tracing left out: {per_epoch * 1000:.0f} ms")


if __name__ == "__main__":
    main()
