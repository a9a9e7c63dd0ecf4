"""Checks for the tutorial's exercises: right, or not yet and a hint that keeps the answer back.

Each checked exercise asks for a small function. :func:`check` calls it on a handful of
inputs whose right answers come from an independent source (NumPy, SciPy, scikit-learn or
Keras itself), and says whether every answer was right. Reference solutions live in
``solutions/`` of the repository, outside the notebooks.

>>> check("2.3", lambda y_true, y_pred: 0.5).passed
False
>>> from sklearn.metrics import balanced_accuracy_score
>>> check("2.3", balanced_accuracy_score)
2.3 Balanced accuracy: right on all 4 inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Result:
    """What :func:`check` found; shown in a notebook as its message."""

    number: str
    passed: bool
    message: str

    def __repr__(self) -> str:
        return self.message


@dataclass(frozen=True)
class _Case:
    what: str  # the input in words, shown when the answer is wrong
    args: tuple
    expected: object


@dataclass(frozen=True)
class _Exercise:
    function: str  # the name the notebook and the reference solution give the answer
    title: str
    cases: Callable[[], Iterator[_Case]]
    hint: str


def _rng() -> np.random.Generator:
    return np.random.default_rng(49)


# Part 1 ------------------------------------------------------------------------------------


def _class_counts() -> Iterator[_Case]:
    from collections import Counter

    for labels, n in (([0, 2, 2, 1, 2], 3), ([3, 3, 0], 5), (_rng().integers(0, 49, 500), 49)):
        labels = np.asarray(labels, dtype=np.uint8)
        count = Counter(labels.tolist())
        yield _Case(f"{len(labels)} labels, {n} classes", (labels, n),
                    np.array([count[c] for c in range(n)]))  # fmt: skip


def _mean_images() -> Iterator[_Case]:
    rng = _rng()
    for n, k in ((6, 2), (300, 5)):
        images = rng.integers(150, 256, (n, 28, 28), dtype=np.uint8)  # sums overflow uint8
        labels = np.arange(n) % k
        means = np.stack([sum(img.astype(float) for img in images[labels == c]) / (n // k)
                          for c in range(k)])  # fmt: skip
        yield _Case(f"{n} uint8 images of {k} classes", (images, labels, k), means)


def _exact_duplicates() -> Iterator[_Case]:
    base = _rng().integers(0, 256, (10, 28, 28), dtype=np.uint8)
    for picks in ([0, 1, 2], [0, 1, 0, 2, 0], [3, 3, 4, 4, 5, 9, 9, 9]):
        different = len({img.tobytes() for img in base[picks]})
        yield _Case(f"{len(picks)} images, {different} different", (base[picks],),
                    len(picks) - different)  # fmt: skip


# Part 2 ------------------------------------------------------------------------------------


def _conv_output_size() -> Iterator[_Case]:
    from keras import layers

    for size, kernel, stride, padding in ((28, 3, 1, "valid"), (28, 3, 1, "same"),
                                          (13, 3, 2, "valid"), (13, 3, 2, "same"),
                                          (28, 5, 3, "valid"), (7, 2, 2, "same")):  # fmt: skip
        conv = layers.Conv2D(1, kernel, strides=stride, padding=padding)
        yield _Case(f"size {size}, kernel {kernel}, stride {stride}, {padding!r}",
                    (size, kernel, stride, padding),
                    conv.compute_output_shape((1, size, size, 1))[1])  # fmt: skip


def _conv_parameters() -> Iterator[_Case]:
    from keras import layers

    for kernel, channels, filters in ((3, 1, 32), (3, 32, 64), (5, 3, 16), (1, 64, 10)):
        conv = layers.Conv2D(filters, kernel)
        conv.build((None, 28, 28, channels))
        yield _Case(f"kernel {kernel}, {channels} input channels, {filters} filters",
                    (kernel, channels, filters), conv.count_params())  # fmt: skip


def _balanced_accuracy() -> Iterator[_Case]:
    from sklearn.metrics import balanced_accuracy_score

    rng = _rng()
    for t, p in (([0, 0, 0, 0, 1], [0, 0, 0, 0, 0]), ([0, 1, 1, 2], [0, 1, 2, 2]),
                 ([2, 2, 2, 0, 1, 1], [2, 0, 2, 0, 1, 2]),
                 (rng.integers(0, 49, 400), rng.integers(0, 49, 400))):  # fmt: skip
        yield _Case(f"{len(t)} labels", (np.asarray(t), np.asarray(p)),
                    balanced_accuracy_score(t, p))  # fmt: skip


# Part 3 ------------------------------------------------------------------------------------


def _smoothed_targets() -> Iterator[_Case]:
    for labels, k, eps in (([0, 2], 3, 0.1), ([1], 2, 0.5), ([4, 0, 4], 49, 0.1)):
        target = np.full((len(labels), k), eps / k)
        target[np.arange(len(labels)), labels] += 1 - eps
        yield _Case(f"labels {labels}, {k} classes, smoothing {eps}",
                    (np.asarray(labels), k, eps), target)  # fmt: skip


def _cosine_learning_rate() -> Iterator[_Case]:
    import keras

    for step, total, peak in ((0, 100, 1e-3), (50, 100, 1e-3), (75, 100, 0.01), (100, 100, 0.01),
                              (130, 100, 0.01), (1, 3, 2.0)):  # fmt: skip
        lr = float(keras.optimizers.schedules.CosineDecay(peak, total)(step))
        yield _Case(f"step {step} of {total}, peak {peak}", (step, total, peak), lr)


def _weight_average() -> Iterator[_Case]:
    rng = _rng()
    for momentum in (0.9, 0.99, 0.5):
        average, new = rng.normal(size=4), rng.normal(size=4)
        expected = average - (1 - momentum) * (average - new)  # Keras's form of the update
        yield _Case(f"momentum {momentum}", (average, new, momentum), expected)


# Part 4 ------------------------------------------------------------------------------------


def _softmax() -> Iterator[_Case]:
    from scipy.special import softmax

    for logits, t in (([[1.0, 2.0, 3.0]], 1.0), ([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], 2.0),
                      ([[1000.0, 999.0, -5.0]], 1.0), ([[4.0, -4.0]], 0.5)):  # fmt: skip
        logits = np.asarray(logits)
        yield _Case(f"logits {logits.tolist()}, temperature {t}", (logits, t),
                    softmax(logits / t, axis=1))  # fmt: skip


def _calibration_error() -> Iterator[_Case]:
    rng = _rng()
    for n, k, bins in ((4, 2, 2), (300, 5, 15), (1000, 49, 10)):
        proba = rng.dirichlet(np.full(k, 0.3), n)
        labels = np.array([rng.choice(k, p=row) for row in proba])  # near calibrated
        conf, right = proba.max(axis=1), proba.argmax(axis=1) == labels
        ece = 0.0
        for b in range(bins):  # equal widths; a confidence of exactly 1 goes in the last
            inside = (conf >= b / bins) & ((conf < (b + 1) / bins) | (b == bins - 1))
            if inside.any():
                ece += inside.mean() * abs(right[inside].mean() - conf[inside].mean())
        yield _Case(f"{n} images, {k} classes, {bins} bins", (proba, labels, bins), ece)


def _top_k() -> Iterator[_Case]:
    rng = _rng()
    for k, n in ((1, 4), (3, 5), (5, 49)):
        proba = rng.permutation(n) + 1.0
        proba /= proba.sum()
        order = sorted(range(n), key=lambda i: -proba[i])[:k]
        yield _Case(f"{n} probabilities, k={k}", (proba, k), np.array(order))


# fmt: off
EXERCISES: dict[str, _Exercise] = {
    "1.1": _Exercise("class_counts", "Images per class", _class_counts,
                     "every class gets a count, also one that never occurs; NumPy has a "
                     "counting function with a `minlength`."),
    "1.2": _Exercise("mean_images", "Mean image per class", _mean_images,
                     "uint8 wraps around above 255: add up in floating point."),
    "1.3": _Exercise("exact_duplicates", "Exact duplicates", _exact_duplicates,
                     "an image equal to an earlier one counts once per repeat; "
                     "`np.unique(..., axis=0)` works on flattened images."),
    "2.1": _Exercise("conv_output_size", "Output size of a convolution", _conv_output_size,
                     "'valid' fits the kernel entirely inside the image; 'same' pads so that "
                     "only the stride shrinks it."),
    "2.2": _Exercise("conv_parameters", "Parameters of a convolution", _conv_parameters,
                     "each filter has one weight per pixel of its kernel in every input "
                     "channel, and one bias."),
    "2.3": _Exercise("balanced_accuracy", "Balanced accuracy", _balanced_accuracy,
                     "recall per class first, then an unweighted mean over the classes that "
                     "occur in `y_true`."),
    "3.1": _Exercise("smoothed_targets", "Smoothed targets", _smoothed_targets,
                     "every class, the true one included, gets an equal share of `smoothing`; "
                     "each row still sums to 1."),
    "3.2": _Exercise("cosine_learning_rate", "Cosine decay", _cosine_learning_rate,
                     "half a cosine wave from `peak` down to 0 over `total_steps`; after the "
                     "last step it stays at 0."),
    "3.3": _Exercise("weight_average", "An average of the weights", _weight_average,
                     "the average keeps the share `momentum` of itself and takes the rest "
                     "from the new weights."),
    "4.1": _Exercise("tempered_softmax", "Softmax with a temperature", _softmax,
                     "divide by the temperature first; `np.exp` of 1000 overflows, and "
                     "softmax does not change if every logit of a row moves by the same "
                     "amount."),
    "4.2": _Exercise("expected_calibration_error", "Expected calibration error",
                     _calibration_error,
                     "bin the images by their top probability (equal widths, 1.0 in the last "
                     "bin); weight each bin's gap between accuracy and mean confidence by its "
                     "share of the images."),
    "4.3": _Exercise("top_k", "Top k", _top_k, "`np.argsort` sorts from the smallest."),
}
# fmt: on


def _same(got, expected) -> bool:
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    expected = np.asarray(expected, dtype=float)
    return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=1e-6, atol=1e-9))


def _shown(got) -> str:
    """A learner's answer in a few words: small ones in full, large ones by shape."""
    if isinstance(got, (float, np.floating)):
        return f"{got:.6g}"
    if isinstance(got, (int, np.number)):
        return str(got)
    if isinstance(got, (np.ndarray, list, tuple)):
        if np.size(got) > 6:
            return f"an answer of shape {np.shape(got)}"
        return str(np.round(np.asarray(got, dtype=float), 6).tolist())
    return f"a {type(got).__name__}"


def check(number: str, answer: Callable) -> Result:
    """Run exercise ``number``'s inputs through ``answer`` and say whether it is right.

    An ``answer`` that still raises :class:`NotImplementedError` is "not answered yet".
    """
    if number not in EXERCISES:
        raise KeyError(f"No checked exercise {number!r}; there are {', '.join(EXERCISES)}.")
    exercise = EXERCISES[number]
    head, hint = f"{number} {exercise.title}", f"Hint: {exercise.hint}"
    cases = list(exercise.cases())
    for case in cases:
        try:
            got = answer(*(a.copy() if isinstance(a, np.ndarray) else a for a in case.args))
        except NotImplementedError:
            return Result(number, False, f"{head}: not answered yet. Write the function, then "
                                         f"run this cell again.\n{hint}")  # fmt: skip
        except Exception as error:  # the learner's code: any error is feedback, not a crash
            said = f"raised {type(error).__name__}: {error}"
        else:
            if _same(got, case.expected):
                continue
            said = f"returned {_shown(got)}, which is not right."
        return Result(
            number, False, f"{head}: not yet. On {case.what}, your function {said}\n{hint}"
        )
    return Result(number, True, f"{head}: right on all {len(cases)} inputs.")
