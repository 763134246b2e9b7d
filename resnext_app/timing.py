"""Where a script run's time goes, for the caption that tells the user what they waited for.

A page starts the clock (``layout.page`` does); code that decodes, resizes, runs a network or
explains wraps that work in :func:`stage`; :func:`summary` says the whole run so far and its
split, the rest counted as "page" (Streamlit, charts, sending). Cached results cost nothing
and are not counted: the caption describes this answer, not the first one.
"""

from __future__ import annotations

import contextlib
import time
from collections import defaultdict
from typing import Iterator

import streamlit as st

_KEY = "_resnext_clock"
ORDER = ("model load", "decode", "resize", "network")  # then explanations, in the order they ran


def start() -> None:
    """Start timing this script run."""
    st.session_state[_KEY] = (time.perf_counter(), defaultdict(float))


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    """Count the time spent in the block as ``name``."""
    began = time.perf_counter()
    try:
        yield
    finally:
        clock = st.session_state.get(_KEY)
        if clock is not None:
            clock[1][name] += time.perf_counter() - began


def summary(prefix: str, since: str | None = None) -> str:
    """One line: the time since :func:`start` and its split.

    Args:
        prefix: What the time was spent on, e.g. ``"Top-5"``.
        since: What the clock started with, said after the total (e.g. ``"the photo's arrival"``).

    Returns:
        E.g. ``Top-5: 0.31 s on the server from the photo's arrival (decode 69 ms · … · page 40 ms)``.
    """
    clock = st.session_state.get(_KEY)
    if clock is None:
        return ""
    began, stages = clock
    total = time.perf_counter() - began
    names = [*ORDER, *(name for name in stages if name not in ORDER)]
    parts = [f"{name} {1000 * stages[name]:.0f} ms" for name in names if stages.get(name, 0) >= 0.0005]
    parts.append(f"page {1000 * max(total - sum(stages.values()), 0):.0f} ms")
    origin = f" from {since}" if since else ""
    return f"{prefix}: {total:.2f} s on the server{origin} ({' · '.join(parts)})"
