"""A comparison as text for the terminal, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Sequence

from .explore import Duplicate, Suspect
from .probe import Comparison

__all__ = ["comparison_csv", "comparison_json", "comparison_lines"]


def comparison_lines(c: Comparison) -> list[str]:
    """The comparison for a terminal: one line per backbone, the verdict, the few-shot curve."""
    lines = [f"{c.images} images in {len(c.classes)} classes ({', '.join(c.classes)}); {c.folds}-fold "
             f"logistic-regression probe, {c.knn_k}-NN leave-one-out, LogME.",
             f"{'model':<28} {'probe':>7} {'95% interval':>15} {'k-NN':>7} {'LogME':>8}"]
    for s in c.scores:
        low, high = s.interval
        lines.append(f"{s.model:<28} {s.accuracy:7.1%} {f'{low:.1%}–{high:.1%}':>15} {s.knn_accuracy:7.1%} "
                     f"{s.logme:8.3f}")
    lines.append(c.verdict)
    shots = sorted({n for curve in c.few_shot.values() for n in curve})
    if shots:
        lines.append("Few-shot accuracy (images per class): " + ", ".join(map(str, shots)) + ", all")
        for s in c.scores:
            curve = c.few_shot.get(s.model, {})
            lines.append(f"  {s.model:<26} " + "  ".join(f"{curve[n][0]:.1%}" for n in shots)
                         + f"  {s.accuracy:.1%}")
    return lines


def comparison_json(c: Comparison, names: Sequence[str], suspects: dict[str, list[Suspect]] | None = None,
                    duplicates: dict[str, list[Duplicate]] | None = None, skipped: Sequence = ()) -> str:
    """The whole comparison as JSON: scores, confusion matrices, few-shot curve, suspects and duplicates."""
    suspects, duplicates = suspects or {}, duplicates or {}
    data = {
        "classes": list(c.classes), "images": c.images, "folds": c.folds, "knn_k": c.knn_k,
        "verdict": c.verdict, "winner": c.winner, "p_value": c.p_value,
        "models": [{
            "model": s.model, "probe_accuracy": s.accuracy, "probe_interval_95": list(s.interval),
            "fold_accuracies": list(s.fold_accuracies), "knn_accuracy": s.knn_accuracy, "logme": s.logme,
            "per_class_accuracy": s.per_class, "confusion": s.confusion.tolist(),
            "few_shot": {str(n): {"mean": m, "sd": sd} for n, (m, sd) in c.few_shot.get(s.model, {}).items()},
            "suspect_labels": [{"image": names[x.index], "label": c.classes[x.label], "neighbours_say":
                                c.classes[x.likely], "share": x.agreement} for x in suspects.get(s.model, [])],
            "near_duplicates": [{"first": names[d.first], "second": names[d.second], "similarity": d.similarity,
                                 "across_classes": d.across_classes} for d in duplicates.get(s.model, [])],
        } for s in c.scores],
        "skipped": [{"image": name, "reason": why} for name, why in skipped],
    }
    return json.dumps(data, indent=2)


def comparison_csv(c: Comparison) -> str:
    """One row per backbone: accuracies, interval, LogME, the few-shot curve."""
    shots = sorted({n for curve in c.few_shot.values() for n in curve})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["model", "probe accuracy", "interval low", "interval high", "knn accuracy", "logme",
                     *(f"{n}-shot accuracy" for n in shots)])
    for s in c.scores:
        curve = c.few_shot.get(s.model, {})
        writer.writerow([s.model, f"{s.accuracy:.6f}", f"{s.interval[0]:.6f}", f"{s.interval[1]:.6f}",
                         f"{s.knn_accuracy:.6f}", f"{s.logme:.6f}",
                         *(f"{curve[n][0]:.6f}" if n in curve else "" for n in shots)])
    return out.getvalue()
