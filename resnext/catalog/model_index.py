"""Reading one model-index entry: its figures as they are, the rest derived (architecture from the id,
the timm name from the family's tag, the training stages in time, a rounded size with its unit)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from .variant import Family, Variant

__all__ = ["parse_model"]

_ARCH_RE = re.compile(r"resnext(?P<depth>\d+)_(?P<cardinality>\d+)x(?P<width>\d+)d$")


def parse_model(entry: dict, papers: dict, path: Path, families: dict[str, Family]) -> Variant:
    """One ``Models`` entry of a model-index file as a Variant.

    Args:
        entry: The entry.
        papers: Each collection's ``Paper``, by collection name.
        path: The file (relative paths in the entry are against its folder).
        families: The known families, to find the entry's by its collection.

    Returns:
        The variant; every figure is the entry's, or derived from it (the timm name from the family's tag).

    Raises:
        KeyError, TypeError, ValueError: The entry lacks a required key or holds a malformed value.
    """
    meta = entry.get("Metadata") or {}
    vid = str(meta.get("ID", entry["Name"])).strip().lower()
    match = _ARCH_RE.search(vid)
    if match is None:
        raise ValueError(f"id {vid!r} does not end in resnext<depth>_<cardinality>x<width>d")
    architecture = match.group(0)
    collection = entry.get("In Collection", "")
    family = next((f for f in families.values() if f.collection == collection), None)
    metrics = _metrics(entry)
    paper = papers.get(collection) or {}
    labels = meta.get("Labels")
    return Variant(
        id=vid,
        family=family.name if family else (collection or "custom"),
        architecture=architecture,
        timm_name=f"{architecture}.{family.tag}" if family else None,
        depth=int(meta.get("Layers", match.group("depth"))),
        cardinality=int(meta.get("Cardinality", match.group("cardinality"))),
        width_per_group=int(meta.get("Width Per Group", match.group("width"))),
        top1=_percent(metrics.get("Top 1 Accuracy")),
        top5=_percent(metrics.get("Top 5 Accuracy")),
        flops=_int_or_none(meta.get("FLOPs")),
        parameters=_int_or_none(meta.get("Parameters")),
        file_size=_file_size(meta.get("File Size")),
        file_size_exact=not isinstance(meta.get("File Size"), str),
        weights_url=_weights_source(str(entry["Weights"]), path),
        training_data=tuple(meta.get("Training Data") or ()),
        training_stages=_stages(meta, family),
        epochs=_int_or_none(meta.get("Epochs")),
        gpus=_gpus(meta.get("Training Resources")),
        crop_pct=float(meta.get("Crop Pct", 0.875)),
        interpolation=str(meta.get("Interpolation", "bilinear")),
        image_size=int(meta.get("Image Size", 224)),
        resize_size=_int_or_none(meta.get("Resize Size")),
        paper_title=str(paper.get("Title", "")),
        paper_url=str(paper.get("URL", "")),
        license=str(meta.get("License") or (family.license if family else "unknown")),
        num_classes=int(meta.get("Num Classes", 1000)),
        labels_file=(path.parent / labels).resolve() if labels else None,
        source=path.resolve(),
    )


def _weights_source(value: str, index_file: Path) -> str:
    """A URL as it is; a path made absolute, a relative one against the model-index file's folder."""
    value = value.strip()
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", value):
        return value
    return os.path.normpath(index_file.resolve().parent / Path(value).expanduser())


def _stages(meta: dict, family: Family | None) -> tuple[tuple[str, ...], ...]:
    """Training data by stage, in time: explicit ``Pre-training Data`` / ``Fine-tuning Data`` keys,
    else the family's fine-tuning set last, else the listed data as one stage."""
    listed = tuple(meta.get("Training Data") or ())
    if "Pre-training Data" in meta or "Fine-tuning Data" in meta:
        stages = [tuple(_as_list(meta.get("Pre-training Data"))), tuple(_as_list(meta.get("Fine-tuning Data")))]
    elif family and family.fine_tuned_on in listed:
        stages = [tuple(d for d in listed if d != family.fine_tuned_on), (family.fine_tuned_on,)]
    else:
        stages = [listed]
    return tuple(stage for stage in stages if stage)


def _as_list(value: Any) -> list[str]:
    return [] if value is None else [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _metrics(entry: dict) -> dict:
    for result in entry.get("Results") or []:
        if result.get("Dataset") == "ImageNet":
            return result.get("Metrics") or {}
    return {}


def _percent(value: Any) -> float | None:
    if value is None:
        return None
    return float(str(value).rstrip("%"))


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def _file_size(value: Any) -> int | None:
    """Bytes: an integer as it is, or a size with its unit as a publisher rounds it (``"95.789 MiB"``)."""
    if not isinstance(value, str):
        return _int_or_none(value)
    number, _, unit = value.strip().partition(" ")
    scale = {"B": 1, "kB": 10**3, "MB": 10**6, "GB": 10**9, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30}.get(unit)
    if scale is None:
        raise ValueError(f"unknown unit {unit!r}")
    return round(float(number) * scale)


def _gpus(value: Any) -> int | None:
    match = re.match(r"\s*(\d+)\s*x", str(value or ""))
    return int(match.group(1)) if match else None
