#!/usr/bin/env python3
"""Build the tutorial as a static website from a `k49tut run` output folder.

    python scripts/build_site.py outputs build/site      # or: make site

The site holds the four executed notebooks with their outputs and figures (rendered by
myst-nb, never re-executed), the README as its front page and every page of docs/, with
navigation and full-text search (Sphinx with the Jupyter Book theme). The bundled font is
served with the pages, so hiragana render on machines without Japanese fonts; a banner on
every page says whether the outputs come from real Kuzushiji-49 or the stand-in.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("01_eda", "02_cnn", "03_recipe", "04_inside")
REPOSITORY = "https://github.com/k49tut/k49tut"
#: What each notebook's banner says (k49tut.notebook.banner_html), and what the site says.
BANNERS = {
    "<b>Data: Kuzushiji-49</b>": "real Kuzushiji-49",
    "<b>Data: the synthetic stand-in": "the synthetic stand-in, not Kuzushiji-49",
}


TOC = """

```{{toctree}}
:hidden:
:caption: The tutorial

{parts}
```

```{{toctree}}
:hidden:
:caption: Documentation

{docs}
```
"""


class SiteError(Exception):
    """Why the site cannot be built, and what to do."""


def data_of(notebook: Path) -> str:
    """Which data an executed notebook ran on, from the banner it displayed."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        for output in cell.get("outputs", []):
            html = "".join(output.get("data", {}).get("text/html", ""))
            for marker, words in BANNERS.items():
                if marker in html:
                    return words
    raise SiteError(f"{notebook} shows no data banner: is it an executed k49tut notebook?")


def announcement(run_dir: Path) -> str:
    """The sentence on every page: the data behind the outputs, per part when they differ."""
    data = {part: data_of(run_dir / f"{part}.ipynb") for part in PARTS}
    if len(set(data.values())) == 1:
        return f"Every output and figure on this site comes from {next(iter(data.values()))}."
    each = "; ".join(f"Part {i} on {words}" for i, words in enumerate(data.values(), 1))
    return f"The outputs on this site come from different data: {each}."


def _link(match: re.Match, page: Path, staged: dict[Path, Path]) -> str:
    """A relative link to a staged page points at it in the site; one that leaves the site
    becomes a link to the repository."""
    text, target = match.group(1), match.group(2)
    if re.match(r"[a-z]+:|#", target):
        return match.group(0)
    path, _, anchor = target.partition("#")
    anchor = "#" + anchor if anchor else ""
    resolved = (ROOT / page.parent / path).resolve()
    if resolved in staged:
        here = staged[(ROOT / page).resolve()].parent
        return f"[{text}]({os.path.relpath(staged[resolved], here)}{anchor})"
    where = resolved.relative_to(ROOT).as_posix()
    kind = "tree" if resolved.is_dir() else "blob"
    return f"[{text}]({REPOSITORY}/{kind}/main/{where}{anchor})"


def favicon(path: Path) -> None:
    """A 64 x 64 icon: く in the bundled font, light on dark like a K49 image."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (64, 64), (20, 20, 20))
    font = ImageFont.truetype(str(ROOT / "fonts" / "K49tutSansJP-Regular.ttf"), 56)
    ImageDraw.Draw(image).text((32, 32), "く", fill=(245, 245, 245), font=font, anchor="mm")
    image.save(path)


def stage(run_dir: Path, source: Path) -> None:
    """Lay out the site's sources in ``source``: pages, notebooks, font, configuration."""
    missing = [p for p in PARTS if not (run_dir / f"{p}.ipynb").is_file()]
    if missing:
        raise SiteError(
            f"{run_dir} lacks the executed notebook{'s' * (len(missing) != 1)} "
            f"{', '.join(missing)}. Run the tutorial "
            f"first (`make demo`, or `k49tut run --output-dir {shlex.quote(str(run_dir))}`), "
            "then build the site."
        )
    if source.exists():
        shutil.rmtree(source)
    (source / "notebooks").mkdir(parents=True)
    (source / "docs").mkdir()
    pages = {Path("README.md"): Path("index.md")} | {
        p.relative_to(ROOT): p.relative_to(ROOT) for p in sorted((ROOT / "docs").glob("*.md"))
    }
    staged = {(ROOT / p).resolve(): target for p, target in pages.items()} | {
        (ROOT / "notebooks" / f"{p}.ipynb").resolve(): Path("notebooks", f"{p}.ipynb")
        for p in PARTS
    }
    for page, target in pages.items():
        text = (ROOT / page).read_text(encoding="utf-8")
        text = re.sub(
            r"\[([^\]]*)\]\(([^)\s]+)\)", functools.partial(_link, page=page, staged=staged), text
        )
        (source / target).write_text(text, encoding="utf-8")
    with open(source / "index.md", "a", encoding="utf-8") as index:  # the navigation
        index.write(TOC.format(parts="\n".join(f"notebooks/{p}" for p in PARTS),
                               docs="\n".join(p.with_suffix("").as_posix() for p in pages
                                              if p.parts[0] == "docs")))  # fmt: skip
    for part in PARTS:
        shutil.copy2(run_dir / f"{part}.ipynb", source / "notebooks" / f"{part}.ipynb")
    static = source / "_static"
    shutil.copytree(ROOT / "site", source, dirs_exist_ok=True)
    shutil.copy2(ROOT / "fonts" / "K49tutSansJP-Regular.ttf", static)
    favicon(static / "favicon.png")
    (source / "announcement.txt").write_text(announcement(run_dir), encoding="utf-8")


def build(run_dir: Path, dest: Path) -> Path:
    """Stage and build the site into ``dest``; returns the front page."""
    source = dest.parent / (dest.name + "-source")
    stage(run_dir, source)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going"]
    command += ["-j", "auto", str(source), str(dest)]  # warnings (a broken link...) fail it
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SiteError(f"sphinx-build failed:\n{done.stderr.strip()}")
    return dest / "index.html"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", type=Path, help="a k49tut run output folder (e.g. outputs)")
    parser.add_argument("dest", type=Path, help="where the site goes (e.g. build/site)")
    args = parser.parse_args()
    try:
        index = build(args.run_dir.resolve(), args.dest.resolve())
    except SiteError as error:
        print(f"build_site: {error}", file=sys.stderr)
        return 1
    print(f"Site built: {index} (open it in a browser, or serve {args.dest} with "
          f"`python -m http.server -d {shlex.quote(str(args.dest))}`)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
