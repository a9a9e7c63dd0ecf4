#!/usr/bin/env python3
"""Regenerate fonts/K49tutSansJP-Regular.ttf, the font k49tut draws Japanese with.

It is a subset of BIZ UDGothic Regular (Morisawa, SIL Open Font License 1.1), taken
from Debian's fonts-morisawa-bizud-gothic, cut down with fontTools to what the
tutorial prints (ASCII, Latin-1, common punctuation and symbols, CJK punctuation,
hiragana and katakana) and renamed "K49tut Sans JP" so it cannot be mistaken for, or
clash with, a full copy installed on the system (the OFL reserves no font name here,
but a distinct name is still the polite and safe choice).

    sudo apt-get install fonts-morisawa-bizud-gothic
    python scripts/make_font.py            # writes fonts/K49tutSansJP-Regular.ttf
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

SOURCE = Path("/usr/share/fonts/truetype/bizud-gothic/BIZUDGothic-Regular.ttf")
DEBIAN_PACKAGE = "fonts-morisawa-bizud-gothic"
FAMILY = "K49tut Sans JP"
POSTSCRIPT = "K49tutSansJP-Regular"
OUT = Path(__file__).resolve().parent.parent / "fonts" / f"{POSTSCRIPT}.ttf"

RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1: ×, °, ±, ·, accented letters
    (0x2010, 0x2027),  # dashes, quotes, bullet, ellipsis
    (0x2030, 0x203A),  # per mille, primes, angle quotes
    (0x2190, 0x2193),  # arrows
    (0x2212, 0x2212),  # minus sign (matplotlib's negative tick labels)
    (0x2248, 0x2248),
    (0x2260, 0x2265),  # ≈ ≠ ≤ ≥
    (0x25A0, 0x25CF),  # squares and circles
    (0x3000, 0x303F),  # CJK punctuation: 、。「」〜
    (0x3041, 0x309F),  # hiragana, including ゐ ゑ ゝ ゞ
    (0x30A0, 0x30FF),  # katakana
    (0xFF01, 0xFF5E),  # full-width ASCII forms
]


def build(source: Path = SOURCE, out: Path = OUT) -> Path:
    """Subset ``source`` to :data:`RANGES`, rename it to :data:`FAMILY`, write ``out``."""
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = [0x0409]  # keep English names only
    options.notdef_outline = True
    options.hinting = True
    font = TTFont(str(source))
    unicodes = [cp for lo, hi in RANGES for cp in range(lo, hi + 1)]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    names = font["name"]
    original = names.getDebugName(4)
    for record in list(names.names):
        if record.nameID in (1, 16):
            names.setName(
                FAMILY, record.nameID, record.platformID, record.platEncID, record.langID
            )
        elif record.nameID in (2, 17):
            names.setName(
                "Regular", record.nameID, record.platformID, record.platEncID, record.langID
            )
        elif record.nameID == 4:
            names.setName(
                f"{FAMILY} Regular", 4, record.platformID, record.platEncID, record.langID
            )
        elif record.nameID == 6:
            names.setName(POSTSCRIPT, 6, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 3:
            names.setName(
                f"{POSTSCRIPT};subset of {original}",
                3,
                record.platformID,
                record.platEncID,
                record.langID,
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(out))
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--source", type=Path, default=SOURCE)
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args()
    if not args.source.is_file():
        print(
            f"{args.source} not found: install it with `apt-get install {DEBIAN_PACKAGE}`.",
            file=sys.stderr,
        )
        return 1
    out = build(args.source, args.out)
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
