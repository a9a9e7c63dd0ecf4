"""Mirror URLs: checked before anything is touched, and printed without their password.

>>> shown("ftp://k49:s3cret@mirror.example:2121/k49/")
'ftp://k49:***@mirror.example:2121/k49/'
>>> check_mirror("ftp://k49@127.0.0.1:2121/pub").path
'/pub/'
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from urllib.parse import SplitResult, unquote, urlsplit

from k49tut.errors import DownloadError

SCHEMES = ("http", "https", "ftp")

#: Said with every download failure: the tutorial also runs without the network.
OFFLINE = (
    "To work without the network, use the synthetic stand-in that ships with k49tut "
    '(not K49): `k49tut run --dataset sample`, or `k49tut.data.load("sample")`; in a '
    'notebook, set `dataset = "sample"` in its first code cell (or start Jupyter with '
    "K49TUT_DATASET=sample)."
)


def _parsed(url: str) -> SplitResult | None:
    """``url`` split, when it is a URL with a host whose password (if any) is certain."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises for a port that is not a number)
    except ValueError:
        return None
    after = url[url.find(parts.netloc) + len(parts.netloc) :] if parts.netloc else url
    with_port = ":" in parts.netloc.rpartition("]")[2]
    if not parts.hostname or ("@" not in parts.netloc and with_port and "@" in after):
        return None  # host:port/...@...: port, or a password holding an unescaped /?
    return parts


def _secret(url: str) -> tuple[int, int] | None:
    """Where a password stands in ``url``: where urlsplit finds it in a URL that parses
    without doubt, else from the ``:`` after the user's name to the last ``@`` (a URL
    that does not parse may hold a ``/`` or ``@`` in its password: hide too much)."""
    if (parts := _parsed(url)) is not None:
        userinfo, at, _ = parts.netloc.rpartition("@")
        colon, start = userinfo.find(":"), url.find(parts.netloc)
        return (
            (start + colon + 1, start + len(userinfo))
            if at and 0 <= colon < len(userinfo) - 1
            else None
        )
    scheme = re.match(r"[A-Za-z][A-Za-z0-9+.-]*:(?=/)", url)
    start = scheme.end() if scheme else 0
    start = len(url) - len(url[start:].lstrip("/"))
    at = url.rfind("@")
    colon = url.find(":", start, at) if at > start else -1
    return (colon + 1, at) if 0 <= colon < at - 1 else None


def _password(url: str) -> str | None:
    span = _secret(url)
    return url[span[0] : span[1]] if span else None


def shown(url: str) -> str:
    """``url`` with any password replaced by ``***``, fit to print.

    >>> shown("http:/k49:s3c/ret@mirror.example/k49/")
    'http:/k49:***@mirror.example/k49/'
    """
    span = _secret(url)
    return f"{url[: span[0]]}***{url[span[1] :]}" if span else url


def as_option(url: str | None) -> str:
    """`` --mirror URL`` for a command to paste, or ``""`` without a mirror; a URL that
    holds a password is written as the word URL, never printed.

    >>> as_option("http://127.0.0.1:8765/k49/"), as_option("ftp://k49:s3cret@h/")
    (' --mirror http://127.0.0.1:8765/k49/', ' --mirror URL')
    """
    if not url:
        return ""
    return f" --mirror {shlex.quote(url)}" if _secret(url) is None else " --mirror URL"


def _scrub(text: str, secret: str) -> str:
    """``text`` with ``secret`` replaced by ``***`` after a ``:``, and alone where it is
    long enough never to be the inside of another word."""
    text = text.replace(f":{secret}@", ":***@")
    if len(secret) >= 4:
        text = re.sub(rf"(?<![\w]){re.escape(secret)}(?![\w])", "***", text)
    return text


@dataclass(frozen=True)
class Mirror:
    """A checked base URL: scheme, host, port, credentials and folder path."""

    url: str
    scheme: str
    host: str
    port: int | None
    user: str | None
    password: str | None
    path: str

    def scrub(self, text: str) -> str:
        """``text`` with this mirror's password, if any, replaced by ``***``."""
        for secret in {self.password, unquote(self.password or "")} - {None, ""}:
            text = _scrub(text, secret)
        return text


def _refuse(url: str, why: str) -> DownloadError:
    if secret := _password(url):
        why = _scrub(why, secret)
    return DownloadError(
        f"The mirror {shown(url)!r} is not a usable URL: {why}.\n"
        "A mirror is a base URL such as https://example.org/k49/ under which the five files "
        "lie under their official names (http://, https:// or ftp://, optionally with a port "
        "and user:password@). Nothing was changed.\n" + OFFLINE
    )


def check_mirror(url: str) -> Mirror:
    """Parse and check a mirror's base URL; raises :class:`DownloadError` if it cannot work.

    >>> check_mirror("ftp://k49@127.0.0.1:2121/pub/").port
    2121
    """
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise _refuse(url, "it contains a space or a control character")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:  # (from None: the cause shows the password)
        why = str(error)
        if _password(url) and not why.startswith(("Port out of range", "Invalid IPv6 URL")):
            why = "its port is not a number, or a / ? # or @ in its password is not %-escaped"
        raise _refuse(url, f"it cannot be parsed ({why})") from None
    if parts.scheme not in SCHEMES:
        raise _refuse(
            url,
            "it is not an http://, https:// or ftp:// URL (to use files you already have on "
            "disk, copy them into the data directory instead)",
        )
    if not parts.hostname:
        raise _refuse(url, "it names no host")
    if _parsed(url) is None:
        raise _refuse(
            url,
            "an @ after a host and port is ambiguous: write an @ in the path as %40, or a / ? "
            "or # in a password as %2F %3F %23",
        )
    if port == 0:
        raise _refuse(url, "port 0 is not a port one can connect to")
    if parts.query or parts.fragment:
        raise _refuse(url, "a mirror is a folder: it takes no ?query or #fragment")
    if parts.scheme != "ftp":
        from requests.models import PreparedRequest

        try:
            PreparedRequest().prepare_url(url, None)
        except Exception as error:  # requests' InvalidURL and the like
            why = str(error).splitlines()[0]  # it may quote the password escaped: not then
            if _password(url):
                why = (
                    "requests cannot use it (a \\ or another character in it may need %-escaping)"
                )
            raise _refuse(url, why) from None
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return Mirror(url, parts.scheme, parts.hostname, port, parts.username, parts.password, path)
