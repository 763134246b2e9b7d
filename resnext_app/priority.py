"""First answers before slow extras, across every session of this server.

A Space's two shared cores are the bottleneck: one visitor's faithfulness score or occlusion map
(seconds of work) would otherwise delay every other visitor's top-5 (a fraction of a second).
Such work is asked for explicitly in the pages, and while it runs it steps aside between its
batches whenever a first answer is pending anywhere, for at most :data:`MAX_WAIT_S` per step so
that it still finishes under steady traffic.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from typing import Iterator

import streamlit as st

from resnext import environment

# The longest one step of slow work waits for others' answers; bounded so that it never starves.
MAX_WAIT_S = 2.0


class AnswersFirst:
    """Counts first answers in flight; slow work waits until there are none."""

    def __init__(self, enabled: bool = True) -> None:
        self._enabled = enabled
        self._pending = 0
        self._changed = threading.Condition()

    @contextlib.contextmanager
    def answering(self) -> Iterator[None]:
        """Mark the block as a first answer someone is waiting for."""
        with self._changed:
            self._pending += 1
        try:
            yield
        finally:
            with self._changed:
                self._pending -= 1
                self._changed.notify_all()

    def step_aside(self, limit: float = MAX_WAIT_S) -> float:
        """Wait while any first answer is pending, at most ``limit`` seconds.

        Args:
            limit: The longest wait.

        Returns:
            The seconds waited.
        """
        start = time.perf_counter()
        if not self._enabled:
            return 0.0
        with self._changed:
            self._changed.wait_for(lambda: self._pending == 0, timeout=limit)
        return time.perf_counter() - start

    @property
    def pending(self) -> int:
        """First answers in flight now."""
        return self._pending


@st.cache_resource(show_spinner=False)
def answers_first() -> AnswersFirst:
    """The process-wide gate, shared by every session.

    ``RESNEXT_ANSWERS_FIRST=0`` turns the stepping aside off; ``python -m benchmarks.load`` uses it
    to measure the app as it was.
    """
    return AnswersFirst(enabled=os.environ.get(environment.ANSWERS_FIRST.name, "1") != "0")
