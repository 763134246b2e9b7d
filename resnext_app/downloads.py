"""What the weights of the app's choices weigh, from the catalog: the manual states these sizes through its markers.

``DEFAULT_MODEL_BYTES`` (Classify's first variant), ``SIDE_BY_SIDE_BYTES`` (Side by side's three
defaults) and ``ALL_VARIANTS_BYTES`` (every variant of the catalog) are read at first use, not at
import: the catalog is parsed only when a size is asked for.
"""

from __future__ import annotations

from .pickers import DEFAULT_VARIANT, SIDE_BY_SIDE_DEFAULTS

__all__ = ["ALL_VARIANTS_BYTES", "DEFAULT_MODEL_BYTES", "SIDE_BY_SIDE_BYTES"]


def __getattr__(name: str) -> int:
    """The size ``name`` stands for, in bytes (module attributes computed on access, PEP 562)."""
    import resnext

    if name == "DEFAULT_MODEL_BYTES":
        return resnext.get_variant(DEFAULT_VARIANT).file_size
    if name == "SIDE_BY_SIDE_BYTES":
        return sum(resnext.get_variant(v).file_size for v in SIDE_BY_SIDE_DEFAULTS)
    if name == "ALL_VARIANTS_BYTES":
        return sum(v.file_size for v in resnext.list_variants())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
