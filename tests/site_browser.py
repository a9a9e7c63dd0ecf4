"""The tutorial's website in a real headless browser (Chromium, driven by Selenium).

Chromium runs with a font configuration that holds only DejaVu (no Japanese font), as on
a reader's machine without one: hiragana can then only come from the font the site serves.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

CHROMIUM = next(
    filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None
)
CHROMEDRIVER = shutil.which("chromedriver")
LATIN_FONTS = Path("/usr/share/fonts/truetype/dejavu")


@contextmanager
def served(folder: Path):
    """``folder`` over HTTP on 127.0.0.1; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def browser(tmp: Path):
    """A headless Chromium that knows no Japanese font."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    tmp.mkdir(parents=True, exist_ok=True)
    conf = tmp / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{LATIN_FONTS}</dir><cachedir>{tmp / 'fontcache'}</cachedir>"
        '<include ignore_missing="yes">/etc/fonts/conf.d</include></fontconfig>'  # aliases
    )
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000",
                 f"--user-data-dir={tmp / 'profile'}"):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER, env=env))
    try:
        yield driver
    finally:
        driver.quit()


def crawl(driver, base: str) -> dict[str, dict]:
    """Every page reachable from the front page by internal links: what each one holds."""
    pages: dict[str, dict] = {}
    todo = [base + "index.html"]
    while todo:
        url = todo.pop()
        if url in pages:
            continue
        driver.get(url)
        driver.execute_script("return document.fonts.ready")
        page = driver.execute_script(
            """return {
              title: document.title,
              text: document.body.innerText,
              ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
              links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
              images: Array.from(document.images).map(
                i => [i.src, i.complete && i.naturalWidth > 0]),
            }"""
        )
        page["console"] = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        pages[url] = page
        for link in page["links"]:
            target = urldefrag(link).url
            if target.startswith(base) and target.endswith(".html") and target not in pages:
                todo.append(target)
    return pages


def broken_links(pages: dict[str, dict], base: str, root: Path) -> list[str]:
    """Internal links whose file is missing, or whose #anchor is on no element."""
    broken = []
    for url, page in pages.items():
        for link in page["links"]:
            if not link.startswith(base):
                continue
            target, anchor = urldefrag(link)
            path = root / urlsplit(target).path.lstrip("/")
            if path.is_dir():
                path = path / "index.html"
            if not path.is_file():
                broken.append(f"{url} -> {link}")
            elif anchor and target in pages and anchor not in pages[target]["ids"]:
                broken.append(f"{url} -> {link} (no such anchor)")
    return broken


def glyph_shots(driver, url: str, chars: str, family: str = "") -> list[bytes]:
    """Screenshots of each of ``chars`` as the page draws it (or in ``family``)."""
    driver.get(url)
    shots = []
    for char in chars:
        element = driver.execute_script(
            """const s = document.createElement('span');
               s.textContent = arguments[0]; s.style.fontSize = '48px';
               if (arguments[1]) s.style.fontFamily = arguments[1];
               document.querySelector('main, body').prepend(s);
               return s;""",
            char,
            family,
        )
        driver.execute_script("return document.fonts.ready")
        shots.append(element.screenshot_as_png)
        driver.execute_script("arguments[0].remove()", element)
    return shots


def font_loaded(driver) -> bool:
    return driver.execute_script(
        """return Array.from(document.fonts).some(
             f => f.family.replace(/"/g, '') === 'K49tut Sans JP' && f.status === 'loaded')"""
    )


def search_hits(driver, base: str, word: str) -> int:
    """How many pages the site's search lists for ``word``."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(urljoin(base, f"search.html?q={word}"))
    WebDriverWait(driver, 30).until(
        lambda d: re.search(r"Search finished|found \d+ page|did not match", d.page_source)
    )
    return len(driver.find_elements("css selector", "#search-results li"))
