"""Exceptions raised by k49tut. Every message says what went wrong and what to do."""

from __future__ import annotations


class K49TutError(Exception):
    """Base class of the errors k49tut raises on purpose."""


class DownloadError(K49TutError):
    """A file could not be fetched (network failure, HTTP error, cut transfer)."""


class ChecksumError(K49TutError):
    """A file's bytes do not match the expected MD5."""


class DataFormatError(K49TutError):
    """A data file is present but unreadable or not in the K49 format."""
