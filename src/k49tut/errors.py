"""Exceptions raised by k49tut. Every message says what went wrong and what to do."""

from __future__ import annotations


class K49TutError(Exception):
    """Base class of the errors k49tut raises on purpose."""


class DownloadError(K49TutError):
    """A file could not be fetched (bad mirror URL, network failure, HTTP or FTP refusal)."""


class ChecksumError(K49TutError):
    """A file's bytes do not match the expected size or MD5."""


class DataFormatError(K49TutError):
    """A data file is present but damaged or not in the K49 format."""


class StorageError(K49TutError):
    """A directory or file cannot be used: not a directory, unreadable, not writable, disk full."""


class ParameterError(K49TutError, ValueError):
    """An argument that cannot work, such as an unknown dataset or zero epochs."""
