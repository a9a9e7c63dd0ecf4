"""Where one training epoch's time goes, for Part 2's toy CNN and Part 3's recipe.

    python benchmarks/epoch_profile.py --dataset sample [--rounds 3] [--images 8000]

For each network (taken from the notebooks' cells), the same epoch is timed in several
ways, from a bare training step up to the notebook's whole call:

- ``bare step``: training steps in one ``tf.function`` loop on a float batch already in
  memory: no input pipeline, no metrics, no validation, no Keras loop. The ceiling.
- (toy CNN) ``bare step, with dropout 0.3``: Part 2's second network, for what dropout's
  random masks cost.
- (recipe) ``bare step, no augmentation`` and ``..., no batch norm``: the same with the
  augmentation layers left out, then also batch normalisation (an identity in its place):
  what those two cost inside the step.
- ``fit, 1 step per call``: ``model.fit`` with one step per ``tf.function`` call, loss
  only: Keras's loop, the input pipeline and the per-step round trip to Python. The toy
  CNN is fed through Part 2's own pipeline (``batches``); the recipe, as Part 3 trains
  it, is given the uint8 arrays.
- ``fit, loss only``: the same with the notebook's ``steps_per_execution``.
- ``fit, + accuracy``: with the accuracy metric.
- ``fit, + validation`` (the notebook's call): with the validation split scored after the
  epoch, as the notebooks do (validation time is counted; images/s counts training images).
- (toy CNN) ``fit, + validation, NumPy arrays``: Part 2's call given the arrays instead
  of ``batches``, so that Keras builds its own, autotuned pipeline.
- (toy CNN) ``fit, + validation, XLA``: the same call compiled with XLA (``jit_compile``),
  which the notebooks use only on a GPU.

Every timing is one steady epoch of ``--images`` training images (the first call of each
variant traces its functions and is not timed; its set-up seconds are printed). The
variants alternate over ``--rounds`` rounds (see rounds.py), each printed beside the
reference workloads' speeds; the summary gives each variant's median images/s and its
ratio to the bare step: the median of the per-round ratios, with their range.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import types

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from k49tut.notebook import device_summary, quiet_tensorflow  # noqa: E402

tf = quiet_tensorflow()
import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

from k49tut import data  # noqa: E402

try:
    from benchmarks.from_notebooks import definitions
    from benchmarks.rounds import alternate, ratio_summary
except ImportError:  # run as a script from benchmarks/
    from from_notebooks import definitions
    from rounds import alternate, ratio_summary


class EpochTimes(keras.callbacks.Callback):
    """Wall seconds of each epoch of a ``fit`` call, validation included (Keras validates
    before ``on_epoch_end``)."""

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


def bare_step(model, loss_fn, x, y, batch_size, n_images):
    """A callable timing bare training steps of ``model``; returns images/s."""
    optimizer = keras.optimizers.Adam()
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

    def run() -> float:
        start = time.perf_counter()
        steps(tf.constant(n_steps))
        float(model.trainable_variables[0].numpy().ravel()[0])  # wait for the last step
        return n_steps * batch_size / (time.perf_counter() - start)

    return run


def fit_inputs(x, y, batch_size, validation=None, batches=None) -> tuple[tuple, dict]:
    """``fit``'s data arguments, as ``(positional, keyword)``: through ``batches`` (a
    notebook's input pipeline, shuffled with seed 0) when given, as the notebook trains;
    else the arrays, from which Keras builds its own pipeline. Validation goes in batches
    of 1,024 either way."""
    if batches is None:
        kwargs = dict(batch_size=batch_size)
        if validation is not None:
            kwargs.update(validation_data=validation, validation_batch_size=1024)
        return (x, y), kwargs
    kwargs = {} if validation is None else dict(validation_data=batches(*validation, 1024))
    return (batches(x, y, batch_size, 0),), kwargs


def fit_epoch(
    model, compile_args, x, y, batch_size, validation=None, setup_log=None, batches=None
):
    """A callable timing one steady ``fit`` epoch of ``model``; returns training images/s.

    ``batches``: see :func:`fit_inputs`.
    """
    model.compile(**compile_args)
    timer = EpochTimes()
    data, kwargs = fit_inputs(x, y, batch_size, validation, batches)
    kwargs.update(epochs=1, verbose=0, callbacks=[timer])
    start = time.perf_counter()
    model.fit(*data, **kwargs)  # traces the train (and test) functions
    first = time.perf_counter() - start

    def run() -> float:
        model.fit(*data, **kwargs)
        if setup_log is not None and not setup_log:
            setup_log.append(first - timer.seconds[-1])  # the first call less a steady epoch
        return len(x) / timer.seconds[-1]

    return run


def no_batch_norm_layers():
    """``keras.layers`` with BatchNormalization replaced by an identity layer."""
    proxy = types.SimpleNamespace(**{n: getattr(layers, n) for n in dir(layers) if n[0] != "_"})
    proxy.BatchNormalization = lambda **_: layers.Identity()
    return proxy


def toy_variants(x, y, x_val, y_val, batch_size, spe):
    ns = definitions("02_cnn.ipynb", {"toy_cnn", "batches"})
    feed = ns["batches"]  # Part 2's input pipeline
    sparse = keras.losses.SparseCategoricalCrossentropy()
    loss_only = dict(optimizer="adam", loss="sparse_categorical_crossentropy")
    setup: list[float] = []
    calls = {
        "bare step": bare_step(ns["toy_cnn"](), sparse, x, y, batch_size, len(x)),
        "bare step, with dropout 0.3": bare_step(
            ns["toy_cnn"](0.3), sparse, x, y, batch_size, len(x)
        ),
        "fit, 1 step per call": fit_epoch(
            ns["toy_cnn"](),
            {**loss_only, "steps_per_execution": 1},
            x,
            y,
            batch_size,
            batches=feed,
        ),
        "fit, loss only": fit_epoch(
            ns["toy_cnn"](),
            {**loss_only, "steps_per_execution": spe},
            x,
            y,
            batch_size,
            batches=feed,
        ),
        "fit, + accuracy": fit_epoch(
            ns["toy_cnn"](),
            {**loss_only, "steps_per_execution": spe, "metrics": ["accuracy"]},
            x,
            y,
            batch_size,
            batches=feed,
        ),
        "fit, + validation": fit_epoch(
            ns["toy_cnn"](),
            {**loss_only, "steps_per_execution": spe, "metrics": ["accuracy"]},
            x,
            y,
            batch_size,
            validation=(x_val, y_val),
            setup_log=setup,
            batches=feed,
        ),
        "fit, + validation, NumPy arrays": fit_epoch(
            ns["toy_cnn"](),
            {**loss_only, "steps_per_execution": spe, "metrics": ["accuracy"]},
            x,
            y,
            batch_size,
            validation=(x_val, y_val),
        ),
        "fit, + validation, XLA": fit_epoch(
            ns["toy_cnn"](),
            {
                **loss_only,
                "steps_per_execution": spe,
                "metrics": ["accuracy"],
                "jit_compile": True,
            },
            x,
            y,
            batch_size,
            validation=(x_val, y_val),
            batches=feed,
        ),
    }
    return calls, setup


def recipe_variants(x, y, x_val, y_val, batch_size, spe, width, epochs):
    wanted = {"residual_block", "resnet", "augmentation"}
    ns = definitions("03_recipe.ipynb", wanted)
    plain = definitions("03_recipe.ipynb", wanted, layers=no_batch_norm_layers())
    hot, hot_val = keras.utils.to_categorical(y, 49), keras.utils.to_categorical(y_val, 49)
    smooth = keras.losses.CategoricalCrossentropy(label_smoothing=0.1)
    steps = int(np.ceil(len(x) / batch_size))
    compile_args = dict(loss=smooth, steps_per_execution=spe)

    def optimizer():
        schedule = keras.optimizers.schedules.CosineDecay(
            2e-5, max(1, epochs - 1) * steps, alpha=0.01, warmup_target=2e-3, warmup_steps=steps
        )
        return keras.optimizers.Adam(schedule, use_ema=True)

    def recipe():
        return ns["resnet"](width, ns["augmentation"]())

    setup: list[float] = []
    calls = {
        "bare step": bare_step(recipe(), smooth, x, hot, batch_size, len(x)),
        "bare step, no augmentation": bare_step(
            ns["resnet"](width), smooth, x, hot, batch_size, len(x)
        ),
        "bare step, no aug., no BN": bare_step(
            plain["resnet"](width), smooth, x, hot, batch_size, len(x)
        ),
        "fit, 1 step per call": fit_epoch(
            recipe(),
            {**compile_args, "optimizer": optimizer(), "steps_per_execution": 1},
            x,
            hot,
            batch_size,
        ),
        "fit, loss only": fit_epoch(
            recipe(), {**compile_args, "optimizer": optimizer()}, x, hot, batch_size
        ),
        "fit, + accuracy": fit_epoch(
            recipe(),
            {**compile_args, "optimizer": optimizer(), "metrics": ["accuracy"]},
            x,
            hot,
            batch_size,
        ),
        "fit, + validation": fit_epoch(
            recipe(),
            {**compile_args, "optimizer": optimizer(), "metrics": ["accuracy"]},
            x,
            hot,
            batch_size,
            validation=(x_val, hot_val),
            setup_log=setup,
        ),
    }
    return calls, setup


def report(title, calls, setup, rounds, epochs, images):
    """Time ``calls`` in rounds; print each one's speed and share of the bare step."""
    print(f"\n{title}", flush=True)
    speeds = alternate(calls, rounds, log=lambda line: print(line, flush=True))
    bare = speeds["bare step"]
    print(f"{'variant':<32} {'images/s':>9}   share of the bare step (median, range)")
    for name, s in speeds.items():
        print(f"{name:<32} {statistics.median(s):9,.0f}   {ratio_summary(s, bare)}")
    # The notebook's whole call: its epochs at its size, plus the first call's tracing.
    steady = statistics.median(speeds["fit, + validation"])
    whole = epochs * images / (epochs * images / steady + setup[0])
    print(
        f"The first call took {setup[0]:.1f} s longer than a steady epoch (tracing). A whole "
        f"call of {epochs} epochs x {images:,} images, validation included, would run at "
        f"{whole:,.0f} images/s: {whole / statistics.median(bare):.2f} of the bare step."
    )
    return speeds


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="sample")
    p.add_argument("--data-dir")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--images", type=int, default=8000, help="training images per timed epoch")
    p.add_argument("--network", choices=["toy", "recipe", "both"], default="both")
    p.add_argument("--toy-batch-size", type=int, default=64)
    p.add_argument("--toy-steps-per-execution", type=int, default=16)
    p.add_argument("--recipe-batch-size", type=int, default=128)
    p.add_argument("--recipe-steps-per-execution", type=int, default=32)
    p.add_argument("--width", type=int, default=24)
    args = p.parse_args()
    keras.utils.set_random_seed(0)
    ds = data.load(args.dataset, data_dir=args.data_dir)
    x_all, y_all = ds.x_train[..., np.newaxis], ds.y_train
    reps = int(np.ceil(args.images * 10 / 7 / len(x_all)))  # the sample is small: tile it
    x_all, y_all = np.concatenate([x_all] * reps), np.concatenate([y_all] * reps)
    n_val = int(args.images * 3 / 7)
    x, y = x_all[: args.images], y_all[: args.images]
    x_val, y_val = (
        x_all[args.images : args.images + n_val],
        y_all[args.images : args.images + n_val],
    )
    print(
        f"{ds.description}: {len(x):,} training + {len(x_val):,} validation images per epoch; "
        f"TensorFlow {tf.__version__}, Keras {keras.__version__}, {device_summary()}; "
        f"{args.rounds} rounds"
    )
    if args.network in ("toy", "both"):
        calls, setup = toy_variants(
            x, y, x_val, y_val, args.toy_batch_size, args.toy_steps_per_execution
        )
        report(
            f"Part 2's toy CNN, batch {args.toy_batch_size}, steps_per_execution "
            f"{args.toy_steps_per_execution}",
            calls,
            setup,
            args.rounds,
            epochs=10,
            images=162_655,  # Part 2 at K49's size
        )
    if args.network in ("recipe", "both"):
        calls, setup = recipe_variants(
            x,
            y,
            x_val,
            y_val,
            args.recipe_batch_size,
            args.recipe_steps_per_execution,
            args.width,
            epochs=15,
        )
        report(
            f"Part 3's recipe, width {args.width}, batch {args.recipe_batch_size}, "
            f"steps_per_execution {args.recipe_steps_per_execution}",
            calls,
            setup,
            args.rounds,
            epochs=15,
            images=20_000,  # Part 3's ablation at K49's size, budget "quick"
        )


if __name__ == "__main__":
    main()
