"""Peak memory and time of Part 1's computations on a dataset (default: the full-size stand-in).

    python benchmarks/eda_memory.py --dataset standin --data-dir D

Prints the memory held by the arrays, the process's peak resident memory after loading
and after all of Part 1's statistics and figures, and the time each step took.
"""

from __future__ import annotations

import argparse
import resource
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from k49tut import data, explore, fonts, plots  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="standin")
    p.add_argument("--data-dir")
    args = p.parse_args()
    fonts.setup()
    start = time.perf_counter()
    base = peak_mb()
    ds = data.load(args.dataset, data_dir=args.data_dir)
    print(
        f"{ds}\narrays: {ds.nbytes / 1e6:.0f} MB; peak RSS before load {base:.0f} MB, "
        f"after load {peak_mb():.0f} MB ({time.perf_counter() - start:.1f} s)"
    )
    means = explore.mean_images(ds.x_train, ds.y_train)
    counts = pd.DataFrame(
        {
            "char": ds.chars,
            "train": np.bincount(ds.y_train, minlength=49),
            "test": np.bincount(ds.y_test, minlength=49),
        }
    )
    steps = {  # the statistics as the notebook computes them, then the library's work
        "pixel statistics": lambda: [
            (x.mean(), (x > 0).mean(), (x > 127).mean()) for x in (ds.x_train, ds.x_test)
        ],
        "edge check": lambda: [(x.any(axis=2), x.any(axis=1)) for x in (ds.x_train, ds.x_test)],
        "class_distribution": lambda: plots.class_distribution(counts, ds.description),
        "examples_grid": lambda: plots.examples_grid(ds, with_printed=True),
        "pixel_histogram": lambda: plots.pixel_histogram(ds),
        "ink_by_class": lambda: plots.ink_by_class(ds, explore.ink_fraction(ds.x_train)),
        "mean_images": lambda: plots.mean_images(ds),
        "nearest_pairs": lambda: plots.nearest_pairs(ds, means=means),
        "embedding": lambda: plots.embedding(ds),
        "data_checks": lambda: explore.data_checks(ds.x_train, ds.y_train, ds.x_test, ds.y_test),
    }
    for name, step in steps.items():
        t = time.perf_counter()
        step()
        plt.close("all")
        print(f"  {name:<20} {time.perf_counter() - t:6.2f} s   peak RSS {peak_mb():6.0f} MB")
    print(
        f"total {time.perf_counter() - start:.1f} s, peak RSS {peak_mb():.0f} MB "
        f"(arrays {ds.nbytes / 1e6:.0f} MB)"
    )


if __name__ == "__main__":
    main()
