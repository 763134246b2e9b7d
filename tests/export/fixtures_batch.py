"""The fixture of the browser's Batch page numbers (``web/src/folder/batch.js``), written by the library.

    python -m tests.export.fixtures_batch   # rewrites web/test/fixtures/batch.json

A bulk run's network outputs (each file's float32 logits and pooled features, as ``many.js`` gets them
from the worker, and two files that could not be read) go through the library's own row assembly
(:func:`resnext.bulk.predict.classify_prepared`, on stand-in classifiers whose network is the identity on
those outputs: an ImageNet column, softmax of the logits, and a head of the visitor's classes,
:meth:`resnext.transfer.head.Head.linear` on the pooled features); then the Python page's tables
(``resnext_app.bulk.results_frame`` and ``scores_frame``), the CSV ``resnext predict --out`` writes, each
image's class from its folder (``resnext_app.bulk.truth``) and the scores. The confusion, which the library
does not report, is counted here from the rows. ``test_fixtures_batch.py`` fails when the file is stale.
"""

from __future__ import annotations

import base64
import json
import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch

from resnext.bulk.evaluate import score_rows
from resnext.bulk.predict import classify_prepared
from resnext.bulk.results import rows_csv
from resnext.catalog.labels import imagenet_labels
from resnext.inference.classifier import Classifier
from resnext.transfer.head import Head

from tests.export.fixtures import FOLDER

NAME = "batch.json"
MODEL = "swsl_resnext50_32x4d"
HEAD_ID = f"{MODEL}+0123456789ab"  # as the Python app names a head: its backbone and a hash
FEATURES = 2048
IMAGES = 14
BROKEN = {3: "photos/1/broken.jpg", 9: "photos/0/cut.png"}
UNREADABLE = {3: "photos/1/broken.jpg is not an image that can be read; use a JPEG file.",
              9: "photos/0/cut.png is damaged or truncated and cannot be decoded; try another copy of the image."}
# Class folders by index and name, which mean classes of ImageNet and of the head alike.
FOLDERS = ("1", "0", "Great_white_shark")
HEAD_CLASSES = ("brick", "moss", "Great white shark")


def b64(array: np.ndarray) -> str:
    """A float32 array's bytes (little-endian, row-major) as base64."""
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f4").tobytes()).decode()


class StandIn:
    """A classifier whose network is the identity on its prepared input: ``classify_prepared`` does the rest."""

    top = Classifier.top

    def __init__(self, vid: str, labels, transform: str, logits) -> None:
        self.variant = SimpleNamespace(id=vid, top1=None, top5=None)
        self.labels, self.transform, self._logits = labels, transform, logits

    def probabilities(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self._logits(x), dim=1)


def _finite(value):
    return None if isinstance(value, float) and math.isnan(value) else value


def write(folder: Path = FOLDER) -> None:
    """Write the fixture."""
    from resnext_app.bulk import Batch, results_frame, scores_frame, truth

    rng = np.random.default_rng(342)
    labels = imagenet_labels()
    # Logits as a trained network's: most classes far below a few, some images sure, some torn between two.
    logits = (rng.normal(size=(IMAGES, 1000)) * 2).astype(np.float32)
    for i in range(IMAGES):
        logits[i, [1, 0, 2, 409][i % 4]] += [4, 9, 14][i % 3]
    pooled = np.abs(rng.normal(size=(IMAGES, FEATURES))).astype(np.float32)
    head = Head(HEAD_CLASSES, MODEL, (rng.normal(size=(3, FEATURES)) * 0.05).astype(np.float32),
                rng.normal(size=3).astype(np.float32), (0.8 + 0.2 * rng.random(FEATURES)).astype(np.float32),
                (0.5 + rng.random(FEATURES)).astype(np.float32), {"fast": False, "precision": "fp32"})
    linear = head.linear()
    imagenet = StandIn(MODEL, labels, "logits", lambda x: x)
    own = StandIn(HEAD_ID, list(HEAD_CLASSES), "pooled", lambda x: linear(x))
    paths = [BROKEN.get(i, f"photos/{FOLDERS[i % 3]}/{i:02d}.jpg") for i in range(IMAGES)]
    pending = [(p, UNREADABLE[i] if i in UNREADABLE else {"logits": torch.from_numpy(logits[i]),
                                                           "pooled": torch.from_numpy(pooled[i])})
               for i, p in enumerate(paths)]
    with torch.inference_mode():
        rows = list(classify_prepared([imagenet, own], pending, 5))
    ids = [MODEL, HEAD_ID]

    results = results_frame(rows, ids, {}, thumb=lambda data: None).drop(columns="image")
    files = [(p, b"") for i, p in enumerate(paths) if i not in UNREADABLE]
    batch = Batch(files, {p: p.split("/")[1] for p, _ in files}, [])
    scored = {}
    for name, clf, classes in (("imagenet", imagenet, labels), ("head", own, list(HEAD_CLASSES))):
        clf.variant = SimpleNamespace(id=clf.variant.id, **({"top1": 79.25, "top5": 95.07} if name == "imagenet"
                                                            else {"top1": None, "top5": None}))
        known = truth(batch, classes)
        evaluation = score_rows([clf], rows, known)
        matrix = {}
        for row in rows:
            if row.ok:
                key = (known[row.path], row.predictions[clf.variant.id][0].index)
                matrix[key] = matrix.get(key, 0) + 1
        scored[name] = {
            "truth": known,
            "scores": [{k: _finite(v) for k, v in r.items()} for r in scores_frame(evaluation).to_dict("records")],
            "confusion": [[t, p, n] for (t, p), n in sorted(matrix.items())],
        }
    data = {
        "ids": ids, "paths": paths, "unreadable": [{"index": i, "why": w} for i, w in UNREADABLE.items()],
        "logits": b64(logits), "pooled": b64(pooled),
        "head": {"classes": list(HEAD_CLASSES), "backbone": MODEL, "weight": b64(head.weight), "bias": b64(head.bias),
                 "mean": b64(head.mean), "scale": b64(head.scale)},
        "rows": [row.record() for row in rows],
        "csv": rows_csv(rows, ids, 5),
        "results": [{k: _finite(v) for k, v in r.items()} for r in results.to_dict("records")],
        "images": [{"path": p, "folder": p.split("/")[1]} for p, _ in files],
        "scored": scored,
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / NAME).write_text(json.dumps(data, indent=1) + "\n")


if __name__ == "__main__":
    write()
