"""Timing in rounds that survive a machine whose speed jumps: the benchmarks' shared part.

These CPUs switch between speed levels (about 2x apart) without warning, even inside
one run. A single timing, or a ratio from one round, says little. So every benchmark
here:

- runs the calls it compares in the same process, alternating their order from round
  to round (A B B A, then B A A B, ...), so that a change of level hits all alike;
- times two fixed reference workloads right before each call, in TensorFlow so that they
  use the same threads as training: a float32 matrix product (arithmetic, GFLOP/s) and an
  elementwise pass over a 64 MB array (memory traffic, GB/s); both are printed beside the
  call's speed: when a reference moves, the machine changed level;
- reports, for each ratio, the median of the per-round ratios and their spread (lowest
  and highest), never one round.

>>> summary = ratio_summary([2.0, 3.0, 4.0], [1.0, 1.0, 2.0])
>>> summary.median, summary.low, summary.high
(2.0, 2.0, 3.0)
>>> print(summary)
2.00x (rounds: 2.00 to 3.00, n=3)
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

#: Size of the reference matrix product (n x n by n x n, float32): ~2 GFLOP, ~0.05 s.
REFERENCE_N = 1024
REFERENCE_REPEATS = 8


def reference_gflops() -> float:
    """GFLOP/s of a fixed float32 matrix product in TensorFlow: the machine's speed level now."""
    import tensorflow as tf

    a = tf.random.stateless_normal((REFERENCE_N, REFERENCE_N), seed=(1, 2))
    b = tf.random.stateless_normal((REFERENCE_N, REFERENCE_N), seed=(3, 4))
    float(tf.reduce_sum(tf.matmul(a, b)))  # warm-up
    start = time.perf_counter()
    total = 0.0
    for _ in range(REFERENCE_REPEATS):
        total += float(tf.reduce_sum(tf.matmul(a, b)))
    seconds = time.perf_counter() - start
    return REFERENCE_REPEATS * 2 * REFERENCE_N**3 / seconds / 1e9


#: Elements of the memory reference's array (float32: 64 MB), and its passes.
MEMORY_N = 16 * 1024 * 1024
MEMORY_REPEATS = 4


def reference_gbps() -> float:
    """GB/s of an elementwise pass (read and write) over a 64 MB float32 array in TensorFlow."""
    import tensorflow as tf

    x = tf.random.stateless_uniform((MEMORY_N,), seed=(5, 6))
    float(tf.reduce_sum(x * 1.5 + 0.5))  # warm-up
    start = time.perf_counter()
    for _ in range(MEMORY_REPEATS):
        x = x * 0.5 + 0.25
    float(x[0])  # wait for the last pass
    seconds = time.perf_counter() - start
    return MEMORY_REPEATS * 2 * 4 * MEMORY_N / seconds / 1e9


@dataclass
class RatioSummary:
    """Median and spread of per-round ratios a/b."""

    ratios: list[float]
    median: float = field(init=False)
    low: float = field(init=False)
    high: float = field(init=False)

    def __post_init__(self) -> None:
        self.median = statistics.median(self.ratios)
        self.low, self.high = min(self.ratios), max(self.ratios)

    def __str__(self) -> str:
        return (
            f"{self.median:.2f}x (rounds: {self.low:.2f} to {self.high:.2f}, n={len(self.ratios)})"
        )


def ratio_summary(a: list[float], b: list[float]) -> RatioSummary:
    """Per-round ratios ``a[i] / b[i]``, summarised by their median and range."""
    if len(a) != len(b) or not a:
        raise ValueError("need the same, non-zero number of rounds on both sides")
    return RatioSummary([x / y for x, y in zip(a, b)])


def order(names: list[str], round_index: int) -> list[str]:
    """The calls of one round: forward then backward on even rounds, the reverse on odd ones.

    >>> order(["a", "b"], 0), order(["a", "b"], 1)
    (['a', 'b', 'b', 'a'], ['b', 'a', 'a', 'b'])
    """
    first = names if round_index % 2 == 0 else names[::-1]
    return first + first[::-1]


def alternate(
    calls: dict[str, Callable[[], float]], rounds: int, log: Callable[[str], None] = print
) -> dict[str, list[float]]:
    """Run each call twice a round in alternating order; the mean speed per call and round.

    Each call returns a speed (larger is faster, e.g. images/s). Before each call the
    reference workloads are timed, and both are logged, so a reader sees the machine's
    level beside every figure. Returns ``{name: [speed in round 1, round 2, ...]}``,
    each the mean of that round's two calls. Garbage is collected before each call, so
    that what earlier calls left (models, input pipelines and their threads) is freed
    first and weighs on no later call.
    """
    speeds: dict[str, list[list[float]]] = {name: [] for name in calls}
    for r in range(rounds):
        for name in calls:
            speeds[name].append([])
        for name in order(list(calls), r):
            gc.collect()  # the earlier calls' models and pipelines go before this one starts
            ref, mem = reference_gflops(), reference_gbps()
            speed = calls[name]()
            speeds[name][-1].append(speed)
            log(
                f"  round {r + 1}  {name:<28} {speed:8,.0f} images/s   "
                f"(reference {ref:5.0f} GFLOP/s, {mem:4.1f} GB/s)"
            )
    return {name: [statistics.mean(s) for s in per_round] for name, per_round in speeds.items()}
