"""Part 3's recipe: training images/s, and the time it takes to match the toy CNN.

    python benchmarks/recipe_speed.py --dataset sample [--epochs 15] [--width 24]
    python benchmarks/recipe_speed.py --dataset standin --data-dir D --width 32

Trains the toy CNN (Adam, 1e-3) for ``--epochs`` epochs and notes its final validation
balanced accuracy; then trains the recipe (residual network with batch normalisation,
augmentation, warm-up and cosine decay, label smoothing, EMA) on the same split and
prints, after every epoch, its validation balanced accuracy and the training time so
far, and the time at which it first matched the toy CNN's final score; at the end, both
models' balanced accuracy on the test split. It uses the GPU (mixed precision, and XLA for
the toy CNN; the random augmentation layers do not compile) when TensorFlow sees one, as
the notebook does. Beside each epoch it prints the speed of the fixed reference workloads
(rounds.py), measured after the epoch, so that a change of the machine's speed level
shows.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from k49tut.notebook import device_summary, quiet_tensorflow  # noqa: E402

tf = quiet_tensorflow()
import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402
from sklearn.metrics import balanced_accuracy_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from k49tut import data  # noqa: E402

try:
    from benchmarks.rounds import reference_gbps, reference_gflops
except ImportError:  # run as a script from benchmarks/
    from rounds import reference_gbps, reference_gflops


def block(x, channels, stride):
    shortcut = x
    y = layers.Conv2D(channels, 3, strides=stride, padding="same", use_bias=False)(x)
    y = layers.ReLU()(layers.BatchNormalization(momentum=0.9)(y))
    y = layers.BatchNormalization(momentum=0.9)(
        layers.Conv2D(channels, 3, padding="same", use_bias=False)(y)
    )
    if stride != 1 or shortcut.shape[-1] != channels:
        shortcut = layers.BatchNormalization(momentum=0.9)(
            layers.Conv2D(channels, 1, strides=stride, use_bias=False)(shortcut)
        )
    return layers.ReLU()(layers.Add()([y, shortcut]))


def recipe(width: int) -> keras.Model:
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Rescaling(1 / 255)(inputs)
    x = layers.RandomTranslation(0.1, 0.1, fill_mode="constant")(x)
    x = layers.RandomRotation(0.04, fill_mode="constant")(x)
    x = layers.RandomZoom(0.1, fill_mode="constant")(x)
    x = layers.Conv2D(width, 3, padding="same", use_bias=False)(x)
    x = layers.ReLU()(layers.BatchNormalization(momentum=0.9)(x))
    for channels in (width, 2 * width, 4 * width):
        x = block(x, channels, 2)
    x = layers.Dense(49)(layers.GlobalAveragePooling2D()(x))
    return keras.Model(inputs, layers.Activation("softmax", dtype="float32")(x))


def toy_cnn() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Rescaling(1 / 255),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(49),
            layers.Activation("softmax", dtype="float32"),
        ]
    )


class Scores(keras.callbacks.Callback):
    """Validation balanced accuracy and cumulative training seconds after each epoch."""

    def __init__(self, x_val, y_val):
        super().__init__()
        self.x_val, self.y_val, self.rows, self.trained = x_val, y_val, [], 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.trained += time.perf_counter() - self.start
        pred = self.model.predict(self.x_val, batch_size=1024, verbose=0).argmax(axis=1)
        score = balanced_accuracy_score(self.y_val, pred)
        self.rows.append((epoch + 1, self.trained, score, reference_gflops(), reference_gbps()))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="sample")
    p.add_argument("--data-dir")
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--width", type=int, default=24)
    p.add_argument("--batch-size", type=int, default=128)
    args = p.parse_args()
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        keras.mixed_precision.set_global_policy("mixed_float16")
    ds = data.load(args.dataset, data_dir=args.data_dir)
    x_fit, x_val, y_fit, y_val = train_test_split(
        ds.x_train[..., np.newaxis],
        ds.y_train,
        test_size=0.3,
        stratify=ds.y_train,
        random_state=49,
    )
    y_hot = keras.utils.to_categorical(y_fit, 49)
    steps = int(np.ceil(len(x_fit) / args.batch_size))
    print(
        f"{ds.description}: {len(x_fit):,} training images, {args.epochs} epochs, batch "
        f"{args.batch_size}, width {args.width}; {device_summary()}"
    )
    results, tests = {}, {}
    for name in ("toy CNN", "recipe"):
        keras.utils.set_random_seed(49)
        if name == "toy CNN":
            model, optimizer, smooth = toy_cnn(), keras.optimizers.Adam(1e-3), 0.0
        else:
            schedule = keras.optimizers.schedules.CosineDecay(
                2e-5,
                max(1, args.epochs - 1) * steps,
                alpha=0.01,
                warmup_target=2e-3,
                warmup_steps=steps,
            )
            model = recipe(args.width)
            optimizer, smooth = keras.optimizers.Adam(schedule, use_ema=True), 0.1
        model.compile(
            optimizer=optimizer,
            loss=keras.losses.CategoricalCrossentropy(label_smoothing=smooth),
            steps_per_execution=32,
            jit_compile=bool(gpus) and name == "toy CNN",
        )
        scores = Scores(x_val, y_val)
        model.fit(
            x_fit,
            y_hot,
            epochs=args.epochs,
            batch_size=args.batch_size,
            verbose=0,
            callbacks=[scores],
        )
        results[name] = scores.rows
        test_pred = model.predict(ds.x_test[..., np.newaxis], batch_size=1024, verbose=0)
        tests[name] = balanced_accuracy_score(ds.y_test, test_pred.argmax(axis=1))
        for epoch, seconds, score, ref, mem in scores.rows:
            print(
                f"  {name:<8} epoch {epoch:3d}  {seconds:7.1f} s trained  validation "
                f"balanced accuracy {score:.4f}   (reference {ref:4.0f} GFLOP/s, {mem:4.1f} GB/s)",
                flush=True,
            )
        print(
            f"  {name}: {args.epochs * len(x_fit) / scores.trained:,.0f} training images/s, "
            f"{scores.trained / args.epochs:.1f} s per epoch ({model.count_params():,} parameters)"
        )
    target = results["toy CNN"][-1][2]
    reached = [(e, s) for e, s, v, *_ in results["recipe"] if v >= target]
    if reached:
        epoch, seconds = reached[0]
        print(
            f"The recipe matched the toy CNN's final validation score ({target:.4f}) after epoch "
            f"{epoch}, {seconds:.1f} s of training (the toy CNN trained "
            f"{results['toy CNN'][-1][1]:.1f} s)."
        )
    else:
        print(f"The recipe did not reach the toy CNN's final validation score ({target:.4f}).")
    gain = 100 * (tests["recipe"] - tests["toy CNN"])
    print(
        f"Test balanced accuracy after {args.epochs} epochs: recipe {tests['recipe']:.4f}, "
        f"toy CNN {tests['toy CNN']:.4f} ({gain:+.1f} points; {ds.description})"
    )


if __name__ == "__main__":
    main()
