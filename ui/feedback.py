"""Turning failures into messages in the page, never tracebacks."""

from __future__ import annotations

import contextlib
import logging
from typing import Iterator

import streamlit as st

from resnext.errors import ResNeXtError

log = logging.getLogger(__name__)


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
        st.error(str(exc), icon=":material/error:")
        if stop:
            st.stop()
    except Exception:  # noqa: BLE001 - a bug must not show a traceback either (st.stop is a BaseException)
        log.exception("Unexpected error")
        st.error("Something went wrong on our side; try again, and report it if it persists.", icon=":material/bug_report:")
        if stop:
            st.stop()
