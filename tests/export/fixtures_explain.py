"""The fixtures of the browser's explanation and folder modules (``web/src/explain/``, ``web/src/folder/``),
written by the library (and the robustness page's charts as the Python app draws them).

    python -m tests.export.fixtures_explain   # rewrites web/test/fixtures/explain-*.json and folder.json

The browser cannot run the library, and its tests cannot run a real network in Node in seconds, so the
library's own functions (:func:`resnext.explain`, :func:`resnext.faithfulness`) run here on a stand-in
classifier the browser's tests can run too: a small seeded network, ``logits = W2 · tanh(W1 · x + b1) + b2``,
whose weights the fixture carries. Everything else (Captum's occlusion, the masks, the blur, the random
map, the areas) is the library's. The folder report's fixture is a bulk run's rows (as ``Row.record()``
gives them) with what ``resnext predict --out`` and ``resnext eval`` write and print for them. ``test_fixtures_explain.py`` fails when these files are stale.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import threading
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch

from resnext import get_variant
from resnext.bulk.evaluate import class_indices, imagenet_synsets, score_rows
from resnext.bulk.predict import OK, Row
from resnext.bulk.report import evaluation_json, per_class_csv, print_evaluation
from resnext.bulk.results import failure_summary, rows_csv
from resnext.inference.classifier import Prediction
from resnext.errors import ResNeXtError
from resnext.explain import explain, faithfulness
from resnext.explain.attribution import occlusion_window
from resnext.explain.fidelity import _blur, phase_randomized
from resnext.catalog.labels import imagenet_labels

from tests.export.fixtures import FOLDER

NAMES = ("explain-occlusion.json", "explain-faithfulness.json", "explain-random.json", "explain-contrast.json",
         "folder.json", "published.json")
# A crop whose sides the occluding window's stride does not divide, so Captum's last windows are cut at
# the edge, and whose pixel count over 16 steps ends in .5, so the masks' rounding (half to even) shows.
SHAPE = (3, 30, 36)
HIDDEN, CLASSES = 8, 4


def b64(array: np.ndarray | torch.Tensor) -> str:
    """A float32 array's bytes (little-endian, row-major) as base64: exact and a third of JSON's size."""
    values = array.detach().numpy() if isinstance(array, torch.Tensor) else array
    return base64.b64encode(np.ascontiguousarray(values, dtype="<f4").tobytes()).decode()


class StandIn:
    """The part of :class:`resnext.Classifier` that occlusion and faithfulness use, on a small network."""

    def __init__(self, rng: np.random.Generator) -> None:
        inputs = int(np.prod(SHAPE))
        self.w1 = torch.from_numpy((rng.normal(size=(HIDDEN, inputs)) / np.sqrt(inputs)).astype(np.float32))
        self.b1 = torch.from_numpy(rng.normal(size=HIDDEN).astype(np.float32))
        self.w2 = torch.from_numpy((0.4 * rng.normal(size=(CLASSES, HIDDEN))).astype(np.float32))
        self.b2 = torch.from_numpy((0.3 * rng.normal(size=CLASSES)).astype(np.float32))
        self._lock = threading.RLock()

    def check_class(self, class_index: int | None) -> None:
        assert class_index is None or 0 <= class_index < CLASSES

    def batch(self, image: torch.Tensor) -> torch.Tensor:
        return image if image.dim() == 4 else image[None]

    def engine(self, x: torch.Tensor) -> torch.Tensor:
        return x

    def _head(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(x.flatten(1).float() @ self.w1.T + self.b1) @ self.w2.T + self.b2

    def record(self) -> dict:
        return {"shape": list(SHAPE), "hidden": HIDDEN, "classes": CLASSES,
                "w1": b64(self.w1), "b1": b64(self.b1), "w2": b64(self.w2), "b2": b64(self.b2)}


def write(folder: Path = FOLDER) -> None:
    """Write the fixtures: occlusion maps, faithfulness curves, the random baseline map (and numpy's
    generator under it), the contrastive CAM, a folder's report and the robustness page's figures."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(34)
    clf = StandIn(rng)
    x = torch.from_numpy(rng.normal(size=SHAPE).astype(np.float32))
    occlusion = _occlusion(clf, x)
    for name, data in zip(NAMES, (occlusion, _faithfulness(clf, x, occlusion["cases"][0]["map"]), _random(rng),
                                  _contrast(rng, clf), _folder(rng), _published())):
        (folder / name).write_text(json.dumps(data, indent=1) + "\n")


