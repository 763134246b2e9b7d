"""The catalog as JSON: every variant's figures and preprocessing, from the model-index, for other front ends;
with what a front end needs beside them: ImageNet's class names and synset ids (which name a labelled
folder's classes), the heatmap's colours, the image limits, the attribution methods (``resnext.explain``) and what
others measured (``resnext.published``)."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..bulk.evaluate import imagenet_synsets
from ..bulk.inputs import IMAGE_SUFFIXES, MAX_IMAGES, MAX_UNPACKED, MAX_UPLOAD_MB
from ..catalog.cost import multiply_adds
from ..catalog.index import families, list_variants
from ..catalog.labels import imagenet_labels
from ..catalog.variant import Variant
from ..explain.methods import METHODS
from ..inference.image import DEFAULT_MAX_PIXELS, MAX_ASPECT
from ..inference.preprocess import Transform
from ..weights.hub import HUB_FILE, hub_repo
from ..published import references

__all__ = ["BROWSER_LIMIT_BYTES", "COLORMAP", "catalog_json", "published_json"]

COLORMAP = "jet"  # the library's default heatmap colours (``resnext.heatmap``)

# An ArrayBuffer stops near 2 GiB, and WebAssembly memory at 4 GiB must hold the runtime's own copy
# of the weights beside its work: past 1.5 GB a weights file does not fit in a browser tab.
BROWSER_LIMIT_BYTES = 1_500_000_000


def catalog_json(variants: Sequence[Variant] | None = None) -> dict[str, Any]:
    """Every variant as the model-index describes it, with what a front end needs to run it.

    Args:
        variants: The variants (default: the whole catalog).

    Returns:
        ``{"variants", "families", "labels", "synsets", "colormap", "limits", "methods", "published"}``. Per
        variant: its id, family, architecture (and its depth, cardinality and width per group),
        accuracy, FLOPs (the index's figure) and multiply-adds (counted from the
        network), parameters, file size (whether it is exact, and as people read it), licence,
        training data, the Hub repo and file of its weights, its preprocessing, and ``browser``
        (None, or why a browser cannot hold it). Then each family's title, the ImageNet class names
        in class-index order and their synset ids, the heatmap's colormap as 256 RGB entries
        (Matplotlib's own table, so exact), the image limits the library applies (pixels, aspect
        ratio), what a batch of many files may hold (images, bytes its zips unpack to, MB per file, the
        suffixes a folder is searched for: ``resnext.bulk.inputs``), the attribution methods ``explain``
        takes (name, label, what each shows, whether it takes a ``layer``), in the library's order, and
        ``published_json``.
    """
    rows = []
    for v in variants if variants is not None else list_variants():
        t = Transform.for_variant(v)
        repo = hub_repo(v)
        too_large = v.file_size is not None and v.file_size >= BROWSER_LIMIT_BYTES
        rows.append({
            "id": v.id, "family": v.family, "architecture": v.architecture, "depth": v.depth,
            "cardinality": v.cardinality, "width_per_group": v.width_per_group, "timm_name": v.timm_name,
            "top1": v.top1, "top5": v.top5, "flops": v.flops, "macs": multiply_adds(v), "parameters": v.parameters,
            "file_size": v.file_size, "file_size_exact": v.file_size_exact, "size_label": v.size_label, "license": v.license,
            "non_commercial": v.non_commercial, "training": v.training_path, "num_classes": v.num_classes,
            "hub": {"repo": repo, "file": HUB_FILE} if repo else None,
            "preprocessing": {"image_size": t.image_size, "resize_to": t.resize_to, "interpolation": t.interpolation,
                              "mean": list(t.mean), "std": list(t.std)},
            "browser": (f"its weights file ({v.size_label}) is more than a browser tab can hold twice (the file and "
                        "the runtime's copy)" if too_large else None if repo else
                        "timm keeps no copy of its weights on the Hub"),
        })
    return {"variants": rows, "families": {name: f.title for name, f in families().items()}, "labels": list(imagenet_labels()),
            "synsets": list(imagenet_synsets()), "colormap": _colormap(COLORMAP),
            "limits": {"max_pixels": DEFAULT_MAX_PIXELS, "max_aspect": MAX_ASPECT, "max_images": MAX_IMAGES,
                       "max_unpacked": MAX_UNPACKED, "max_upload_mb": MAX_UPLOAD_MB,
                       "image_suffixes": sorted(IMAGE_SUFFIXES)},
            "methods": [vars(m) for m in METHODS.values()], "published": published_json()}


def published_json() -> dict[str, Any]:
    """What the extra training data buys, as others measured it (:mod:`resnext.published`).

    Returns:
        ``{"datasets", "measurements", "claims", "gap_points"}``: the evaluation sets in the order to
        show them (key, title, short name, what each tests, its control set); timm's accuracy of each
        variant on each set (model, family, architecture, data set, top-1, top-5, in percent); and each
        variant's published ImageNet-1k accuracy beside timm's measurement, with the gap in points,
        whether it is flagged (more than ``gap_points`` away), and what explains it where something does.
    """
    return {
        "datasets": [vars(d) for d in references.datasets()],
        "measurements": [vars(m) for m in references.measurements()],
        "claims": [{**vars(c), "gap": c.gap, "flagged": c.flagged} for c in references.claims()],
        "gap_points": references.GAP_POINTS,
    }


def _colormap(name: str) -> dict[str, Any]:
    from matplotlib import colormaps

    table = colormaps[name](np.linspace(0.0, 1.0, colormaps[name].N))[:, :3]
    return {"name": name, "rgb": (table * 255).round().astype(int).tolist()}
