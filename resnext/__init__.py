"""Facebook's SSL, SWSL and IG ResNeXt ImageNet classifiers: catalog, inference, explanations.

The core sits at the top of the package, and everything else stands on it:

- core: ``catalog`` (the model-index), ``weights`` (with ``hub`` and ``integrity``: hashes, quarantine
  and the lock file), ``preprocess``, ``architecture``, ``engine``, ``classifier``, ``cache``,
  ``labels``, ``hardware``, ``cost``, ``compare`` (agreement between answers), ``errors``, and
  ``cli`` (the command line, the one core module that uses every part). The core imports no part;
  explanations are functions of a classifier (:func:`resnext.explain.explain`), and a head of the
  user's classes is anything shaped like :class:`resnext.classifier.LinearHead`;
- :mod:`resnext.explain`: attribution maps, their faithfulness and their pictures;
- :mod:`resnext.bulk`: folders, labelled data sets and Ray;
- :mod:`resnext.published`: what others measured;
- :mod:`resnext.export`: the networks as weight-free ONNX graphs and the catalog as JSON, for the
  browser edition.

Each subpackage's docstring says what it may import; ``tests/test_layout.py`` holds them to it.
Nothing in the library imports Streamlit or ``resnext_app``.

Importing the package is cheap: torch is imported only when a name that needs it is
first used, so metadata-only callers (the comparison page, ``resnext list``) stay light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .catalog import Family, Variant, families, get_variant, list_variants
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
    "build_model": "architecture",
    "Classifier": "classifier",
    "Prediction": "classifier",
    "load_classifier": "classifier",
    "faithfulness": "explain.fidelity",
    "Faithfulness": "explain.fidelity",
    "load_image": "preprocess",
    "Transform": "preprocess",
    "overlay": "explain.visualize",
    "heatmap": "explain.visualize",
    "ensure_weights": "weights",
    "is_cached": "weights",
    "cache_dir": "weights",
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
    from .architecture import build_model
    from .classifier import Classifier, Prediction, load_classifier
    from .explain.fidelity import Faithfulness, faithfulness
    from .preprocess import Transform, load_image
    from .explain.visualize import heatmap, overlay
    from .weights import cache_dir, ensure_weights, is_cached
