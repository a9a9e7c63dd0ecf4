#!/usr/bin/env python3
"""Regenerate the offline stand-in for Kuzushiji-49 (synthetic, drawn from fonts).

    python scripts/make_sample.py --install-fonts        # Debian/Ubuntu: apt-get the fonts
    python scripts/make_sample.py                       # the shipped sample
    python scripts/make_sample.py --full --data-dir D   # full-size stand-in in D

The shipped sample (``k49tut.data.load("sample")``) has 8,000 training and
1,695 test images (at least 20 of every class); the full-size stand-in
(``load("standin", data_dir=D)``) has K49's 232,365 / 38,547, for timing runs at real
scale. Class counts follow K49's proportions (in the sample's test split, raised to at
least 20 for the rarest classes).
Training images come from TRAIN_FONTS and test images only from TEST_FONTS, so the test
score measures generalisation to unseen hands. Same seed and fonts give identical
arrays. None of it is K49: it only looks like it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from standin import allocate, make_split, write_sample, write_standin  # scripts/standin.py

from k49tut import paths, sample
from k49tut.classes import K49_N_TEST, K49_N_TRAIN, K49_TEST_COUNTS
from k49tut.synth import FontSpec

TT, OT = "/usr/share/fonts/truetype", "/usr/share/fonts/opentype"
TRAIN_FONTS = [
    FontSpec(
        "aoyagi-soseki", f"{TT}/aoyagi-soseki/aoyagi-soseki.ttf", "brush", 0, "fonts-aoyagi-soseki"
    ),
    FontSpec(
        "kouzan-sousyo",
        f"{TT}/kouzan-mouhitsu/KouzanBrushFontSousyo.ttf",
        "brush",
        0,
        "fonts-kouzan-mouhitsu",
    ),
    FontSpec(
        "kouzan-mouhitsu",
        f"{TT}/kouzan-mouhitsu/kouzan-mouhitsu.ttf",
        "brush",
        0,
        "fonts-kouzan-mouhitsu",
    ),
    FontSpec("seto", f"{TT}/seto/setofont.ttf", "handwriting", 0, "fonts-seto"),
    FontSpec("kiloji", f"{TT}/kiloji/kiloji.ttf", "handwriting", 0, "fonts-kiloji"),
    FontSpec(
        "dejima-mincho",
        f"{TT}/dejima-mincho/dejima-mincho-r227.ttf",
        "mincho",
        0,
        "fonts-dejima-mincho",
    ),
    FontSpec(
        "ipaex-mincho", f"{OT}/ipaexfont-mincho/ipaexm.ttf", "mincho", 0, "fonts-ipaexfont-mincho"
    ),
    FontSpec("hanazono-mincho", f"{TT}/hanazono/HanaMinA.ttf", "mincho", 0, "fonts-hanazono"),
    FontSpec(
        "ipaex-gothic", f"{OT}/ipaexfont-gothic/ipaexg.ttf", "gothic", 0, "fonts-ipaexfont-gothic"
    ),
    FontSpec(
        "motoya-maru",
        f"{TT}/motoya-l-maruberi/MTLmr3m.ttf",
        "gothic",
        0,
        "fonts-motoya-l-maruberi",
    ),
    FontSpec(
        "sawarabi-gothic",
        f"{TT}/sawarabi-gothic/sawarabi-gothic-medium.ttf",
        "gothic",
        0,
        "fonts-sawarabi-gothic",
    ),
]
TEST_FONTS = [
    FontSpec(
        "aoyagi-kouzan-t",
        f"{TT}/aoyagi-kouzan-t/AoyagiKouzanT.ttf",
        "brush",
        0,
        "fonts-aoyagi-kouzan-t",
    ),
    FontSpec(
        "kouzan-gyosho",
        f"{TT}/kouzan-mouhitsu/kouzan-mouhitsu-gyosho.ttf",
        "brush",
        0,
        "fonts-kouzan-mouhitsu",
    ),
    FontSpec("klee", f"{TT}/klee/KleeOne-Regular.ttf", "handwriting", 0, "fonts-klee"),
    FontSpec(
        "noto-serif-cjk-jp", f"{OT}/noto/NotoSerifCJK-Regular.ttc", "mincho", 0, "fonts-noto-cjk"
    ),
    FontSpec(
        "sawarabi-mincho",
        f"{TT}/sawarabi-mincho/sawarabi-mincho-medium.ttf",
        "mincho",
        0,
        "fonts-sawarabi-mincho",
    ),
    FontSpec("mplus-1", f"{OT}/mplus/Mplus1-Regular.otf", "gothic", 0, "fonts-mplus"),
]
SEED = 49
SAMPLE_TRAIN, SAMPLE_TEST = 8_000, 1_600
#: Fewest test images of any class in the sample, so per-class scores mean something.
SAMPLE_TEST_MIN = 20


def packages() -> list[str]:
    return sorted({f.package for f in TRAIN_FONTS + TEST_FONTS})


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--packages", action="store_true", help="print the Debian packages needed")
    p.add_argument(
        "--install-fonts",
        action="store_true",
        help="install those packages with apt-get (as root, or through sudo)",
    )
    p.add_argument("--full", action="store_true", help="write the full-size stand-in")
    p.add_argument("--data-dir", help="where --full writes (default: the data directory)")
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes to draw with (the result does not depend on it)",
    )
    p.add_argument("--out", type=Path, default=sample.SAMPLE_PATH)
    args = p.parse_args()
    if args.packages:
        print(" ".join(packages()))
        return 0
    if args.install_fonts:
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", *packages()], check=True)
    missing = [f for f in TRAIN_FONTS + TEST_FONTS if not Path(f.path).is_file()]
    if missing:
        names = " ".join(sorted({f.package for f in missing}))
        print(
            f"Fonts missing: {', '.join(f.path for f in missing)}\n"
            f"Install them with: sudo apt-get install {names}",
            file=sys.stderr,
        )
        return 1
    n_train, n_test = (K49_N_TRAIN, K49_N_TEST) if args.full else (SAMPLE_TRAIN, SAMPLE_TEST)
    train_counts = allocate(n_train, K49_TEST_COUNTS)
    test_counts = (
        K49_TEST_COUNTS
        if args.full
        else np.maximum(allocate(n_test, K49_TEST_COUNTS), SAMPLE_TEST_MIN)
    )
    x_train, y_train = make_split(train_counts, TRAIN_FONTS, args.seed, 0, True, args.workers)
    x_test, y_test = make_split(test_counts, TEST_FONTS, args.seed, 1, True, args.workers)
    meta = {
        "description": "Synthetic stand-in for Kuzushiji-49 drawn from fonts; not K49.",
        "seed": args.seed,
        "train_fonts": [f.name for f in TRAIN_FONTS],
        "test_fonts": [f.name for f in TEST_FONTS],
    }
    if args.full:
        root = paths.data_dir(args.data_dir)
        write_standin(root, x_train, y_train, x_test, y_test, meta)
        print(f"wrote the full-size stand-in to {root}")
    else:
        write_sample(args.out, x_train, y_train, x_test, y_test, meta)
        print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)")
    print(
        f"train {x_train.shape}, test {x_test.shape}; mean intensity "
        f"{x_test.mean():.1f}, ink fraction {(x_test > 0).mean():.3f} (test split)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
