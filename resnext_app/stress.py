"""The stress test in the app: what a sweep costs here, the sweep itself (remembered for every
session, with a progress bar the user cancels by changing any control), and its tables and charts;
and a labelled batch's calibration and accuracy under corruption (the Batch page)."""

from __future__ import annotations

import json
from typing import Sequence

import altair as alt
import numpy as np
import pandas as pd

from resnext.catalog.index import ASSETS_DIR
from resnext.catalog.variant import Variant
from resnext.stress.corruptions import CORRUPTIONS, SEVERITIES
from resnext.stress.robustness import Report, evaluate_corrupted
from resnext.stress.sweep import Sweep, sweep

from . import decoding, models, store, tables
from .explain import progress_bar

# Seconds to make all five severities of one corruption of a 224×224 crop when
# ``python -m benchmarks.stress`` has not measured it on this kind of machine.
CORRUPTION_SECONDS = 0.2


def corruption_seconds() -> dict[str, float]:
    """Each corruption's cost (five severities, one crop), as ``python -m benchmarks.stress`` measured it."""
    path = ASSETS_DIR / "stress_cost.json"
    measured = json.loads(path.read_text(encoding="utf-8"))["corruptions"] if path.exists() else {}
    return {name: float(measured.get(name, CORRUPTION_SECONDS)) for name in CORRUPTIONS}


def estimate_seconds(variants: Sequence[Variant], corruptions: Sequence[str]) -> float:
    """A cold sweep's seconds here: the corruptions once, then 5 images per corruption per model."""
    cost = corruption_seconds()
    return sum(cost[n] for n in corruptions) + len(corruptions) * len(SEVERITIES) * tables.network_seconds(variants)


def run(image, variant_ids: Sequence[str], corruptions: Sequence[str], precision: str, seconds: float) -> Sweep:
    """The sweep of the current image, kept for every session; a control changed meanwhile cancels it.

    Raises:
        ResNeXtError: A model cannot be had.
    """
    def compute() -> Sweep:
        with progress_bar(f"Sweeping {len(corruptions)} corruptions × 5 severities through {len(variant_ids)} "
                          f"models (≈ {seconds:.0f} s); change any control to cancel") as progress:
            classifiers = [models.classifier(v, precision) for v in variant_ids]
            return sweep(classifiers, decoding.decoded(image.digest, image.data, image.name), corruptions,
                         progress=progress)

    return store.remembered(_sweep_key(image, variant_ids, corruptions, precision), compute)


def _sweep_key(image, variant_ids: Sequence[str], corruptions: Sequence[str], precision: str) -> tuple:
    return "stress", image.digest, tuple(variant_ids), tuple(corruptions), precision


def known(image, variant_ids: Sequence[str], corruptions: Sequence[str], precision: str) -> Sweep | None:
    """A sweep some session already ran with these settings, or None."""
    return store.remembered_only(_sweep_key(image, variant_ids, corruptions, precision))


def first_change_frame(result: Sweep) -> pd.DataFrame:
    """Per corruption, the mildest severity at which each model's answer changes ("—": never)."""
    return pd.DataFrame([{"Corruption": CORRUPTIONS[name].label,
                          **{m.model: (m.first_change(name) or "—") for m in result.models}}
                         for name in result.corruptions]).astype(str)


