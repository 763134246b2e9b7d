"""The errors a user can cause or meet, each carrying one sentence that says what to do.

Front ends (the CLI, the app) show ``str(error)`` as it is and nothing else: the message
is the whole user interface of a failure, so every raise site writes it for a person.
"""

from __future__ import annotations

__all__ = [
    "ResNeXtError",
    "UnknownVariantError",
    "CatalogError",
    "ImageError",
    "DownloadError",
    "ChecksumError",
    "CacheError",
    "WeightsError",
    "ModelTooLargeError",
]


class ResNeXtError(Exception):
    """Base of every error this package raises on purpose; its text is for the user.

    An error about the server's side (network, cache, weights files) may carry a ``remedy``:
    what whoever runs the program can do. ``str(error)`` is the whole sentence, ``"<message>;
    <remedy>."``; a front end whose reader is not the operator (an app visitor) or that has more
    options of its own (the CLI's ``--weights``) phrases ``message`` and ``remedy`` itself.
    """

    def __init__(self, message: str, remedy: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.remedy = remedy

    def __str__(self) -> str:
        return f"{self.message}; {self.remedy}." if self.remedy else self.message


class UnknownVariantError(ResNeXtError, KeyError):
    """A variant id or alias that the catalog does not know."""

    __str__ = ResNeXtError.__str__  # KeyError's would quote the message


class CatalogError(ResNeXtError):
    """A model-index file that cannot be read or that contradicts itself."""


class ImageError(ResNeXtError):
    """An input that is not an image this package can classify."""


class DownloadError(ResNeXtError):
    """The weights could not be fetched (no network, HTTP error, timeout, cut-off body)."""


class ChecksumError(DownloadError):
    """Downloaded or cached bytes whose SHA-256 does not match the file name's prefix."""


class CacheError(ResNeXtError):
    """The cache folder cannot be written (read-only, full, not a folder)."""


class WeightsError(ResNeXtError):
    """A checkpoint that cannot be loaded into the network (unsafe, corrupt, wrong keys)."""


class ModelTooLargeError(ResNeXtError):
    """A variant whose weights do not fit in the memory budget."""
