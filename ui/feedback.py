"""Turning failures into messages in the page, never tracebacks."""

from __future__ import annotations

import contextlib
import logging
from typing import Iterator

import streamlit as st

from resnext.errors import ModelTooLargeError, ResNeXtError

log = logging.getLogger(__name__)


def for_visitor(exc: ResNeXtError) -> str:
    """An error as a visitor reads it: what the server's operator, not the visitor, can do about its side.

    Args:
        exc: The error.

    Returns:
        One sentence; no command-line flags, which a visitor has no way to pass.
    """
    if not exc.remedy:
        return str(exc)
    own = "choose a smaller model, or " if isinstance(exc, ModelTooLargeError) else ""
    return f"{exc.message}; {own}the operator of this app can {exc.remedy}."


@contextlib.contextmanager
def guard(stop: bool = True) -> Iterator[None]:
    """Show a user error as one message; with ``stop``, end the script run there.

    Args:
        stop: End the run after the message (True), or carry on with the rest of the page
            (False: one column failing leaves the others).
    """
    try:
        yield
    except ResNeXtError as exc:
        st.error(for_visitor(exc), icon=":material/error:")
        if stop:
            st.stop()
    except Exception:  # noqa: BLE001 - a bug must not show a traceback either (st.stop is a BaseException)
        log.exception("Unexpected error")
        st.error("Something went wrong on our side; try again, and report it if it persists.", icon=":material/bug_report:")
        if stop:
            st.stop()
