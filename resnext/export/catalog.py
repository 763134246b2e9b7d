"""The catalog as JSON: every variant's figures and preprocessing, from the model-index, for other front ends."""

from __future__ import annotations

from typing import Any, Sequence

from ..catalog import Variant, list_variants
from ..hub import HUB_FILE, hub_repo
from ..preprocess import Transform

__all__ = ["BROWSER_LIMIT_BYTES", "catalog_json"]

# An ArrayBuffer stops near 2 GiB, and WebAssembly memory at 4 GiB must hold the runtime's own copy
# of the weights beside its work: past 1.5 GB a weights file does not fit in a browser tab.
BROWSER_LIMIT_BYTES = 1_500_000_000


def catalog_json(variants: Sequence[Variant] | None = None) -> dict[str, Any]:
    """Every variant as the model-index describes it, with what a front end needs to run it.

    Args:
        variants: The variants (default: the whole catalog).

    Returns:
        ``{"variants": [...]}``: per variant its id, family, architecture, accuracy, FLOPs,
        parameters, file size (and whether that size is exact), licence, training data, the Hub
        repo and file of its weights, its preprocessing, and ``browser`` (None, or why a browser
        cannot hold it).
    """
    rows = []
    for v in variants if variants is not None else list_variants():
        t = Transform.for_variant(v)
        repo = hub_repo(v)
        too_large = v.file_size is not None and v.file_size >= BROWSER_LIMIT_BYTES
        rows.append({
            "id": v.id, "family": v.family, "architecture": v.architecture, "timm_name": v.timm_name,
            "top1": v.top1, "top5": v.top5, "flops": v.flops, "parameters": v.parameters,
            "file_size": v.file_size, "file_size_exact": v.file_size_exact, "license": v.license,
            "non_commercial": v.non_commercial, "training": v.training_path, "num_classes": v.num_classes,
            "hub": {"repo": repo, "file": HUB_FILE} if repo else None,
            "preprocessing": {"image_size": t.image_size, "resize_to": t.resize_to, "interpolation": t.interpolation,
                              "mean": list(t.mean), "std": list(t.std)},
            "browser": (f"its weights file ({v.size_label}) is more than a browser tab can hold twice (the file and "
                        "the runtime's copy)" if too_large else None if repo else
                        "timm keeps no copy of its weights on the Hub"),
        })
    return {"variants": rows}
