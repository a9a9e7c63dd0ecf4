"""k49tut.budget: what a budget means, the speed probe and the forecast."""

import os

import numpy as np
import pytest

from k49tut import budget, preflight
from k49tut.errors import ParameterError


@pytest.mark.parametrize(
    "name, gpu, expected",
    [
        ("auto", False, "quick"),
        ("auto", True, "full"),
        ("quick", True, "quick"),
        ("full", False, "full"),
    ],
)
def test_resolve(name, gpu, expected):
    assert budget.resolve(name, gpu=gpu) == expected


def test_unknown_budgets_are_refused_by_the_library_and_before_a_run():
    with pytest.raises(ValueError, match="Unknown budget 'huge'; choose one of auto, quick"):
        budget.resolve("huge", gpu=False)
    with pytest.raises(ParameterError, match="Unknown budget 'huge'; choose one of auto, quick"):
        preflight.check_parameters("sample", epochs=1, seed=1, batch_size=8, budget="huge")


def test_default_budget_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(budget.BUDGET_ENV, raising=False)
    assert budget.default_budget() == "auto"
    monkeypatch.setenv(budget.BUDGET_ENV, "full")
    assert budget.default_budget() == "full"


def test_forecast_adds_up_the_work_and_gives_the_hint_only_for_long_runs():
    work = {"a": (600_000, 2_000.0), "b": (30_000, 1_000.0)}  # 300 s + 30 s
    text = budget.forecast(work, "quick", hint="To make it shorter: fewer epochs.")
    assert text.splitlines() == [
        "Forecast for this machine (budget 'quick'): about 5.5 minutes of training.",
        "  a: 600,000 images at 2,000 images/s: 5.0 minutes",
        "  b: 30,000 images at 1,000 images/s: 30 seconds",
        "To make it shorter: fewer epochs.",
    ]
    short = budget.forecast({"a": (1_000, 100.0)}, hint="never shown")
    assert short == (
        "Forecast for this machine: about 10 seconds of training.\n"
        "  a: 1,000 images at 100 images/s: 10 seconds"
    )
    assert "2.0 hours" in budget.forecast({"a": (7_200_000, 1_000.0)})


def test_training_speed_times_a_real_model_and_trains_only_the_copy_it_is_given():
    from k49tut.notebook import quiet_tensorflow

    quiet_tensorflow()
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    before = model.get_weights()[0].copy()
    x = np.random.default_rng(0).normal(size=(2_048, 4)).astype("float32")
    y = np.arange(2_048) % 3
    speed = budget.training_speed(model, x, y, batch_size=32, min_seconds=0.2)
    assert 100 < speed < 1e8  # images per second, a finite positive number
    assert not np.array_equal(model.get_weights()[0], before)  # the probe trained it


def test_training_speed_feeds_fit_through_the_pipeline_it_is_given():
    from k49tut.notebook import quiet_tensorflow

    tf = quiet_tensorflow()
    import keras

    calls = []

    def batches(x, y, batch_size, seed=None):
        calls.append((len(x), batch_size, seed))
        return tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size)

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(0).normal(size=(2_048, 4)).astype("float32")
    y = np.arange(2_048) % 3
    speed = budget.training_speed(model, x, y, 32, batches, min_seconds=0.2)
    assert 100 < speed < 1e8
    # The tracing call on 4 batches, then 32 batches or more, the last size twice.
    assert calls[0] == (128, 32, 0)
    assert calls[1][0] == 1_024 and all(c[1:] == (32, 0) for c in calls)
    assert calls[-1] == calls[-2] and len(calls) >= 4


def test_quiet_tensorflow_drops_kerass_shuffle_warning_for_a_pipeline_and_no_other():
    import warnings

    from k49tut.notebook import quiet_tensorflow

    tf = quiet_tensorflow()
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    x = np.zeros((8, 4), "float32")
    y = np.zeros(8, "int64")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        quiet_tensorflow()  # its filter goes on top of "always"
        model.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(4), epochs=1, verbose=0)
        warnings.warn("another warning", UserWarning, stacklevel=1)
    messages = [str(w.message) for w in caught]  # (other libraries may add their own)
    assert not [m for m in messages if "shuffle" in m] and "another warning" in messages


@pytest.mark.parametrize("cores, said", [(1, "CPU (1 core)"), (2, "CPU (2 cores)"), (None, "CPU")])
def test_the_device_summary_counts_cores_in_words(monkeypatch, cores, said):
    import tensorflow as tf

    from k49tut.notebook import device_summary

    if tf.config.list_physical_devices("GPU"):
        pytest.skip("with a GPU the summary names the GPU")
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert device_summary() == said
