"""Many images at once: files, folders and globs, labelled data sets, result files, Ray.

- ``inputs``: which files a command line or a folder names.
- ``predict``: [`predict_files`][resnext.bulk.predict.predict_files], decoding in a worker pool overlapped with batched
  inference.
- ``results``: rows written as CSV or JSON lines as they come.
- ``evaluate``: accuracy on class folders, with intervals and agreement between models.
- ``report``: an evaluation as text, JSON and per-class CSV.
- ``distributed``: the same prediction on Ray Data (``pip install .[ray]``).

May import: ``resnext.catalog`` and ``resnext.inference`` (the classifier, the decoding), and the
base. Knows nothing of explanations, published results or any front end.
"""

from __future__ import annotations

from .inputs import IMAGE_SUFFIXES, expand, images_under
from .predict import OK, Row, classify_prepared, predict_files, prepare_image, probe

__all__ = [
    "IMAGE_SUFFIXES",
    "OK",
    "Row",
    "classify_prepared",
    "expand",
    "images_under",
    "predict_files",
    "prepare_image",
    "probe",
]
