"""Every byte a visitor's upload makes this server hold, counted against one process-wide budget.

Photos, zips, studies, heads and the shared results are each charged to one :class:`ByteGate`
(``RESNEXT_MAX_UPLOAD_GB``, default 1.5 GB, within the memory reserve the model cache leaves).
A charge is released when what holds the bytes is gone: at the end of a Batch run, when a photo
or a head is no longer held by any session (a weak reference's finalizer), or when the shared
store evicts a result. What would take the total over the bound is refused in one sentence,
and nothing that was already held is lost.

May import: ``resnext`` (errors, memory), Streamlit (for the one shared gate); nothing else of the app.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
import threading
import weakref
from collections import OrderedDict
from typing import Any, Callable, Iterator

import numpy as np
import streamlit as st

from resnext import environment
from resnext.errors import ResNeXtError
from resnext.machine.memory import gigabytes_env

__all__ = ["ByteGate", "Claim", "Results", "UPLOAD_GATE_ENV", "footprint", "gate", "gate_limit"]

UPLOAD_GATE_ENV = environment.MAX_UPLOAD_GB.name
DEFAULT_GB = 1.5


class ByteGate:
    """Bytes held for visitors by every session of this server, bounded; safe to share between threads."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0
        self.reclaim: Callable[[int], None] | None = None  # frees bytes a cache holds (Results.evict)
        self._lock = threading.Lock()

    def take(self, n: int, what: str = "your upload", reclaim: bool = True) -> None:
        """Count ``n`` more bytes, or refuse; cached results make room first (:attr:`reclaim`).

        Raises:
            ResNeXtError: The total would pass the limit; the sentence names ``what`` was refused.
        """
        for attempt in range(2):
            with self._lock:
                if self.held + n <= self.limit:
                    self.held += n
                    return
                short, held = self.held + n - self.limit, self.held
            if attempt or not reclaim or self.reclaim is None:
                break
            self.reclaim(short)  # outside the lock: the cache gives its bytes back through release()
        raise ResNeXtError(
            f"This server is holding {held / 1e9:.2f} GB for its visitors and its limit is "
            f"{self.limit / 1e9:.2f} GB, so it cannot take {what} ({n / 1e6:.1f} MB) now; wait a minute "
            "and try again, or send something smaller.")

    def release(self, n: int) -> None:
        """Give back bytes :meth:`take` counted."""
        with self._lock:
            self.held -= n

    def claim(self) -> "Claim":
        """A claim that collects reservations and gives them back at the end of a ``with`` block,
        unless :meth:`Claim.keep` ties them to an object first."""
        return Claim(self)

    @contextlib.contextmanager
    def holding(self) -> Iterator[Callable[[int], None]]:
        """A ``reserve(n)`` for one batch; everything it reserved is released when the block ends.

        Raises:
            ResNeXtError: From ``reserve``, when the server holds too much already.
        """
        with self.claim() as claim:
            yield claim.reserve

    def keep(self, owner: object, n: int, what: str = "your upload") -> None:
        """Count ``n`` bytes for as long as ``owner`` lives (released when it is garbage).

        Raises:
            ResNeXtError: The total would pass the limit.
        """
        self.take(n, what)
        weakref.finalize(owner, self.release, n)


class Claim:
    """Reservations made bit by bit (a zip's members), released together or handed to an owner."""

    def __init__(self, gate: ByteGate) -> None:
        self.gate = gate
        self.bytes = 0

    def reserve(self, n: int) -> None:
        """Count ``n`` more bytes under this claim (raises :class:`ResNeXtError` to refuse)."""
        self.gate.take(n)
        self.bytes += n

    def keep(self, owner: object) -> None:
        """From now on the claim's bytes are released when ``owner`` is garbage, not at the block's end."""
        weakref.finalize(owner, self.gate.release, self.bytes)
        self.bytes = 0

    def __enter__(self) -> "Claim":
        return self

    def __exit__(self, *exc: object) -> None:
        self.gate.release(self.bytes)
        self.bytes = 0


def gate_limit() -> int:
    """The bound of the gate: ``RESNEXT_MAX_UPLOAD_GB`` gigabytes, default 1.5.

    Raises:
        ResNeXtError: The variable is set but is not a positive number.
    """
    chosen = gigabytes_env(UPLOAD_GATE_ENV, f"the memory visitors' uploads may take together (e.g. {DEFAULT_GB}) "
                                            "or unset it")
    return chosen if chosen is not None else int(DEFAULT_GB * 1e9)


@st.cache_resource(show_spinner=False)
def gate() -> ByteGate:
    """The process-wide gate, shared by every session."""
    return ByteGate(gate_limit())


def footprint(value: Any, _seen: set[int] | None = None) -> int:
    """The bytes a value holds, counted through arrays, tensors, images, bytes, strings, containers and
    dataclasses (each object once)."""
    seen = set() if _seen is None else _seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, (bytes, bytearray, memoryview, str)):
        return len(value)
    if hasattr(value, "element_size") and hasattr(value, "numel"):  # a torch tensor, without importing torch
        return value.element_size() * value.numel()
    if hasattr(value, "getbands") and hasattr(value, "size"):  # a PIL image
        return len(value.getbands()) * value.size[0] * value.size[1]
    if isinstance(value, dict):
        return sum(footprint(k, seen) + footprint(v, seen) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return sum(footprint(v, seen) for v in value) + sys.getsizeof(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(footprint(getattr(value, f.name), seen) for f in dataclasses.fields(value))
    return sys.getsizeof(value)


class Results:
    """Results kept for every session, least recently used out, bounded in bytes and charged to a gate.

    A result larger than the bound, or one the gate cannot take even after the older results
    are evicted, is returned by :meth:`put` but not kept.
    """

    def __init__(self, max_bytes: int, gate: ByteGate) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._gate = gate
        self._items: OrderedDict[tuple, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Any:
        """The result under ``key`` (now the most recently used), or None."""
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: tuple, value: Any) -> bool:
        """Keep ``value`` under ``key`` if it fits; tell whether it was kept."""
        n = footprint(value)
        with self._lock:
            self._drop(key)
            if n > self.max_bytes:
                return False
            while self._items and self.bytes + n > self.max_bytes:
                self._drop(next(iter(self._items)))
            while True:
                try:
                    self._gate.take(n, "a result", reclaim=False)  # a result never pushes out an upload
                    break
                except ResNeXtError:
                    if not self._items:
                        return False
                    self._drop(next(iter(self._items)))
            self._items[key] = (value, n)
            self.bytes += n
            return True

    def evict(self, n: int) -> None:
        """Drop least recently used results until ``n`` bytes are freed, or none is left."""
        with self._lock:
            freed = 0
            while self._items and freed < n:
                freed += self._items[next(iter(self._items))][1]
                self._drop(next(iter(self._items)))

    def __len__(self) -> int:
        return len(self._items)

    def _drop(self, key: tuple) -> None:
        found = self._items.pop(key, None)
        if found is not None:
            self.bytes -= found[1]
            self._gate.release(found[1])
