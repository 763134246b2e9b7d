"""What others measured for these models, and what the papers claimed, from ``assets/reference-results/``.

timm's evaluations put each variant (torchvision's supervised ResNeXts, the baseline, among them) on
ImageNet-1k, ReaL, ImageNetV2, ImageNet-Sketch, ImageNet-A and ImageNet-R: the figures that show
what the extra training data buys. The papers' own accuracies stand beside timm's measurements.
Every figure is read from the files; nothing here retypes one. Like [`resnext.catalog.index`][],
this module imports neither torch nor Streamlit.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass

import yaml

from ..catalog.index import ASSETS_DIR, registry
from ..errors import CatalogError

__all__ = ["Claim", "Dataset", "Measurement", "claims", "datasets", "measurements"]

REFERENCE_DIR = ASSETS_DIR / "reference-results"
GAP_POINTS = 0.5  # a claim further than this from the measurement is flagged


@dataclass(frozen=True)
class Dataset:
    """An evaluation set, with one sentence on what it tests."""

    key: str  # timm's name, e.g. "imagenet-a"
    title: str
    short: str  # a column header, e.g. "IN-A"
    tests: str
    control: str | None = None  # the in-distribution control set, for ImageNet-A and -R


@dataclass(frozen=True)
class Measurement:
    """One model's accuracy on one data set, as timm measured it."""

    model: str  # the variant id
    family: str  # SSL, SWSL, IG, Supervised V1 or Supervised V2
    architecture: str
    dataset: str
    top1: float
    top5: float


@dataclass(frozen=True)
class Claim:
    """A published ImageNet-1k accuracy beside timm's measurement of the released checkpoint."""

    model: str
    claimed_top1: float
    claimed_top5: float
    source: str
    measured_top1: float | None
    measured_top5: float | None
    explanation: str | None = None
    explanation_source: str | None = None

    @property
    def gap(self) -> float | None:
        """Measured minus claimed top-1, in points; None when there is no measurement."""
        return None if self.measured_top1 is None else round(self.measured_top1 - self.claimed_top1, 3)

    @property
    def flagged(self) -> bool:
        """Whether the measurement misses the claim by more than
        [`GAP_POINTS`][resnext.published.references.GAP_POINTS]."""
        return self.gap is not None and abs(self.gap) > GAP_POINTS


@functools.lru_cache(maxsize=1)
def _sources() -> dict:
    try:
        return yaml.safe_load((REFERENCE_DIR / "sources.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"Cannot read {REFERENCE_DIR / 'sources.yaml'} ({exc}); reinstall the app.") from exc


@functools.lru_cache(maxsize=4)
def _rows(name: str) -> tuple[dict[str, str], ...]:
    """A CSV file's rows, read once per process (the files ship with the app and do not change)."""
    try:
        with open(REFERENCE_DIR / name, newline="", encoding="utf-8") as f:
            return tuple(csv.DictReader(f))
    except OSError as exc:
        raise CatalogError(f"Cannot read {REFERENCE_DIR / name} ({exc.strerror}); reinstall the app.") from exc


def datasets() -> list[Dataset]:
    """Return the evaluation sets in the order to show them (ImageNet-1k first).

    Raises:
        CatalogError: The reference files cannot be read.
    """
    return [Dataset(key=key, **fields) for key, fields in _sources()["datasets"].items()]


def measurements() -> list[Measurement]:
    """Return timm's measurements of the catalog's variants (the supervised baselines among them).

    Returns:
        One entry per (model, data set), named by variant id.

    Raises:
        CatalogError: The reference files cannot be read, or a row names a model the catalog does not know.
    """
    catalog = registry()
    aliases = catalog.aliases()
    result = []
    for row in _rows("timm-results.csv"):
        name = row["timm_name"]
        if name not in aliases:
            raise CatalogError(f"timm-results.csv names {name!r}, which the catalog does not know.")
        v = catalog.get(aliases[name])
        result.append(Measurement(v.id, v.family, v.architecture, row["dataset"], float(row["top1"]), float(row["top5"])))
    return result


def claims() -> list[Claim]:
    """Return each variant's published accuracy beside timm's ImageNet-1k measurement.

    Raises:
        CatalogError: The reference files cannot be read.
    """
    measured = {m.model: m for m in measurements() if m.dataset == "imagenet"}
    notes = _sources().get("claim_notes") or {}
    result = []
    for row in _rows("paper-claims.csv"):
        m = measured.get(row["id"])
        note = notes.get(row["id"]) or {}
        result.append(Claim(
            model=row["id"], claimed_top1=float(row["top1"]), claimed_top5=float(row["top5"]), source=row["source"],
            measured_top1=m.top1 if m else None, measured_top5=m.top5 if m else None,
            explanation=note.get("explanation"), explanation_source=note.get("source"),
        ))
    return result

