"""Training speed of the toy CNN: the seed tutorial's call against Part 2's, and the ceiling.

    python benchmarks/train_throughput.py --dataset standin --data-dir D [--rounds 2]

Three ways to train the same network for one epoch on the same arrays, in this one
process, alternating in ABBA order so that a drift in machine speed hits both alike:

- ``seed``: the seed tutorial's exact call, ``model.fit(X, y, epochs=1,
  validation_split=0.3)``, with TensorFlow's defaults (batch 32, one step per call);
- ``notebook``: Part 2's call, ``model.fit(x_fit, y_fit, validation_data=(x_val, y_val),
  batch_size=B, validation_batch_size=1024)`` after ``compile(steps_per_execution=S)``,
  on the same 70/30 split;
- ``ceiling`` (printed once per round): bare training steps in one ``tf.function`` loop
  on a batch already in memory (no input pipeline, no validation), about the fastest
  this machine runs the model at batch B.

For each call it prints training images per second (wall time of the whole call,
validation included), then the ratio of the medians. oneDNN stays on (TensorFlow's
default): turning it off makes each step about 1.65x slower on these CPUs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from k49tut.notebook import quiet_tensorflow  # noqa: E402

tf = quiet_tensorflow()
import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

from k49tut import data  # noqa: E402


def toy_cnn() -> keras.Model:
    """Part 2's network: the seed's layers, with pixel scaling as the first layer."""
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Rescaling(1 / 255),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(49, activation="softmax"),
        ]
    )


def seed_call(x, y, batch_size, steps) -> float:
    model = toy_cnn()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x, y, epochs=1, validation_split=0.3, verbose=0)
    return time.perf_counter() - start


def notebook_call(x, y, batch_size, steps) -> float:
    n_fit = int(len(x) * 0.7)
    model = toy_cnn()
    model.compile(
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps,
    )
    start = time.perf_counter()
    model.fit(
        x[:n_fit],
        y[:n_fit],
        validation_data=(x[n_fit:], y[n_fit:]),
        epochs=1,
        batch_size=batch_size,
        validation_batch_size=1024,
        verbose=0,
    )
    return time.perf_counter() - start


def ceiling(x, y, batch_size, n_images) -> float:
    """Images/s of a bare training step over ready-made float batches (no input pipeline)."""
    model = toy_cnn()
    optimizer = keras.optimizers.Adam()
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    xb = tf.constant(x[:batch_size].astype("float32"))
    yb = tf.constant(y[:batch_size])

    @tf.function
    def steps(n):
        for _ in tf.range(n):
            with tf.GradientTape() as tape:
                loss = loss_fn(yb, model(xb, training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))

    steps(tf.constant(2))
    n_steps = max(1, n_images // batch_size)
    start = time.perf_counter()
    steps(tf.constant(n_steps))
    float(model.trainable_variables[0][0, 0, 0, 0])  # wait for the last step
    return n_steps * batch_size / (time.perf_counter() - start)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="sample")
    p.add_argument("--data-dir")
    p.add_argument("--rounds", type=int, default=2, help="ABBA rounds (each runs both twice)")
    p.add_argument("--limit", type=int, default=0, help="use only the first N training images")
    p.add_argument("--batch-size", type=int, default=64, help="the notebook call's batch size")
    p.add_argument("--steps-per-execution", type=int, default=16)
    args = p.parse_args()
    ds = data.load(args.dataset, data_dir=args.data_dir)
    x, y = ds.x_train[..., np.newaxis], ds.y_train
    if args.limit:
        x, y = x[: args.limit], y[: args.limit]
    n_train = len(x) - int(len(x) * 0.3)
    print(
        f"{ds.description}: one epoch = {n_train:,} training + {len(x) - n_train:,} "
        f"validation images; notebook call: batch {args.batch_size}, steps_per_execution "
        f"{args.steps_per_execution}, validation batch 1024; TensorFlow {tf.__version__}, "
        f"Keras {keras.__version__}, {os.cpu_count()} CPU cores"
    )
    calls = {"seed": seed_call, "notebook": notebook_call}
    speeds: dict[str, list[float]] = {name: [] for name in calls}
    for r in range(args.rounds):
        for name in (
            ("seed", "notebook", "notebook", "seed")
            if r % 2 == 0
            else ("notebook", "seed", "seed", "notebook")
        ):
            seconds = calls[name](x, y, args.batch_size, args.steps_per_execution)
            speeds[name].append(n_train / seconds)
            print(
                f"  round {r + 1}  {name:<9} {seconds:6.1f} s  {speeds[name][-1]:7,.0f} images/s",
                flush=True,
            )
        top = ceiling(x, y, args.batch_size, min(n_train, 40_000))
        print(
            f"  round {r + 1}  ceiling   bare training step at batch {args.batch_size}: "
            f"{top:7,.0f} images/s",
            flush=True,
        )
    seed, ours = statistics.median(speeds["seed"]), statistics.median(speeds["notebook"])
    print(
        f"median images/s: seed {seed:,.0f}, notebook {ours:,.0f}; "
        f"ratio notebook/seed {ours / seed:.2f}"
    )


if __name__ == "__main__":
    main()
