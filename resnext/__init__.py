"""Facebook's SSL, SWSL and IG ResNeXt ImageNet classifiers: catalog, inference, explanations.

The core is four parts, each standing on the ones before it:

- [`resnext.catalog`][]: what the variants are (the model-index, class names, networks, costs);
- [`resnext.weights`][]: where their weights come from and how they are proven (the Hub, URLs,
  hashes, quarantine, the lock file, checkpoints);
- [`resnext.machine`][]: what this machine can afford (memory, native precision);
- [`resnext.inference`][]: how an image becomes a tensor and a tensor an answer (the classifier,
  its engine, a cache of loaded ones).

Above the core: [`resnext.explain`][] (attribution maps, their faithfulness and their pictures),
[`resnext.bulk`][] (folders, labelled data sets and Ray), [`resnext.transfer`][] (backbones for
your own classes), [`resnext.stress`][] (corruptions and calibration), [`resnext.published`][]
(what others measured), [`resnext.export`][] (ONNX graphs and the catalog as JSON, for the browser
edition) and [`resnext.cli`][] (the command line, the front end of every part). The modules at the
top (``errors``, ``environment``, ``layout``) are the base every part may use.

Each subpackage's docstring says what it may import; [`resnext.layout`][] holds the table of those
directions and ``tests/test_layout.py`` holds the code to it. Nothing in the library imports
Streamlit or ``resnext_app``.

Importing the package is cheap: torch is imported only when a name that needs it is
first used, so metadata-only callers (the comparison page, ``resnext list``) stay light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .catalog.index import families, get_variant, list_variants
from .catalog.variant import Family, Variant
from .errors import (
    CacheError,
    CatalogError,
    ChecksumError,
    DownloadError,
    ImageError,
    ModelTooLargeError,
    ResNeXtError,
    UnknownVariantError,
    WeightsError,
)

__version__ = "0.1.0"

_LAZY = {
    "build_model": "catalog.architecture",
    "Classifier": "inference.classifier",
    "Prediction": "inference.classifier",
    "load_classifier": "inference.classifier",
    "faithfulness": "explain.fidelity",
    "Faithfulness": "explain.fidelity",
    "load_image": "inference.image",
    "Transform": "inference.preprocess",
    "overlay": "explain.visualize",
    "heatmap": "explain.visualize",
    "ensure_weights": "weights.sources",
    "is_cached": "weights.sources",
    "cache_dir": "weights.sources",
}

__all__ = [
    "CacheError",
    "CatalogError",
    "ChecksumError",
    "DownloadError",
    "Family",
    "ImageError",
    "ModelTooLargeError",
    "ResNeXtError",
    "UnknownVariantError",
    "Variant",
    "WeightsError",
    "families",
    "get_variant",
    "list_variants",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:
    from .catalog.architecture import build_model
    from .explain.fidelity import Faithfulness, faithfulness
    from .explain.visualize import heatmap, overlay
    from .inference.classifier import Classifier, Prediction, load_classifier
    from .inference.image import load_image
    from .inference.preprocess import Transform
    from .weights.sources import cache_dir, ensure_weights, is_cached
