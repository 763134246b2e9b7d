"""The transfer study's fixtures for the browser edition, made by the library (scikit-learn and scipy its oracles).

    python -m tests.export.fixtures_transfer   # rewrites web/test/fixtures/transfer.json

Seeded features with a known structure (Gaussian clusters, one backbone better than another, a
mislabelled image, a duplicate), the folds, inner folds and few-shot draws the library drew, and
every figure of the study: the probe's out-of-fold answers, k-NN, LogME, McNemar and the verdict,
the few-shot curve, the map, suspects and near-duplicates. The probe and the few-shot curve also
as scikit-learn finds them at the optimum (``*_exact``), which the browser's solver reaches and the
library's default lbfgs tolerance may stop short of. Also a head the library wrote
(``resnext-head/1``) and its probabilities, and the constants a head file is checked against.
``test_fixtures_transfer.py`` fails when the committed file differs from what this writes.
"""

from __future__ import annotations

import base64
import json
import tempfile
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from resnext.catalog.architecture import FEATURES
from resnext.bulk.evaluate import wilson
from resnext.catalog.index import get_variant
from resnext.inference.classifier import PRECISIONS
from resnext.inference.preprocess import Transform
from resnext.transfer import head as heads
from resnext.transfer.explore import duplicates, feature_map, suspects
from resnext.transfer.logme import logme
from resnext.transfer.probe import (C_GRID, DRAWS, SHOTS, RowSpace, compare_backbones, few_shot, few_shot_draws,
                                    _p, _verdict, fit_probe, folds_for, knn_loo, mcnemar)

from tests.export.fixtures import FOLDER

NAME = "transfer.json"
SEED = 0
HEAD_BACKBONE = "ssl_resnext50_32x4d"


def _clusters(rng: np.random.Generator, labels: np.ndarray, dim: int, spread: float) -> np.ndarray:
    centres = rng.normal(0, 1, (labels.max() + 1, dim))
    return (centres[labels] + rng.normal(0, spread, (len(labels), dim))).astype(np.float32)


def datasets() -> list[dict]:
    """Seeded sets: (name, classes, labels, model → float32 features)."""
    rng = np.random.default_rng(33)
    out = []
    # Four classes, a clearly better backbone: the paired test names it. One image is filed in the
    # wrong class (a suspect), one is the exact copy of another in another class (a duplicate, a k-NN tie).
    labels = np.repeat(np.arange(4), 15)
    good = _clusters(rng, labels, 48, 1.0)  # fewer features than images
    weak = _clusters(rng, labels, 64, 3.0)
    labels[7] = 3
    good[59], weak[59] = good[0], weak[0]
    out.append({"name": "four", "classes": ["brick", "grass", "gravel", "sand"], "labels": labels,
                "features": {"good": good, "weak": weak}})
    # Three classes, two backbones as good as each other: the data cannot tell them apart.
    labels = np.repeat(np.arange(3), 10)
    one = _clusters(rng, labels, 128, 2.5)
    out.append({"name": "twins", "classes": ["a", "b", "c"], "labels": labels,
                "features": {"one": one, "two": (one + rng.normal(0, 0.3, one.shape)).astype(np.float32)}})
    # Two classes (scikit-learn fits one row there, not two), uneven.
    labels = np.array([0] * 9 + [1] * 13)
    out.append({"name": "binary", "classes": ["no", "yes"], "labels": labels,
                "features": {"only": _clusters(rng, labels, 96, 3.0)}})
    # The backbones' own width: 2048 features of 24 images, and the head made from them.
    labels = np.repeat(np.arange(3), 8)
    out.append({"name": "wide", "classes": ["cat", "dog", "fox"], "labels": labels,
                "features": {HEAD_BACKBONE: _clusters(rng, labels, FEATURES, 6.0)}})
    return out


def _b64(x: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(x, dtype=np.float32).tobytes()).decode()