def _occlusion(clf: StandIn, x: torch.Tensor) -> dict:
    """The library's occlusion map of a class, and of a class against another."""
    side, stride = occlusion_window(SHAPE[-1])
    return {"network": clf.record(), "input": b64(x), "side": side, "stride": stride,
            "cases": [{"class": c, "contrast": k, "map": b64(explain(clf, x, "occlusion", c, contrast=k))}
                      for c, k in ((1, None), (2, 0))]}


def _faithfulness(clf: StandIn, x: torch.Tensor, occlusion_map: str) -> dict:
    """The library's faithfulness of the occlusion map (top-1 class, defaults) and of a blob (10 steps)."""
    h, w = SHAPE[1:]
    yy, xx = np.mgrid[0:h, 0:w]
    blob = np.exp(-((yy - 9.0) ** 2 + (xx - 24.0) ** 2) / 40.0).astype(np.float32)
    saved = np.frombuffer(base64.b64decode(occlusion_map), dtype="<f4").reshape(h, w)
    cases = []
    for saliency, class_index, steps, seed in ((saved, None, 16, 0), (blob, 1, 10, 7)):
        result = faithfulness(clf, x, saliency, class_index, steps=steps, seed=seed)
        cases.append({"saliency": b64(saliency), "class_given": class_index, "steps": steps, "seed": seed,
                      "random_map": b64(phase_randomized(saliency, np.random.default_rng(seed))),
                      "class": result.class_index, "deletion": result.deletion, "insertion": result.insertion,
                      "random_deletion": result.random_deletion, "random_insertion": result.random_insertion,
                      "fractions": list(result.fractions), "deletion_curve": list(result.deletion_curve),
                      "insertion_curve": list(result.insertion_curve)})
    return {"network": clf.record(), "input": b64(x), "blurred": b64(_blur(x[None])[0]), "cases": cases}


def _random(rng: np.random.Generator) -> dict:
    """numpy's generator (SeedSequence, then PCG64) for seeds of one and two words, and the random map of a
    map the size of a small crop's."""
    big = rng.random((56, 48)).astype(np.float32) ** 3
    return {"uniforms": {str(seed): np.random.default_rng(seed).random(6).tolist() for seed in (0, 7, 2**32 + 5, 2**40 + 3)},
            "map": b64(big), "shape": list(big.shape), "seed": 11,
            "random_map": b64(phase_randomized(big, np.random.default_rng(11)))}


def _contrast(rng: np.random.Generator, clf: StandIn) -> dict:
    """The library's last-stage CAM of a class against another, from given features and classifier weights."""
    features = rng.normal(size=(5, 3, 4)).astype(np.float32)
    fc = torch.from_numpy(rng.normal(size=(3, 5)).astype(np.float32))
    cam_clf = SimpleNamespace(check_class=clf.check_class, batch=clf.batch, _lock=clf._lock,
                              model=SimpleNamespace(fc=SimpleNamespace(weight=fc)))
    crop = torch.zeros(3, 9, 7)
    cases = [{"class": c, "contrast": k, "map": explain(cam_clf, crop, "gradcam", c, contrast=k,
                                                        features=torch.from_numpy(features)).flatten().tolist()}
             for c, k in ((0, 1), (2, 0), (1, 2))]
    return {"features": features.flatten().tolist(), "shape": list(features.shape), "fc": fc.flatten().tolist(),
            "crop": [9, 7], "cases": cases}


# Paths and reasons that need the CSV's quoting; probabilities that fall exactly between two printed
# values (0.0078125 is 2**-7), which Python rounds to the even one.
FOLDER_MODELS = ("swsl_resnext50_32x4d", "tv_resnext50_32x4d")
ODD_NAMES = ('photos/a, b.jpg', 'photos/say "cheese".png', "photos/line\nbreak.jpg")
FAILURES = ('photos/broken.jpg is cut short: it has no end marker; save it again.', "photos/x.heic, an HEIC photo, "
            'cannot be read; convert it to "JPEG".')
FOLDER_NAMES = ("n01440764", "7", "Great_white_shark", "tench", "cardigan", "n99999999", "goldfish", "1000")


