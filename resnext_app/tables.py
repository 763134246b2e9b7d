"""Tables (pandas) built from the catalog and from predictions."""

from __future__ import annotations

import json
import math
from itertools import combinations
from typing import Sequence

import pandas as pd

import resnext
from resnext.catalog.compare import js_divergence, map_correlation, topk_overlap
from resnext.catalog.cost import multiply_adds
from resnext.catalog.index import ASSETS_DIR
from resnext.catalog.variant import Variant, format_bytes

UNMEASURED_MS = 100.0  # one image through a variant the cost benchmark has not measured

CATALOG_COLUMNS = {
    "family": "Family",
    "id": "Model",
    "top1": "Top-1",
    "top5": "Top-5",
    "params_m": "Params (M)",
    "gmacs": "GMACs",
    "gflops": "GFLOPs (index)",
    "file_size": "File size",
    "training_path": "Training data",
    "epochs": "Epochs",
    "gpus": "GPUs",
}


def catalog_frame() -> pd.DataFrame:
    """All variants as a table, one row each, with numeric columns left numeric.

    Returns:
        The variants' figures (``parameters``, ``flops``, ``file_size``, …), ``macs`` counted by
        :mod:`resnext.catalog.cost`, and the same in display units: ``params_m``, ``gmacs``, ``gflops``,
        ``size_mb``; :data:`CATALOG_COLUMNS` names the ones the table shows.
    """
    variants = resnext.list_variants()
    raw = ("family", "id", "architecture", "top1", "top5", "parameters", "flops", "file_size", "training_path",
           "epochs", "gpus")
    df = pd.DataFrame([{k: getattr(v, k) for k in raw} for v in variants])
    df["macs"] = [multiply_adds(v) for v in variants]
    for column in ("top1", "top5", "parameters", "flops", "file_size", "epochs", "gpus"):
        df[column] = pd.to_numeric(df[column], errors="coerce")  # None → NaN, shown as "—"
    df["gmacs"] = df["macs"] / 1e9
    df["gflops"] = df["flops"] / 1e9
    df["params_m"] = df["parameters"] / 1e6
    df["size_mb"] = df["file_size"] / 1e6
    return df


def readable(table: pd.DataFrame):
    """The catalog table for people: figures rounded and in units, a missing one as "—".

    Returns a pandas Styler: the cells show the formatted text, while sorting still uses the numbers.
    """
    formats = {
        "Top-1": "{:.2f}", "Top-5": "{:.2f}", "Params (M)": "{:.1f}", "GMACs": "{:.2f}",
        "GFLOPs (index)": "{:.2f}", "File size": format_bytes, "Epochs": "{:.0f}", "GPUs": "{:.0f}",
    }
    return table.style.format({k: f for k, f in formats.items() if k in table}, na_rep="—")


def predictions_frame(predictions: Sequence[resnext.Prediction]) -> pd.DataFrame:
    """A top-k list as a table: rank, class index, label, probability."""
    return pd.DataFrame(
        [{"rank": i + 1, "index": p.index, "label": p.label, "probability": p.probability}
         for i, p in enumerate(predictions)]
    )


def predictions_json(variant_id: str, image_name: str, predictions: Sequence[resnext.Prediction]) -> str:
    """A top-k list as JSON, with the model and image it belongs to."""
    return json.dumps(
        {"model": variant_id, "image": image_name, "predictions": [p._asdict() for p in predictions]}, indent=2
    )


def agreement_frame(exact: Sequence[resnext.Prediction], approx: Sequence[resnext.Prediction]) -> pd.DataFrame:
    """The exact and fast top-k of one image next to each other, rank by rank."""
    return pd.DataFrame(
        [{"rank": i + 1, "exact": a.label, "exact %": round(100 * a.probability, 2),
          "fast": b.label, "fast %": round(100 * b.probability, 2)}
         for i, (a, b) in enumerate(zip(exact, approx))]
    )


def agreement_pairs(answers: dict, cams: dict) -> pd.DataFrame:
    """Pairwise agreement of several models on one image.

    Args:
        answers: Variant id → ``resnext_app.answers.Answer``.
        cams: Variant id → its Grad-CAM map (of its own top-1 class).

    Returns:
        One row per pair: same top-1, top-5 overlap, Jensen–Shannon divergence, heatmap correlation.
        Models with different classes (a classifier of your own beside an ImageNet one) share only
        the heatmap correlation; the rest is None.
    """
    rows = []
    for a, b in combinations(answers, 2):
        pa, pb = answers[a].probabilities, answers[b].probabilities
        corr = map_correlation(cams[a], cams[b]) if a in cams and b in cams else None
        same = pa.shape == pb.shape
        rows.append({
            "model A": a, "model B": b,
            "same top-1": answers[a].top[0].index == answers[b].top[0].index if same else None,
            "top-5 overlap": f"{topk_overlap(pa, pb, 5)}/5" if same else None,
            "JS divergence (bits)": round(js_divergence(pa, pb), 4) if same else None,
            "heatmap correlation": None if corr is None else round(corr, 3),
        })
    return pd.DataFrame(rows)


def percent_table(table: pd.DataFrame):
    """A table of percentages for people: one decimal, a missing figure as "—" (a pandas Styler)."""
    numeric = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])]
    return table.style.format({c: "{:.1f}" for c in numeric}, na_rep="—")


def latency() -> tuple[dict, pd.DataFrame]:
    """The latencies ``python -m benchmarks.cost`` measured (``assets/latency.json``).

    Returns:
        The machine (cpu, isa, threads, date, engine) and one row per variant: ``id``,
        ``default_ms``, ``fast_ms`` (NaN where skipped) and ``skipped`` (the reason, or "").
    """
    report = json.loads((ASSETS_DIR / "latency.json").read_text(encoding="utf-8"))
    rows = [{"id": vid, "default_ms": r.get("default_ms"), "fast_ms": r.get("fast_ms"), "skipped": r.get("skipped", "")}
            for vid, r in report["variants"].items()]
    machine = {k: v for k, v in report.items() if k != "variants"}
    return machine, pd.DataFrame(rows).astype({"default_ms": float, "fast_ms": float})


def network_seconds(variants: Sequence[Variant]) -> float:
    """One image through each of the variants, from ``assets/latency.json`` (100 ms where unmeasured)."""
    _, measured = latency()
    ms = measured.set_index("id")["default_ms"].to_dict()
    return sum(ms.get(v.id) if not math.isnan(ms.get(v.id, math.nan)) else UNMEASURED_MS for v in variants) / 1000