def _inner(labels: np.ndarray, train: np.ndarray) -> list[list[int]]:
    """The test indices (within the training fold) of ``fit_probe``'s inner folds."""
    y = labels[train]
    smallest = int(np.bincount(y)[np.unique(y)].min())
    splitter = StratifiedKFold(n_splits=min(3, smallest), shuffle=True, random_state=SEED)
    return [test.tolist() for _, test in splitter.split(np.zeros(len(y)), y)]


def _study(data: dict) -> dict:
    labels, classes, features = data["labels"], data["classes"], data["features"]
    splits = folds_for(labels, 5, SEED)
    draws = few_shot_draws(labels, SHOTS, DRAWS, SEED)
    comparison = compare_backbones(features, labels, classes, shots=(), seed=SEED)
    curve = few_shot(features, labels, draws=draws)
    models = {}
    for score in comparison.scores:
        x = features[score.model]
        coords, share = feature_map(x)
        models[score.model] = {
            "dims": x.shape[1], "features": _b64(x),
            "probe": score.predictions.tolist(), "fold_accuracies": list(score.fold_accuracies),
            "accuracy": score.accuracy, "interval": list(score.interval),
            **_exact_probe(x, labels, splits),
            "knn": knn_loo(x, labels, comparison.knn_k).tolist(), "knn_accuracy": score.knn_accuracy,
            "logme": logme(x, labels), "per_class": [score.per_class[c] for c in classes],
            "confusion": score.confusion.tolist(),
            "map": coords.tolist(), "share": list(share),
            "suspects": [[s.index, s.label, s.likely, s.agreement] for s in suspects(x, labels)],
            "duplicates": [[d.first, d.second, d.similarity, d.across_classes] for d in duplicates(x, labels)],
            "few_shot": {str(n): list(v) for n, v in curve[score.model].items()},
            "few_shot_exact": {str(n): _converged(x, labels, ds) for n, ds in draws.items()},
        }
    exact = sorted((SimpleNamespace(model=m, predictions=np.array(v["probe_exact"]),
                                    accuracy=float(np.mean(np.array(v["probe_exact"]) == labels)))
                    for m, v in models.items()), key=lambda s: -s.accuracy)
    _, p_exact, verdict_exact = _verdict(exact, labels)
    return {
        "name": data["name"], "classes": classes, "labels": labels.tolist(), "seed": SEED,
        "folds": [test.tolist() for _, test in splits],
        "inner": [_inner(labels, train) for train, _ in splits],
        "draws": {str(n): [d.tolist() for d in ds] for n, ds in draws.items()},
        "knn_k": comparison.knn_k, "order": [s.model for s in comparison.scores], "models": models,
        "winner": comparison.winner, "p_value": comparison.p_value, "verdict": comparison.verdict,
        "p_exact": p_exact, "verdict_exact": verdict_exact,
    }


def _exact_probe(x: np.ndarray, labels: np.ndarray, splits) -> dict:
    """The probe as ``probe_cv`` fits it, but to the optimum (Newton's method to 1e-10), not lbfgs's default 1e-4.

    The library's refit starts from the inner folds' mean solution and may stop a few iterations
    later, short of the optimum: an image near the boundary can then change sides. The browser's
    solver goes to the optimum, which this finds too.
    """
    predicted = np.full(len(labels), -1)
    chosen = []
    for train, test in splits:
        y = labels[train]
        smallest = int(np.bincount(y)[np.unique(y)].min())
        cv = StratifiedKFold(n_splits=min(3, smallest), shuffle=True, random_state=SEED)
        fitted = make_pipeline(StandardScaler(), RowSpace(), LogisticRegressionCV(
            Cs=list(C_GRID), cv=cv, l1_ratios=(0.0,), scoring="neg_log_loss", solver="newton-cholesky", tol=1e-10,
            max_iter=1000, use_legacy_attributes=False))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=UserWarning)
            predicted[test] = fitted.fit(x[train], y).predict(x[test])
        chosen.append(float(fitted[-1].C_))
    return {"probe_exact": predicted.tolist(), "C_exact": chosen}


