"""Stress results as text for the terminal and as JSON for files."""

from __future__ import annotations

import json

import numpy as np

from .calibration import BINS, FEW_IMAGES, Calibration
from .corruptions import CORRUPTIONS
from .robustness import Report
from .sweep import Sweep

RELATIVE_NOTE = ("Corruption errors are relative to {base}, a supervised ResNeXt, not to AlexNet as in ImageNet-C: "
                 "below 1 is more robust than {base} on these images, and the figures cannot be compared with "
                 "the paper's mCE.")


def sweep_text(sweep: Sweep) -> str:
    """Per model, the clean top-1's probability at severities 1–5 under each corruption, where the
    answer first changes, and the one-line summary."""
    lines = []
    for m in sweep.models:
        lines.append(f"{m.model}: clean answer “{m.clean_label}” ({100 * m.clean_probability:.1f}%)")
        lines.append(f"  {'corruption':<16} " + " ".join(f"s{s:<5}" for s in range(1, 6)) + " changes at")
        for name in sweep.corruptions:
            first = m.first_change(name)
            cells = " ".join(f"{100 * p:5.1f}%" for p in m.probability[name])
            lines.append(f"  {CORRUPTIONS[name].label:<16} {cells}  {first if first else '—'}")
    lines.append(sweep.summary())
    return "\n".join(lines)


def sweep_json(sweep: Sweep) -> str:
    """The sweep as JSON: per model, corruption: probabilities, top-1 labels and the first change."""
    return json.dumps({"corruptions": list(sweep.corruptions), "summary": sweep.summary(),
                       "models": [{
                           "model": m.model, "clean": {"label": m.clean_label, "probability": m.clean_probability},
                           "kept": m.kept,
                           "corruptions": {name: {"probability": [round(float(p), 6) for p in m.probability[name]],
                                                  "top1": [m.labels[i] for i in m.top1[name]],
                                                  "first_change": m.first_change(name)}
                                           for name in sweep.corruptions}}
                           for m in sweep.models]}, indent=2)


def calibration_text(model: str, c: Calibration) -> str:
    """One model's calibration in two lines."""
    low, high = c.ece_interval
    text = (f"{model}: ECE {100 * c.before.ece:.1f}% (95% bootstrap {100 * low:.1f}–{100 * high:.1f}%, {BINS} "
            f"equal-width bins), NLL {c.before.nll:.3f}, Brier {c.before.brier:.3f}\n"
            f"  temperature scaling (T = {c.temperature:.2f}; scored on held-out folds): ECE "
            f"{100 * c.after.ece:.1f}%, NLL {c.after.nll:.3f}, Brier {c.after.brier:.3f}")
    if c.few:
        text += f"\n  only {c.images} images (fewer than {FEW_IMAGES}): these figures are rough."
    return text


def report_text(report: Report) -> str:
    """Accuracy per corruption and severity per model, the corruption errors, and calibration."""
    lines = [f"{report.images} images; severities {', '.join(map(str, report.severities))}."]
    for model in report.models:
        clean = report.clean[model].before.accuracy
        lines.append(f"\n{model}: clean top-1 {100 * clean:.1f}%")
        if report.corruptions:
            lines.append(f"  {'corruption':<16} " + " ".join(f"s{s:<5}" for s in report.severities)
                         + ("   CE   rel. CE" if report.baseline else ""))
        for name in report.corruptions:
            cells = " ".join(f"{100 * a:5.1f}%" for a in report.accuracy[model][name])
            ce = "" if not report.baseline else f"  {_num(report.ce(model, name))} {_num(report.ce(model, name, True))}"
            lines.append(f"  {CORRUPTIONS[name].label:<16} {cells}{ce}")
        if report.baseline and report.corruptions:
            lines.append(f"  mCE {_num(report.mce(model))}, relative mCE {_num(report.mce(model, True))}")
        lines.append("  " + calibration_text(model, report.clean[model]).replace("\n", "\n  "))
        if report.corruptions:
            per_severity = np.mean([report.ece[model][n] for n in report.corruptions], axis=0)
            lines.append("  ECE under corruption, by severity: "
                         + ", ".join(f"{s}: {100 * e:.1f}%" for s, e in zip(report.severities, per_severity)))
    if report.baseline and report.corruptions:
        lines.append("\n" + RELATIVE_NOTE.format(base=report.baseline))
    return "\n".join(lines)


def report_json(report: Report) -> str:
    """The report as JSON, with the reliability bins for a diagram."""
    def cal(c: Calibration) -> dict:
        r = c.reliability
        return {"images": c.images, "bins": BINS, "ece": c.before.ece, "ece_interval": list(c.ece_interval),
                "nll": c.before.nll, "brier": c.before.brier, "temperature": c.temperature,
                "after_scaling": {"ece": c.after.ece, "nll": c.after.nll, "brier": c.after.brier},
                "reliability": {"edges": r.edges.tolist(), "count": r.count.tolist(),
                                "accuracy": [None if np.isnan(a) else float(a) for a in r.accuracy],
                                "confidence": [None if np.isnan(a) else float(a) for a in r.confidence]}}

    return json.dumps({
        "images": report.images, "skipped": report.skipped, "baseline": report.baseline,
        "severities": list(report.severities),
        "note": RELATIVE_NOTE.format(base=report.baseline) if report.baseline else None,
        "models": {m: {"clean_top1": report.clean[m].before.accuracy, "calibration": cal(report.clean[m]),
                       "mce": report.mce(m), "relative_mce": report.mce(m, True),
                       "corruptions": {n: {"top1": report.accuracy[m][n].tolist(), "ece": report.ece[m][n].tolist(),
                                           "ce": report.ce(m, n), "relative_ce": report.ce(m, n, True)}
                                       for n in report.corruptions}}
                   for m in report.models}}, indent=2)


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"
