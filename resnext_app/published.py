"""The "What the extra data buys" page's tables: what others measured (resnext.published), as pandas."""

from __future__ import annotations

import pandas as pd

import resnext
from resnext.published import references


def measurements_frame() -> pd.DataFrame:
    """timm's measurements, one row per (model, data set), with the data set's title.

    Every catalog variant appears; one that timm never evaluated has no rows and shows as "—"
    in :func:`robustness_table`.
    """
    sets = references.datasets()
    df = pd.DataFrame([vars(m) for m in references.measurements()])
    df["dataset_title"] = df["dataset"].map({d.key: d.title for d in sets})
    df["dataset_short"] = df["dataset"].map({d.key: d.short for d in sets})
    return df


def robustness_table(long: pd.DataFrame, metric: str = "top1") -> pd.DataFrame:
    """Models as rows, data sets as columns headed by their short names, in the order of
    :func:`resnext.published.references.datasets`.

    Args:
        long: :func:`measurements_frame` rows.
        metric: ``"top1"`` or ``"top5"``.

    Returns:
        Columns Family, Model, then one per data set title; a missing figure is NaN.
    """
    # Every variant, measured or not, the supervised baseline first, the rest in catalog order.
    variants = sorted(resnext.list_variants(), key=lambda v: not v.family.startswith("Supervised"))
    wide = long.pivot_table(index="model", columns="dataset_short", values=metric)
    wide = wide.reindex(index=[v.id for v in variants], columns=[d.short for d in references.datasets()])
    wide.insert(0, "Family", [v.family for v in variants])
    return wide.rename_axis(index="Model", columns=None).reset_index()[["Family", "Model", *wide.columns[1:]]]


def architectures_trained_ways(long: pd.DataFrame, at_least: int = 3) -> list[str]:
    """Architectures measured after at least ``at_least`` ways of training, smallest first."""
    size = {v.architecture: (v.depth, v.cardinality, v.width_per_group) for v in resnext.list_variants()}
    ways = long.groupby("architecture")["family"].nunique()
    return sorted((a for a, n in ways.items() if n >= at_least), key=size.__getitem__)


def claims_frame() -> pd.DataFrame:
    """Each variant's published ImageNet-1k top-1 beside timm's measurement, gaps over half a point flagged."""
    return pd.DataFrame([
        {"Model": c.model, "Claimed top-1 %": c.claimed_top1, "Measured top-1 %": c.measured_top1,
         "Gap (points)": c.gap, "Flag": "⚠ over 0.5" if c.flagged else ""}
        for c in references.claims()
    ])


def claim_notes() -> list[str]:
    """One sentence per flagged gap: what explains it and where that is said, or that nothing does."""
    return [
        f"**{c.model}** ({c.gap:+.2f}): "
        + (f"{c.explanation} Source: {c.explanation_source}." if c.explanation else "no explanation is published.")
        for c in references.claims() if c.flagged
    ]
