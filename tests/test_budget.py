"""k49tut.budget: what a budget means, the speed probe and the forecast."""

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
    with pytest.raises(ValueError, match="'auto', 'quick', 'full', not 'huge'"):
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