def _converged(x: np.ndarray, labels: np.ndarray, draws: list[np.ndarray]) -> list[float]:
    """A few-shot point with the probe fitted to the optimum (Newton's method to 1e-10), not lbfgs's default 1e-4.

    With one or two images per class the default stops short of the optimum, and a test image near
    the boundary can change sides; the browser's solver goes to the optimum, which this finds too.
    """
    found = []
    for train in draws:
        test = np.setdiff1d(np.arange(len(labels)), train)
        fitted = make_pipeline(StandardScaler(), RowSpace(),
                               LogisticRegression(C=1.0, solver="newton-cholesky", tol=1e-10, max_iter=1000))
        found.append(float(np.mean(fitted.fit(x[train], labels[train]).predict(x[test]) == labels[test])))
    return [float(np.mean(found)), float(np.std(found))]


def _head(data: dict) -> dict:
    """A head as `resnext probe --save-head` writes it, and its probabilities on the first images."""
    x, labels = data["features"][HEAD_BACKBONE], data["labels"]
    variant = get_variant(HEAD_BACKBONE)
    clf = SimpleNamespace(transform=Transform.for_variant(variant), variant=variant, precision="fp32")
    head = heads.head_from_probe(fit_probe(x, labels, SEED), data["classes"], clf)
    with tempfile.TemporaryDirectory() as folder:
        raw = heads.save_head(head, Path(folder) / "head.safetensors").read_bytes()
    # safetensors writes the metadata in its hash map's order, which changes from run to run: in key
    # order here, the header the same length, so that the fixture is the same file each time.
    length = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + length])
    header["__metadata__"] = dict(sorted(header["__metadata__"].items()))
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode().ljust(length)
    assert len(text) == length
    raw = raw[:8] + text + raw[8 + length:]
    return {"file": base64.b64encode(raw).decode(), "dataset": data["name"], "images": 6,
            "probabilities": head.probabilities(x[:6]).tolist()}


def _mcnemar_cases() -> list[dict]:
    rng = np.random.default_rng(5)
    cases = []
    for n, p_a, p_b in ((10, 0.9, 0.5), (40, 0.8, 0.75), (200, 0.9, 0.6), (7, 0.5, 0.5), (500, 0.7, 0.7)):
        a, b = rng.random(n) < p_a, rng.random(n) < p_b
        cases.append({"a": a.astype(int).tolist(), "b": b.astype(int).tolist(), "p": mcnemar(a, b)})
    return cases


def build() -> dict:
    """Everything the browser's transfer tests read."""
    sets = datasets()
    return {
        "constants": {"c_grid": list(C_GRID), "shots": list(SHOTS), "draws": DRAWS, "features": FEATURES,
                      "format": heads.FORMAT, "max_classes": heads.MAX_CLASSES,
                      "max_class_chars": heads.MAX_CLASS_CHARS, "precisions": list(PRECISIONS),
                      "tensors": list(heads.TENSORS)},
        "studies": [_study(d) for d in sets],
        "mcnemar": _mcnemar_cases(),
        "wilson": [[k, n, *wilson(k, n)] for k, n in ((0, 5), (3, 7), (57, 60), (60, 60))],
        # Python's own rounding of every proportion of a few sizes, and of p-values
        "percent": [[k / n, f"{k / n:.1%}"] for n in (3, 7, 8, 16, 40, 60, 80, 160, 200) for k in range(n + 1)],
        "p_text": [[p, _p(p)] for p in (1.0, 0.5, 0.05, 0.049999, 0.021484375, 0.00048828125, 1e-4, 9.9999e-5,
                                        1.2345e-7, 6.103515625e-05, 0.125, 0.955)],
        "head": _head(sets[-1]),
    }


def write(folder: Path = FOLDER) -> None:
    """Write ``transfer.json`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / NAME).write_text(json.dumps(build(), separators=(",", ":")) + "\n")


if __name__ == "__main__":
    write()
    print(FOLDER / NAME)
