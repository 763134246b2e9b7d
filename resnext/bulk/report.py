"""An evaluation ([`resnext.bulk.evaluate`][]) as people read it: a table, a JSON report, a per-class CSV."""

from __future__ import annotations

import csv
import io
import json

from .evaluate import Evaluation

__all__ = ["evaluation_json", "per_class_csv", "print_evaluation"]

PUBLISHED = "published on ImageNet-1k val (a different data set)"


def print_evaluation(evaluation: Evaluation) -> None:
    """Print each model's accuracy with its interval, its published figure, and the pairwise agreement."""
    n = evaluation.scores[0].images
    classes = len(evaluation.scores[0].per_class)
    print(f"{n} images in {classes} classes; 95% Wilson intervals in brackets.")
    header = ("model", "top-1", "top-5", PUBLISHED)
    rows = [(s.model, _interval(s.top1, s.top1_interval), _interval(s.top5, s.top5_interval),
             _published(s.published_top1, s.published_top5)) for s in evaluation.scores]
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    for r in (header, *rows):
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    if evaluation.agreement:
        print("\nSame top-1 on the same image:")
        for (a, b), share in evaluation.agreement.items():
            print(f"  {a} and {b}: {100 * share:.1f}%")


def evaluation_json(evaluation: Evaluation) -> str:
    """The report as JSON: scores with intervals and published figures, per-class counts, agreement, failures."""
    return json.dumps({
        "images": evaluation.scores[0].images,
        "models": [{
            "model": s.model, "images": s.images,
            "top1": s.top1, "top1_95ci": list(s.top1_interval), "top5": s.top5, "top5_95ci": list(s.top5_interval),
            "published_imagenet_val": {"top1_percent": s.published_top1, "top5_percent": s.published_top5,
                                       "note": "ImageNet-1k validation set, not this folder"},
            "per_class": {str(c): {"label": evaluation.labels[c], "correct": k, "images": t}
                          for c, (k, t) in s.per_class.items()},
        } for s in evaluation.scores],
        "agreement_same_top1": [{"a": a, "b": b, "share": share} for (a, b), share in evaluation.agreement.items()],
        "failures": [{"path": row.path, "status": row.status} for row in evaluation.failures],
    }, indent=2) + "\n"


def per_class_csv(evaluation: Evaluation) -> str:
    """One row per class: its index, name, image count, and each model's top-1 accuracy on it."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["class", "label", "images", *(f"{s.model} top-1" for s in evaluation.scores)])
    for c, (_, total) in evaluation.scores[0].per_class.items():
        writer.writerow([c, evaluation.labels[c], total,
                         *(f"{s.per_class[c][0] / total:.4f}" for s in evaluation.scores)])
    return buf.getvalue()


def _interval(value: float, interval: tuple[float, float]) -> str:
    return f"{100 * value:.1f}% [{100 * interval[0]:.1f}–{100 * interval[1]:.1f}]"


def _published(top1: float | None, top5: float | None) -> str:
    if top1 is None and top5 is None:
        return "—"
    figures = (("top-1", top1), ("top-5", top5))
    return " · ".join(f"{name} {value:.2f}%" for name, value in figures if value is not None)
