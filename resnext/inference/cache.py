"""A process-wide cache of loaded classifiers, bounded by a memory budget, least recently used out.

A model is admitted by what loading it costs at its peak ([`resnext.machine.memory.footprint`][]):
least recently used models are released until the ones that stay, plus that peak, fit in the
budget; one whose peak alone exceeds it is refused in one sentence before any work. Loaded
models are counted at what they hold once loaded.
"""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from typing import Callable

from .. import environment
from ..catalog.index import get_variant
from ..catalog.variant import Variant, format_bytes
from ..errors import ModelTooLargeError
from ..machine.memory import LIMIT_ENV, RESERVE_BYTES, footprint, gigabytes_env, memory_limit

__all__ = ["BUDGET_ENV", "ModelCache", "budget_from_env"]

BUDGET_ENV = environment.MAX_MODEL_GB.name


def budget_from_env() -> int:
    """The model memory budget in bytes.

    Returns:
        ``RESNEXT_MAX_MODEL_GB`` if set, else the container's (or machine's) memory limit
        ([`resnext.machine.memory.memory_limit`][]) less [`resnext.machine.memory.RESERVE_BYTES`][].

    Raises:
        ResNeXtError: One of the two variables is set but is not a positive number.
    """
    chosen = gigabytes_env(BUDGET_ENV, "the memory the models may take together (e.g. 8) or unset it")
    return chosen if chosen is not None else max(memory_limit() - RESERVE_BYTES, 0)


class ModelCache:
    """Loaded classifiers keyed by (variant, precision), shared by every thread.

    A request for a model that is not loaded first evicts least recently used models until
    the new one fits, then loads it; concurrent requests for the same model load it once.
    """

    def __init__(self, budget_bytes: int, loader: Callable[..., object] | None = None) -> None:
        """Create an empty cache.

        Args:
            budget_bytes: The most memory the loaded models may take together.
            loader: ``loader(variant_id, progress=..., precision=..., fast=...)`` returning a
                classifier (default: [`resnext.load_classifier`][resnext.inference.classifier.load_classifier]).
        """
        if loader is None:
            from .classifier import load_classifier as loader
        self.budget = budget_bytes
        self._loader = loader
        self._models: OrderedDict[tuple[Variant, str, bool], tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[tuple[Variant, str, bool], threading.Lock] = {}

    def check_fits(self, variant: Variant, precision: str = "fp32") -> None:
        """Raise before any work if a variant can never be loaded within the budget.

        Raises:
            ModelTooLargeError: The peak of loading it exceeds the whole budget.
        """
        need = footprint(variant).peak
        if need > self.budget:
            raise ModelTooLargeError(
                f"{variant.id} needs about {format_bytes(need)} of memory to load, more than this server's model "
                f"budget of {format_bytes(self.budget)}",
                remedy=f"give the server more memory (or set {BUDGET_ENV} or {LIMIT_ENV})",
            )

    def is_loaded(self, variant_id: str, precision: str = "fp32", fast: bool = False) -> bool:
        """Whether a variant is loaded now (a request for it would be instant)."""
        with self._lock:
            return (get_variant(variant_id), precision, fast) in self._models

    def loaded(self) -> list[str]:
        """The ids of the loaded models, least recently used first."""
        with self._lock:
            return [v.id for v, *_ in self._models]

    @property
    def used_bytes(self) -> int:
        """The memory the loaded models hold (measured per variant, else estimated)."""
        with self._lock:
            return sum(size for _, size in self._models.values())

    def get(self, variant_id: str, precision: str = "fp32", progress: Callable | None = None, fast: bool = False):
        """Return a loaded classifier, loading it (and evicting others) if needed.

        Args:
            variant_id: A variant id or alias.
            precision: ``"fp32"`` or ``"bf16"``.
            progress: Passed to the loader for the download, if one is needed.
            fast: Fast mode's front end (see [`resnext.load_classifier`][resnext.inference.classifier.load_classifier]).

        Returns:
            The classifier.

        Raises:
            ModelTooLargeError: The variant can never fit in the budget.
            ResNeXtError: Whatever the loader raises (download, weights, catalog errors).
        """
        variant = get_variant(variant_id)
        key = (variant, precision, fast)
        self.check_fits(variant, precision)
        with self._lock:
            if key in self._models:
                self._models.move_to_end(key)
                return self._models[key][0]
            key_lock = self._loading.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._models:  # another thread loaded it while we waited
                    self._models.move_to_end(key)
                    return self._models[key][0]
                need = footprint(variant)
                self._evict_until(self.budget - need.peak)
            clf = self._loader(variant.id, progress=progress, precision=precision, fast=fast)
            with self._lock:
                self._evict_until(self.budget - need.held)  # others may have loaded meanwhile
                self._models[key] = (clf, need.held)
                self._loading.pop(key, None)
            return clf

    def clear(self) -> None:
        """Release every loaded model."""
        with self._lock:
            self._models.clear()
        gc.collect()

    def _evict_until(self, allowed: int) -> None:
        evicted = False
        while self._models and sum(size for _, size in self._models.values()) > allowed:
            self._models.popitem(last=False)
            evicted = True
        if evicted:
            gc.collect()
