"""The checked exercises: every reference solution passes its check, a typical wrong answer
does not, and every notebook offers its part's exercises as stubs."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from k49tut.exercises import EXERCISES, check

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = {"1": "01_eda", "2": "02_cnn", "3": "03_recipe", "4": "04_inside"}


def _solutions(part: str):
    spec = importlib.util.spec_from_file_location(
        f"part{part}", ROOT / "solutions" / f"part{part}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: A mistake a learner could make, for each exercise.
WRONG = {
    "1.1": lambda labels, n: np.unique(labels, return_counts=True)[1],  # absent classes lost
    "1.2": lambda images, labels, n: np.stack(
        [images[labels == c].sum(axis=0, dtype=np.uint8) / (labels == c).sum() for c in range(n)]
    ),  # sums wrap around in uint8
    "1.3": lambda images: len(images) - len(np.unique(images)),  # unique pixel values
    "2.1": lambda size, kernel, stride, padding: (size - kernel) // stride + 1,  # 'same' ignored
    "2.2": lambda kernel, channels, filters: filters * kernel * kernel * channels,  # no bias
    "2.3": lambda y_true, y_pred: np.mean(y_true == y_pred),  # plain accuracy
    "3.1": lambda labels, k, eps: np.where(np.eye(k)[labels] == 1, 1 - eps, eps / (k - 1)),
    "3.2": lambda step, total, peak: peak * max(0.0, 1 - step / total),  # linear decay
    "3.3": lambda average, new, m: m * new + (1 - m) * average,  # weights swapped
    "4.1": lambda z, t: np.exp(z / t) / np.exp(z / t).sum(axis=1, keepdims=True),  # overflows
    "4.2": lambda proba, labels, bins: abs(  # one bin for everything
        (proba.argmax(1) == labels).mean() - proba.max(1).mean()
    ),
    "4.3": lambda proba, k: np.argsort(proba)[:k],  # the smallest
}


@pytest.mark.parametrize("number", EXERCISES)
def test_reference_solution_passes(number):
    answer = getattr(_solutions(number[0]), EXERCISES[number].function)
    result = check(number, answer)
    assert result.passed, result.message
    assert result.message.startswith(f"{number} {EXERCISES[number].title}: right on all")


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the overflow of 4.1's wrong answer
@pytest.mark.parametrize("number", EXERCISES)
def test_typical_wrong_answer_fails_with_a_hint(number):
    result = check(number, WRONG[number])
    assert not result.passed
    assert "not yet" in result.message
    assert result.message.endswith(EXERCISES[number].hint)
    assert repr(result) == result.message


def test_every_exercise_has_a_wrong_answer_here():
    assert set(WRONG) == set(EXERCISES)


def test_a_stub_is_not_answered_yet():
    def stub(*args):
        raise NotImplementedError

    result = check("2.3", stub)
    assert not result.passed
    assert result.message.startswith("2.3 Balanced accuracy: not answered yet.")


def test_an_error_in_the_answer_is_reported_not_raised():
    result = check("1.1", lambda labels, n: labels / "x")
    assert not result.passed
    assert "raised TypeError" in result.message


def test_the_answer_cannot_change_the_inputs_of_later_cases():
    def vandal(labels, n):
        labels[:] = 0
        return np.bincount(labels, minlength=n)

    assert not check("1.1", vandal).passed  # wrong, and the copy kept the check's own data


def test_an_unknown_number_names_the_exercises():
    with pytest.raises(KeyError, match="1.1, 1.2"):
        check("9.9", print)


@pytest.mark.parametrize("part", NOTEBOOKS)
def test_each_notebook_offers_its_exercises_as_stubs(part):
    nb = json.loads((ROOT / "notebooks" / f"{NOTEBOOKS[part]}.ipynb").read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    mine = [n for n in EXERCISES if n.startswith(part + ".")]
    assert len(mine) >= 3
    for number in mine:
        name = EXERCISES[number].function
        cells = [c for c in code if f'check("{number}", {name})' in c]
        assert len(cells) == 1, number
        assert f"def {name}(" in cells[0] and "raise NotImplementedError" in cells[0]
    others = [n for n in EXERCISES if not n.startswith(part + ".")]
    assert not any(f'check("{n}"' in c for c in code for n in others)
