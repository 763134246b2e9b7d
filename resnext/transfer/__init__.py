"""Which backbone for your own classes, and a classifier of your own.

A folder of class folders (any names: the user's classes, not ImageNet's) goes through each
chosen backbone's penultimate layer; the features are compared the standard cheap way:

- ``data``: the labelled folder (or zip members), with one sentence for what cannot be used;
- ``features``: pooled features on the inference engine, cached on disk by content hash;
- ``probe``: a k-fold logistic-regression probe, k-NN, a paired test, the few-shot curve;
- ``logme``: LogME (You et al., ICML 2021), the backbone ranking without training;
- ``explore``: a 2-D map of the features, suspect labels and near-duplicates;
- ``study``: all of it in one call, as the CLI and the page use it;
- ``report``: a comparison as text, JSON and CSV;
- ``head``: the probe saved as a small file and put back on its backbone as a classifier.

May import: ``resnext.catalog``, ``resnext.weights``, ``resnext.inference`` and ``resnext.bulk``
(its file walker, decoding pool and Ray actor), and the base. Knows nothing of explanations,
published results or any front end. scikit-learn does the fitting.
"""

from __future__ import annotations

from .data import LabelledSet, labelled_files, labelled_members
from .head import Head, load_head, save_head
from .probe import Comparison, compare_backbones
from .study import Study, study

__all__ = [
    "Comparison",
    "Head",
    "LabelledSet",
    "Study",
    "compare_backbones",
    "labelled_files",
    "labelled_members",
    "load_head",
    "save_head",
    "study",
]
