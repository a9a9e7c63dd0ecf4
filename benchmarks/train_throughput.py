"""Training speed of the toy CNN: the seed tutorial's call against Part 2's, and the ceiling.

    python benchmarks/train_throughput.py --dataset standin --data-dir D [--rounds 3] [--arrays]

Three ways (four with ``--arrays``) to train the same network (Part 2's ``toy_cnn``,
taken from the notebook) for one epoch on the same arrays, in this one process:

- ``seed``: the seed tutorial's exact call, ``model.fit(X, y, epochs=1,
  validation_split=0.3)``, with TensorFlow's defaults (batch 32, one step per call);
- ``notebook``: Part 2's call, ``model.fit(batches(x_fit, y_fit, B, seed),
  validation_data=batches(x_val, y_val, 1024))`` after ``compile(steps_per_execution=S)``,
  on the same 70/30 split, with the notebook's own input pipeline ``batches`` (tf.data,
  autotune off, one thread);
- ``arrays`` (with ``--arrays``): the same call given the NumPy arrays (``model.fit(x_fit, y_fit,
  validation_data=(x_val, y_val), batch_size=B, validation_batch_size=1024)``), so that
  Keras builds its own, autotuned pipeline: what Part 2 did before ``batches``;
- ``bare step``: training steps in one ``tf.function`` loop on a batch already in memory
  (no input pipeline, no validation, no Keras loop), at batch B: the ceiling.

Each ``seed``, ``notebook`` and ``arrays`` call trains a fresh model for two epochs; its
speed is that of the second, steady epoch, validation included, in training images per
second. What the first epoch costs on top (building the input pipeline, tracing the
functions) is printed separately, with the whole-call speed it implies for Part 2's ten
epochs at K49's size. The calls alternate over ``--rounds`` rounds, each call printed
beside the speed of a fixed reference workload (see rounds.py); the summary gives the
median of the per-round ratios notebook/seed, notebook/bare step and arrays/bare step,
with their range. oneDNN stays on
(TensorFlow's default): turning it off makes each step about 1.65x slower on these CPUs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from k49tut.notebook import device_summary, quiet_tensorflow  # noqa: E402

tf = quiet_tensorflow()
import keras  # noqa: E402
import numpy as np  # noqa: E402

from k49tut import data  # noqa: E402

try:
    from benchmarks.epoch_profile import EpochTimes, bare_step, fit_inputs
    from benchmarks.from_notebooks import definitions
    from benchmarks.rounds import alternate, ratio_summary
except ImportError:  # run as a script from benchmarks/
    from epoch_profile import EpochTimes, bare_step, fit_inputs
    from from_notebooks import definitions
    from rounds import alternate, ratio_summary

_part2 = definitions("02_cnn.ipynb", {"toy_cnn", "batches"})
toy_cnn, batches = _part2["toy_cnn"], _part2["batches"]
#: Seconds the first epoch of each call took beyond a steady one, per call.
SET_UP: dict[str, list[float]] = {"seed": [], "notebook": [], "arrays": []}


def steady_speed(name: str, n_train: int, times: EpochTimes, whole: float) -> float:
    """Training images/s of the second epoch; records the first epoch's extra cost."""
    steady = times.seconds[1]
    SET_UP[name].append(whole - 2 * steady)
    return n_train / steady


def seed_call(x, y, n_train) -> float:
    model = toy_cnn()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    times = EpochTimes()
    start = time.perf_counter()
    model.fit(x, y, epochs=2, validation_split=0.3, verbose=0, callbacks=[times])
    return steady_speed("seed", n_train, times, time.perf_counter() - start)


def notebook_call(x, y, n_train, batch_size, steps, feed="batches") -> float:
    """Part 2's call; with ``feed="arrays"`` the same call given the NumPy arrays."""
    model = toy_cnn()
    model.compile(
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps,
    )
    times = EpochTimes()
    start = time.perf_counter()
    data, kwargs = fit_inputs(
        x[:n_train],
        y[:n_train],
        batch_size,
        validation=(x[n_train:], y[n_train:]),
        batches=batches if feed == "batches" else None,
    )
    model.fit(*data, epochs=2, verbose=0, callbacks=[times], **kwargs)
    name = "notebook" if feed == "batches" else "arrays"
    return steady_speed(name, n_train, times, time.perf_counter() - start)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="sample")
    p.add_argument("--data-dir")
    p.add_argument("--rounds", type=int, default=3, help="rounds (each runs every call twice)")
    p.add_argument("--limit", type=int, default=60_000, help="use the first N training images")
    p.add_argument("--batch-size", type=int, default=64, help="the notebook call's batch size")
    p.add_argument("--steps-per-execution", type=int, default=16)
    p.add_argument(
        "--arrays", action="store_true", help="also time Part 2's call given the NumPy arrays"
    )
    args = p.parse_args()
    ds = data.load(args.dataset, data_dir=args.data_dir)
    x, y = ds.x_train[: args.limit, ..., np.newaxis], ds.y_train[: args.limit]
    n_train = len(x) - int(len(x) * 0.3)
    print(
        f"{ds.description}: one epoch = {n_train:,} training + {len(x) - n_train:,} "
        f"validation images; notebook call: batch {args.batch_size}, steps_per_execution "
        f"{args.steps_per_execution}, validation batch 1024; TensorFlow {tf.__version__}, "
        f"Keras {keras.__version__}, {device_summary()}; {args.rounds} rounds",
        flush=True,
    )
    calls = {
        "seed": lambda: seed_call(x, y, n_train),
        "notebook": lambda: notebook_call(
            x, y, n_train, args.batch_size, args.steps_per_execution
        ),
        "bare step": bare_step(
            toy_cnn(),
            keras.losses.SparseCategoricalCrossentropy(),
            x,
            y,
            args.batch_size,
            n_train,
        ),
    }
    if args.arrays:
        calls["arrays"] = lambda: notebook_call(
            x, y, n_train, args.batch_size, args.steps_per_execution, feed="arrays"
        )
    speeds = alternate(calls, args.rounds, log=lambda line: print(line, flush=True))
    for name, s in speeds.items():
        print(f"median {name:<10} {statistics.median(s):8,.0f} images/s")
    print(f"notebook / seed:      {ratio_summary(speeds['notebook'], speeds['seed'])}")
    print(f"notebook / bare step: {ratio_summary(speeds['notebook'], speeds['bare step'])}")
    if args.arrays:
        print(f"arrays / bare step:   {ratio_summary(speeds['arrays'], speeds['bare step'])}")
    # Part 2 at K49's size: 10 epochs of 162,655 images, plus the first epoch's set-up.
    epoch_images, epochs = 162_655, 10
    for name in [n for n in ("seed", "notebook", "arrays") if n in speeds]:
        extra = statistics.median(SET_UP[name])
        speed = statistics.median(speeds[name])
        whole = epochs * epoch_images / (epochs * epoch_images / speed + extra)
        print(
            f"{name}: the first epoch costs {extra:.1f} s more than a steady one (median); "
            f"a whole call of {epochs} epochs x {epoch_images:,} images would run at "
            f"{whole:,.0f} images/s"
        )


if __name__ == "__main__":
    main()
