"""One epoch of the toy CNN: the seed tutorial's ``model.fit`` against ``k49tut.train.fit``.

    python benchmarks/train_throughput.py --dataset standin --data-dir D [--rounds 2]

Both paths run in this one process, alternating in ABBA order (seed, k49tut, k49tut,
seed, ...) so that a drift in machine speed hits both alike, on the same arrays with the
same batch size. The seed path is the tutorial's exact call,
``model.fit(X_train, y_train, epochs=1, validation_split=0.3)``, on its model (which
takes raw pixel values); the k49tut path is ``train.fit(model, x, y, epochs=1)`` on
``models.toy_cnn()``. For each run it prints training images per second (wall time of
the whole call, validation included) and the peak resident memory above what the
process held before the call; then the ratio of the medians.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import os
import statistics
import threading
import time

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
from keras import layers  # noqa: E402

from k49tut import data, models, train  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


class PeakRSS:
    """Samples resident memory every 20 ms while the block runs."""

    def __enter__(self):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)   # give back what earlier runs freed
        except OSError:
            pass
        self.base = self.peak = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mb())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


class Phases(keras.callbacks.Callback):
    """Marks when training starts and the epoch ends, to split the wall time into phases."""

    def on_train_begin(self, logs=None):
        self.begin = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.end = time.perf_counter()


def seed_model() -> keras.Model:
    """The seed tutorial's model, layer for layer (it is fed raw 0..255 pixels)."""
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dense(49, activation="softmax"),
    ])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="standin")
    p.add_argument("--data-dir")
    p.add_argument("--rounds", type=int, default=1)
    args = p.parse_args()
    ds = data.load(args.dataset, data_dir=args.data_dir)
    X_train, y_train = ds.x_train, ds.y_train
    n_fit = int(len(X_train) * 0.7)
    print(f"{ds}\ndevice: {train.device_summary()}; batch size 32; "
          f"{n_fit:,} training images per epoch")
    results = {"seed model.fit": [], "k49tut train.fit": []}
    peaks = {name: [] for name in results}
    for r in range(args.rounds):
        order = list(results) if r % 2 == 0 else list(results)[::-1]   # ABBA: cancels drift
        for name in order:
            keras.backend.clear_session()
            phases = Phases()        # observes only: the training itself is unchanged
            with PeakRSS() as mem:
                start = time.perf_counter()
                if name.startswith("seed"):
                    model = seed_model()
                    model.fit(X_train, y_train, epochs=1, validation_split=0.3,
                              callbacks=[phases])
                else:
                    model = models.toy_cnn()
                    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam",
                                  metrics=["accuracy"])
                    train.fit(model, X_train, y_train, epochs=1, batch_size=32, verbose=2,
                              callbacks=[phases])
                seconds = time.perf_counter() - start
            results[name].append(n_fit / seconds)
            peaks[name].append(mem.peak - mem.base)
            print(f"round {r + 1} {name:<18} {n_fit / seconds:8.0f} images/s   "
                  f"peak memory +{mem.peak - mem.base:.0f} MB   (before training "
                  f"{phases.begin - start:.1f} s, epoch {phases.end - phases.begin:.1f} s, "
                  f"after {time.perf_counter() - phases.end:.1f} s)")
            del model
            gc.collect()
            time.sleep(3)      # let TensorFlow finish tearing the run down before the next
    seed, ours = (statistics.median(results[n]) for n in results)
    paired = [b / a for a, b in zip(*results.values())]
    print(f"\nmedian images/s: seed {seed:.0f}, k49tut {ours:.0f}, ratio k49tut/seed "
          f"{ours / seed:.2f}; per-round ratios {', '.join(f'{q:.2f}' for q in paired)} "
          f"(median {statistics.median(paired):.2f})")
    print(f"peak memory above baseline: seed +{max(peaks['seed model.fit']):.0f} MB, "
          f"k49tut +{max(peaks['k49tut train.fit']):.0f} MB "
          f"(images: {X_train.nbytes / 1e6:.0f} MB as uint8)")


if __name__ == "__main__":
    main()