def curves_chart(result: Sweep) -> alt.FacetChart:
    """Per corruption, each model's probability of its clean top-1 class against severity."""
    rows = [{"corruption": CORRUPTIONS[name].label, "severity": s, "model": m.model,
             "probability": float(m.probability[name][s - 1]), "answer": m.labels[m.top1[name][s - 1]]}
            for m in result.models for name in result.corruptions for s in SEVERITIES]
    base = alt.Chart(pd.DataFrame(rows)).mark_line(point=True).encode(
        x=alt.X("severity:O", title="severity"),
        y=alt.Y("probability:Q", title="p(clean answer)", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("model:N", legend=alt.Legend(orient="top", title=None)),
        tooltip=["model", "corruption", "severity", alt.Tooltip("probability:Q", format=".3f"), "answer"],
    ).properties(width=150, height=110)
    return base.facet(facet=alt.Facet("corruption:N", title=None, sort=[CORRUPTIONS[n].label for n in result.corruptions]),
                      columns=3)


def crop_rows(result: Sweep) -> list[tuple[str, list[np.ndarray]]]:
    """Each corruption's label and its five crops, for the grid."""
    return [(CORRUPTIONS[name].label, result.crops[name]) for name in result.corruptions]


def labelled_run(digest: str, variant_ids: Sequence[str], items: list, corruptions: Sequence[str],
                 severities: Sequence[int], baseline: str | None, precision: str) -> Report:
    """Calibration (and accuracy under corruption) of a labelled batch, kept for every session;
    a control changed meanwhile cancels it.

    Raises:
        ResNeXtError: A model cannot be had, or no image can be read.
    """
    key = ("stress-labelled", digest, tuple(variant_ids), tuple(corruptions), tuple(severities), baseline, precision)

    def compute() -> Report:
        text = (f"{len(items)} images × {len(variant_ids)} models, clean"
                + (f" and under {len(corruptions)} corruptions × {len(severities)} severities" if corruptions else "")
                + "; change any control to cancel")
        with progress_bar(text) as progress:
            classifiers = [models.classifier(v, precision) for v in variant_ids]
            return evaluate_corrupted(classifiers, items, corruptions, severities, baseline, progress=progress)

    return store.remembered(key, compute)


def labelled_seconds(variants: Sequence[Variant], images: int, corruptions: Sequence[str], severities: int) -> float:
    """A labelled run's seconds here: every image clean and corrupted through every model."""
    network = tables.network_seconds(variants)
    cost = corruption_seconds()
    making = images * sum(cost[n] for n in corruptions) * severities / len(SEVERITIES)
    return making + images * (1 + len(corruptions) * severities) * network


def calibration_frame(report: Report) -> pd.DataFrame:
    """Per model: accuracy, ECE with its interval, NLL and Brier, before and after temperature scaling."""
    rows = []
    for m in report.models:
        c = report.clean[m]
        rows.append({"Model": m, "Top-1 %": 100 * c.before.accuracy, "ECE %": 100 * c.before.ece,
                     "ECE 95% interval": f"{100 * c.ece_interval[0]:.1f}–{100 * c.ece_interval[1]:.1f}",
                     "NLL": c.before.nll, "Brier": c.before.brier, "T": c.temperature,
                     "ECE % after T": 100 * c.after.ece, "NLL after T": c.after.nll,
                     "Brier after T": c.after.brier})
    return pd.DataFrame(rows)


def reliability_chart(report: Report) -> alt.VConcatChart:
    """Per model: accuracy against confidence per bin (the diagonal is perfect calibration), and
    how many images fall in each bin."""
    rows = []
    for m in report.models:
        r = report.clean[m].reliability
        for i in range(len(r.count)):
            rows.append({"model": m, "from": float(r.edges[i]), "to": float(r.edges[i + 1]),
                         "accuracy": None if np.isnan(r.accuracy[i]) else float(r.accuracy[i]),
                         "confidence": None if np.isnan(r.confidence[i]) else float(r.confidence[i]),
                         "images": int(r.count[i])})
    data = pd.DataFrame(rows)
    x = alt.X("from:Q", bin="binned", title="confidence (top-1 probability)", scale=alt.Scale(domain=[0, 1]))
    diagonal = alt.Chart(pd.DataFrame({"from": [0.0, 1.0], "accuracy": [0.0, 1.0]})).mark_line(
        strokeDash=[4, 4], color="gray").encode(x="from:Q", y="accuracy:Q")
    reliability, counts = [], []
    for m in report.models:
        own = alt.Chart(data[data["model"] == m])
        reliability.append(alt.layer(own.mark_bar(opacity=0.8).encode(
            x=x, x2="to:Q", y=alt.Y("accuracy:Q", title="accuracy", scale=alt.Scale(domain=[0, 1])),
            tooltip=["images", alt.Tooltip("accuracy:Q", format=".2f"), alt.Tooltip("confidence:Q", format=".2f")]),
            diagonal).properties(title=m, width=180, height=160))
        counts.append(own.mark_bar().encode(x=x, x2="to:Q", y=alt.Y("images:Q", title="images"))
                      .properties(width=180, height=70))
    return alt.vconcat(alt.hconcat(*reliability), alt.hconcat(*counts))


def corruption_frame(report: Report) -> pd.DataFrame:
    """Per model and corruption: accuracy and ECE at each severity, and the corruption errors."""
    rows = []
    for m in report.models:
        for n in report.corruptions:
            row = {"Model": m, "Corruption": CORRUPTIONS[n].label}
            row |= {f"severity {s} %": 100 * a for s, a in zip(report.severities, report.accuracy[m][n])}
            row |= {f"ECE {s} %": 100 * e for s, e in zip(report.severities, report.ece[m][n])}
            if report.baseline:
                row |= {"CE": report.ce(m, n), "relative CE": report.ce(m, n, True)}
            rows.append(row)
    return pd.DataFrame(rows)