def _folder(rng: np.random.Generator) -> dict:
    """Rows of a labelled folder through two models, and what the library writes for them."""
    labels = imagenet_labels()
    classes = [0, 1, 2, 7, 409]
    rows, truth = [], {}
    for i in range(14):
        path = ODD_NAMES[i] if i < len(ODD_NAMES) else f"photos/{i:02d}.jpg"
        if i in (4, 9):
            rows.append(Row(path, FAILURES[i == 9]))
            continue
        truth[path] = classes[3 * i % len(classes)]
        predictions = {}
        for m, vid in enumerate(FOLDER_MODELS):
            top = list(rng.choice(classes + [3, 4], size=5, replace=False))
            if i % (3 - m) == 0:  # a right first answer, more often for the second model
                top.remove(truth[path]) if truth[path] in top else top.pop()
                top.insert(0, truth[path])
            p = np.sort(rng.random(5).astype(np.float32))[::-1]
            if i == 5:
                p[1:3] = [3 * 2 ** -7, 2 ** -7]
            predictions[vid] = [Prediction(int(c), labels[c], float(q)) for c, q in zip(top, p)]
        rows.append(Row(path, OK, predictions))
    classifiers = [SimpleNamespace(variant=get_variant(vid), labels=labels) for vid in FOLDER_MODELS]
    evaluation = score_rows(classifiers, rows, truth)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        print_evaluation(evaluation)
    names = {}
    for name in FOLDER_NAMES:
        try:
            names[name] = class_indices([name], labels)[name]
        except ResNeXtError as exc:
            names[name] = str(exc)
    try:
        class_indices(["a", "n01440764", "b", "c", "d"], labels)
    except ResNeXtError as exc:
        names["a b c d"] = str(exc)
    return {"models": list(FOLDER_MODELS), "rows": [row.record() for row in rows], "truth": truth,
            "csv": {str(k): rows_csv(rows, FOLDER_MODELS, k) for k in (5, 2)},
            "evaluation_json": json.loads(evaluation_json(evaluation)), "per_class_csv": per_class_csv(evaluation),
            "printed": printed.getvalue(), "failure_summary": failure_summary(2, 14, "they are not counted"),
            "class_names": names, "synsets": list(imagenet_synsets()[:10])}



def _published() -> dict:
    """The robustness page's tables and charts as the Python app makes them (``resnext_app``), every
    data set, architecture and metric."""
    from resnext_app import charts, published

    long = published.measurements_frame()
    sets = [d.key for d in published.references.datasets() if d.key != "imagenet"]
    architectures = published.architectures_trained_ways(long, at_least=3)

    def traces(figure) -> list[dict]:
        lines = [getattr(t, "mode", None) == "lines" for t in figure.data]
        return [{"name": t.name, "x": _list(t.x), "y": _list(t.y), "hovertext": _list(getattr(t, "hovertext", None)),
                 "color": t.line.color if line else t.marker.color, "dash": t.line.dash if line else None}
                for t, line in zip(figure.data, lines)]

    out: dict = {"family_colors": charts.FAMILY_COLORS, "architectures": architectures, "metrics": {}}
    for metric in ("top1", "top5"):
        table = published.robustness_table(long, metric)
        out["metrics"][metric] = {
            "table": {"columns": list(table.columns),
                      "rows": [[None if isinstance(v, float) and v != v else v for v in row] for row in table.values.tolist()]},
            "beyond": {key: {"traces": traces(fig), "x_title": fig.layout.xaxis.title.text, "y_title": fig.layout.yaxis.title.text}
                       for key in sets for fig in [charts.beyond_imagenet(long, key, metric)]},
            "training": {a: {"traces": traces(fig), "y_title": fig.layout.yaxis.title.text}
                         for a in architectures for fig in [charts.training_compared(long, a, metric)]},
        }
    claims = published.claims_frame()
    out["claims"] = [[None if isinstance(v, float) and v != v else v for v in row] for row in claims.values.tolist()]
    out["claim_columns"] = list(claims.columns)
    out["claim_notes"] = published.claim_notes()
    return out


def _list(values) -> list | None:
    return None if values is None else [v.item() if hasattr(v, "item") else v for v in values]


if __name__ == "__main__":
    write()
    print(FOLDER)
