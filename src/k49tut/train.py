"""Training: a tf.data pipeline over uint8 arrays, seeds, devices, and ``fit``.

The images stay one uint8 array for the whole run, shared with TensorFlow without a
copy; each batch is gathered from it, cast to float32 and given its channel axis inside
the pipeline. Memory holds the dataset once (182 MB for K49's training images); handing
the NumPy array to ``model.fit`` instead cost 65-110 MB more peak memory in
``benchmarks/train_throughput.py``.

>>> import numpy as np
>>> from k49tut import models, train
>>> x = np.zeros((20, 28, 28), np.uint8); y = np.arange(20) % 49
>>> model = models.toy_cnn()
>>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
>>> history = train.fit(model, x, y, epochs=2, batch_size=8, seed=0, verbose=0)
>>> list(history.index), list(history.columns)[:2]
([1, 2], ['accuracy', 'loss'])
"""

from __future__ import annotations

import functools
import math
import os
import sys
import time

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from k49tut.arrays import aligned


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow, and ask TensorFlow for deterministic ops."""
    keras.utils.set_random_seed(seed)
    try:
        tf.config.experimental.enable_op_determinism()
    except AttributeError:  # pragma: no cover - TensorFlow before 2.9
        os.environ["TF_DETERMINISTIC_OPS"] = "1"


def gpus() -> list:
    """The GPUs TensorFlow can see (empty on a CPU-only machine)."""
    return tf.config.list_physical_devices("GPU")


def strategy() -> tf.distribute.Strategy:
    """MirroredStrategy over all GPUs when there are several, else the default strategy."""
    return _mirrored() if len(gpus()) > 1 else tf.distribute.get_strategy()


@functools.lru_cache(maxsize=None)
def _mirrored() -> tf.distribute.Strategy:
    return tf.distribute.MirroredStrategy()    # one for the whole process


def device_summary() -> str:
    """What training runs on, in words, e.g. ``"CPU (2 cores)"`` or ``"1 GPU: ..."``."""
    found = gpus()
    if not found:
        return f"CPU ({os.cpu_count()} cores)"
    names = []
    for gpu in found:
        details = tf.config.experimental.get_device_details(gpu)
        names.append(details.get("device_name", gpu.name))
    return f"{len(found)} GPU{'s' if len(found) > 1 else ''}: {', '.join(sorted(set(names)))}"


def as_tensor(a: np.ndarray) -> tf.Tensor:
    """A TensorFlow view of a NumPy array, sharing its memory (copied once if misaligned)."""
    return tf.experimental.dlpack.from_dlpack(aligned(a).__dlpack__())


def dataset(x: np.ndarray, y: np.ndarray | None = None, *, batch_size: int = 32,
            shuffle: bool = False, seed: int | None = None,
            indices: np.ndarray | None = None) -> tf.data.Dataset:
    """Batches of ``(float32 images (B, 28, 28, 1), int32 labels)`` drawn from uint8 arrays.

    The images are shared with TensorFlow in place (:func:`as_tensor`), only indices
    travel through tf.data, and each batch is gathered and cast on its own, so the
    float copy exists one batch at a time. ``shuffle`` reshuffles every epoch.
    """
    idx = np.arange(len(x)) if indices is None else np.asarray(indices)
    if shuffle:
        # A fresh permutation of all indices each epoch, drawn from a per-epoch seed: a true
        # shuffle without a shuffle buffer holding every index as a separate element.
        order = tf.constant(idx.astype(np.int64))
        ds = (tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).take(1)
              .map(lambda s: tf.random.experimental.stateless_shuffle(order, tf.stack([s, s])))
              .unbatch())
    else:
        ds = tf.data.Dataset.from_tensor_slices(idx.astype(np.int64))
    ds = ds.batch(batch_size)
    images = as_tensor(x)
    if y is None:
        ds = ds.map(lambda i: tf.cast(tf.gather(images, i), tf.float32)[..., None],
                    num_parallel_calls=tf.data.AUTOTUNE)
    else:
        labels = tf.constant(np.asarray(y, dtype=np.int32))
        ds = ds.map(lambda i: (tf.cast(tf.gather(images, i), tf.float32)[..., None],
                               tf.gather(labels, i)), num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


class _EpochTimer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["seconds"] = time.perf_counter() - self._start


def _auto_verbose() -> int:
    return 1 if sys.stdout.isatty() else 2


def fit(model: keras.Model, x: np.ndarray, y: np.ndarray, *, epochs: int, batch_size: int = 32,
        validation_split: float = 0.3, seed: int | None = None, verbose: int | str = "auto",
        callbacks: list | None = None) -> pd.DataFrame:
    """Train a compiled model; returns the history, one row per epoch (index 1..epochs).

    Like ``model.fit(x, y, validation_split=...)``: the *last* ``validation_split`` of
    the arrays is held out for validation, and the rest is reshuffled every epoch.
    ``seed`` reseeds everything and fixes the shuffling; build the model with
    ``toy_cnn(seed=...)`` to fix its initial weights and dropout masks as well.
    ``verbose="auto"`` prints a progress bar in a terminal and one line per epoch
    elsewhere (notebooks, logs). On a machine
    without a GPU, XLA is switched off: it makes this model far slower on a CPU.
    Columns: the model's metrics, their ``val_`` twins, and ``seconds`` per epoch.
    """
    if seed is not None:
        set_seed(seed)
    if not gpus():
        model.jit_compile = False
    x = aligned(x)      # at most one copy, shared by the training and validation pipelines
    split_at = int(math.ceil(len(x) * (1.0 - validation_split))) if validation_split else len(x)
    train = dataset(x, y, batch_size=batch_size, shuffle=True, seed=seed,
                    indices=np.arange(split_at))
    val = None
    if split_at < len(x):
        val = dataset(x, y, batch_size=batch_size, indices=np.arange(split_at, len(x)))
    history = model.fit(train, validation_data=val, epochs=epochs, shuffle=False,
                        verbose=_auto_verbose() if verbose == "auto" else verbose,
                        callbacks=[_EpochTimer(), *(callbacks or [])])
    frame = pd.DataFrame(history.history)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="epoch")
    return frame
