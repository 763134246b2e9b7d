"""A process-wide cache of loaded classifiers, bounded by a memory budget, least recently used out."""

from __future__ import annotations

import gc
import os
import threading
from collections import OrderedDict
from typing import Callable

from .catalog import Variant, format_bytes, get_variant
from .errors import ModelTooLargeError

__all__ = ["BUDGET_ENV", "DEFAULT_BUDGET_GB", "ModelCache", "budget_from_env", "model_bytes"]

BUDGET_ENV = "RESNEXT_MAX_MODEL_GB"
# On a 16 GB machine: room for the largest variant (3.3 GB) and a few others, leaving
# the rest for Streamlit, the browser and the operating system.
DEFAULT_BUDGET_GB = 8.0


def budget_from_env() -> int:
    """Return the model memory budget in bytes (``RESNEXT_MAX_MODEL_GB``, default 8)."""
    try:
        gb = float(os.environ.get(BUDGET_ENV, DEFAULT_BUDGET_GB))
    except ValueError:
        gb = DEFAULT_BUDGET_GB
    return int(gb * 1e9)


def model_bytes(variant: Variant, precision: str = "fp32", engine: str | None = None) -> int:
    """Estimate the memory a loaded variant holds, from its checkpoint size.

    Every copy of the weights counts: PyTorch's, and the inference runtime's if it keeps
    its own (see :func:`resnext.engine.memory_factor`).
    """
    from .engine import default_engine, memory_factor

    size = variant.file_size or 4 * (variant.parameters or 0)
    return int(size * memory_factor(engine or default_engine(), precision))


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
                classifier (default: :func:`resnext.load_classifier`).
        """
        if loader is None:
            from .classifier import load_classifier as loader
        self.budget = budget_bytes
        self._loader = loader
        self._models: OrderedDict[tuple[Variant, str, bool], tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[tuple[Variant, str, bool], threading.Lock] = {}

    def check_fits(self, variant: Variant, precision: str = "fp32") -> None:
        """Raise before any work if a variant can never fit in the budget.

        Raises:
            ModelTooLargeError: Its estimated size exceeds the whole budget.
        """
        need = model_bytes(variant, precision)
        if need > self.budget:
            raise ModelTooLargeError(
                f"{variant.id} needs about {format_bytes(need)} of memory, more than this server's model "
                f"budget of {format_bytes(self.budget)}", remedy=f"raise {BUDGET_ENV}",
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
        """The estimated memory of the loaded models."""
        with self._lock:
            return sum(size for _, size in self._models.values())

    def get(self, variant_id: str, precision: str = "fp32", progress: Callable | None = None, fast: bool = False):
        """Return a loaded classifier, loading it (and evicting others) if needed.

        Args:
            variant_id: A variant id or alias.
            precision: ``"fp32"`` or ``"bf16"``.
            progress: Passed to the loader for the download, if one is needed.
            fast: Fast mode's front end (see :func:`resnext.load_classifier`).

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
                size = model_bytes(variant, precision)
                self._evict_until(self.budget - size)
            clf = self._loader(variant.id, progress=progress, precision=precision, fast=fast)
            with self._lock:
                self._evict_until(self.budget - size)  # others may have loaded meanwhile
                self._models[key] = (clf, size)
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
