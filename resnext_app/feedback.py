"""Turning failures into messages in the page, never tracebacks."""

from __future__ import annotations

import contextlib
import logging
from typing import Iterator, Mapping

import streamlit as st

from resnext.errors import (
    CacheError, DownloadError, ImageError, ModelTooLargeError, ResNeXtError, UnknownVariantError, WeightsError,
)

from .text import escape

log = logging.getLogger(__name__)


def for_visitor(exc: ResNeXtError) -> str:
    """An error as a visitor reads it: what the server's operator, not the visitor, can do about its side.

    Args:
        exc: The error.

    Returns:
        One sentence, escaped for Markdown (it may name a visitor's file); no command-line flags,
        which a visitor has no way to pass.
    """
    if not exc.remedy:
        return escape(exc)
    own = "choose a smaller model, or " if isinstance(exc, ModelTooLargeError) else ""
    return escape(f"{exc.message}; {own}the operator of this app can {exc.remedy}.")


@contextlib.contextmanager
def guard(stop: bool = True) -> Iterator[None]:
    """Show a user error as one message; with ``stop``, end the script run there.

    Args:
        stop: End the run after the message (True), or carry on with the rest of the page
            (False: one column failing leaves the others).
    """
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - a bug must not show a traceback either (st.stop is a BaseException)
        st.error(detail(exc), icon=":material/error:" if isinstance(exc, ResNeXtError) else ":material/bug_report:")
        if stop:
            st.stop()


# Per kind of error: the line in a narrow column, and the reason when every column failed alike.
_SHORT = (
    (ImageError, "This image cannot be classified.", "this image cannot be classified"),
    (ModelTooLargeError, "Too large for this server's memory budget.", "they are too large for this server's memory budget"),
    (DownloadError, "Its weights could not be downloaded.", "their weights could not be downloaded"),
    (CacheError, "Its weights could not be stored on the server.", "their weights could not be stored on the server"),
    (WeightsError, "Its weights could not be loaded.", "their weights could not be loaded"),
    (UnknownVariantError, "This model is not in the catalog.", "they are not in the catalog"),
    (ResNeXtError, "This model could not run.", "each failed"),
    (Exception, "Something went wrong on our side.", "something went wrong on our side"),
)


def short(exc: BaseException) -> str:
    """One short line for an error where space is narrow (a Side-by-side column)."""
    return next(line for kind, line, _ in _SHORT if isinstance(exc, kind))


def detail(exc: BaseException) -> str:
    """The whole message for a visitor; a bug is logged and described without internals."""
    if isinstance(exc, ResNeXtError):
        return for_visitor(exc)
    log.error("Unexpected error", exc_info=exc)
    return "Something went wrong on our side; try again, and report it if it persists."


def report_failures(failures: Mapping[str, tuple], total: int, shared) -> None:
    """Show the columns' failures: one message in ``shared`` when every column failed the same way,
    else one line per failed column with the detail behind an expander.

    Args:
        failures: Variant id → (the column's placeholder, the exception).
        total: How many columns there are.
        shared: The placeholder above the columns.
    """
    details = {vid: detail(exc) for vid, (_, exc) in failures.items()}
    kinds = {type(exc) for _, exc in failures.values()}
    if total > 1 and len(failures) == total and len(kinds) == 1:
        first = next(iter(details.values()))
        same = len(set(details.values())) == 1
        reason = next(why for kind, _, why in _SHORT if isinstance(next(iter(failures.values()))[1], kind))
        with shared.container():
            st.error(first if same else f"None of the {total} models could run: {reason}.", icon=":material/error:")
            if not same:
                with st.expander("Details"):
                    for vid, text in details.items():
                        st.markdown(f"**{vid}**: {text}")
        for slot, _ in failures.values():
            slot.empty()
        return
    for vid, (slot, exc) in failures.items():
        with slot.container():
            st.error(short(exc), icon=":material/error:")
            with st.expander("Details"):
                st.write(details[vid])
