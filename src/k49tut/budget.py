"""How much a notebook trains, and how long that takes on this machine.

The training notebooks take a ``budget`` parameter, a named size rather than a time
limit, so that the same setting gives the same results on any machine:

- ``"full"``: the thorough schedule of each part (what a GPU runs in minutes);
- ``"quick"``: sized for a CPU: where a part would otherwise run for hours, it trains
  on a fixed subset or for fewer epochs, and says so in its output and saved metrics;
- ``"auto"`` (the default): ``"full"`` when TensorFlow sees a GPU, ``"quick"`` otherwise.

Before a long training, a notebook measures the speed of its networks here with a
short probe (:func:`training_speed`) and prints what the part will take
(:func:`forecast`), so nobody waits in front of a silent screen.

>>> resolve("auto", gpu=False), resolve("auto", gpu=True), resolve("full", gpu=False)
('quick', 'full', 'full')
>>> print(forecast({"2 networks x 10 epochs": (1_000_000, 5000.0)}, budget="quick"))
Forecast for this machine (budget 'quick'): about 3.3 minutes of training.
  2 networks x 10 epochs: 1,000,000 images at 5,000 images/s: 3.3 minutes
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from typing import Any

#: The named budgets, and the environment variable that sets the default.
BUDGETS = ("auto", "quick", "full")
BUDGET_ENV = "K49TUT_BUDGET"


def unknown(budget: str) -> str:
    """What is said of a budget not in :data:`BUDGETS`, with where it came from."""
    where = f" (from {BUDGET_ENV})" if budget == os.environ.get(BUDGET_ENV) else ""
    return f"Unknown budget {budget!r}{where}; choose one of {', '.join(BUDGETS)}."


def resolve(budget: str, gpu: bool) -> str:
    """``"quick"`` or ``"full"``: what ``budget`` means on a machine with or without a GPU.

    >>> resolve("fast", gpu=False)
    Traceback (most recent call last):
    ...
    ValueError: Unknown budget 'fast'; choose one of auto, quick, full.
    """
    if budget not in BUDGETS:
        raise ValueError(unknown(budget))
    if budget == "auto":
        return "full" if gpu else "quick"
    return budget


def default_budget() -> str:
    """The budget a run or a notebook uses unless told: ``$K49TUT_BUDGET``, else ``"auto"``."""
    return os.environ.get(BUDGET_ENV, "auto")


def training_speed(
    model: Any,
    x: Any,
    y: Any,
    batch_size: int,
    batches: Callable[..., Any] | None = None,
    min_seconds: float = 2.0,
) -> float:
    """Training images per second of a compiled Keras ``model`` here, from a short probe.

    With ``batches`` (a notebook's input pipeline, called as ``batches(x, y, batch_size,
    seed)``), ``fit`` is fed through it, as the notebook trains; without it, the arrays.

    A first short ``fit`` on the first images of ``x`` traces the training function (not
    timed); then ``fit`` on more and more of them until one call lasts ``min_seconds``
    (or uses all of ``x``), so that the fixed cost of a call hardly counts, and once more
    at that size; the speed is that size over the mean of the last two timings. The
    probe trains ``model`` a little: pass a throwaway copy, built and compiled like the
    real one. It takes a few seconds.
    """

    def timed(n: int) -> float:
        start = time.perf_counter()
        if batches is None:
            model.fit(x[:n], y[:n], epochs=1, batch_size=batch_size, verbose=0)
        else:
            model.fit(batches(x[:n], y[:n], batch_size, 0), epochs=1, verbose=0)
        return time.perf_counter() - start

    timed(min(len(x), 4 * batch_size))  # traces the training function
    n = min(len(x), 32 * batch_size)
    while True:
        seconds = timed(n)
        if seconds >= min_seconds or n >= len(x):
            break
        n = min(len(x), n * max(2, math.ceil(1.2 * min_seconds / max(seconds, 1e-3))))
    return 2 * n / (seconds + timed(n))  # the mean of two timings of the final size


def duration(seconds: float) -> str:
    """'1 second', '40 seconds', '3.3 minutes', '1.5 hours'.

    >>> duration(0.7), duration(40.2), duration(200), duration(5400)
    ('1 second', '40 seconds', '3.3 minutes', '1.5 hours')
    """
    if seconds < 90:
        whole = max(1, round(seconds))
        return f"{whole} second{'s' if whole != 1 else ''}"
    if seconds < 90 * 60:
        return f"{seconds / 60:.1f} minutes"
    return f"{seconds / 3600:.1f} hours"


def forecast(
    work: dict[str, tuple[float, float]], budget: str | None = None, hint: str = ""
) -> str:
    """A few lines saying how long the training in ``work`` will take here.

    ``work`` maps what is trained (in words) to ``(images, images per second)``: the
    training images it will go through, each validation image counted as a third of one
    (scoring an image costs about a third of training on it). The forecast counts
    training only. ``hint`` (how to make it shorter) is added when the total is over two
    minutes.

    >>> print(forecast({"a long run": (1e7, 1000.0)}, hint="Shorter: fewer epochs."))
    Forecast for this machine: about 2.8 hours of training.
      a long run: 10,000,000 images at 1,000 images/s: 2.8 hours
    Shorter: fewer epochs.
    """
    total = sum(images / speed for images, speed in work.values())
    setting = f" (budget {budget!r})" if budget else ""
    lines = [f"Forecast for this machine{setting}: about {duration(total)} of training."]
    lines += [
        f"  {what}: {images:,.0f} images at {speed:,.0f} images/s: {duration(images / speed)}"
        for what, (images, speed) in work.items()
    ]
    if hint and total > 120:
        lines.append(hint)
    return "\n".join(lines)
