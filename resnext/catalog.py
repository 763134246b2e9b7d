"""The catalog of variants, parsed once from the model-index YAML files under ``assets/``.

Every number shown or used for a variant (accuracy, FLOPs, parameters, file size, the
weights URL, the preprocessing) comes from those files; nothing here retypes one.
Extra files named in ``RESNEXT_MODEL_INDEX`` (separated by ``os.pathsep``; a folder
stands for the ``*.yaml`` files in it) add variants or replace built-in ones. ``Weights`` may be
an ``http(s)://`` or ``file://`` URL or a path (relative to the YAML file). Beyond the
standard model-index keys, an entry's ``Metadata`` may set ``Cardinality``, ``Width Per
Group`` (otherwise read from the id, ``..._32x4d``), ``Num Classes``, ``Labels`` (a text
file beside the YAML, one class name per line), ``License``, ``Resize Size`` (the short side before
the centre crop, exact where ``Crop Pct`` is a rounded ratio), and ``Pre-training Data`` /
``Fine-tuning Data`` (the training stages in time; the standard ``Training Data`` is unordered).

This module imports neither torch nor Streamlit, so pages that only show metadata stay light.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml

from .errors import CatalogError, UnknownVariantError

__all__ = [
    "ASSETS_DIR",
    "Family",
    "Variant",
    "Registry",
    "families",
    "get_variant",
    "list_variants",
    "registry",
]

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"
MODEL_INDEX_ENV = "RESNEXT_MODEL_INDEX"
_ARCH_RE = re.compile(r"resnext(?P<depth>\d+)_(?P<cardinality>\d+)x(?P<width>\d+)d$")


@dataclass(frozen=True)
class Family:
    """Facts about a family of checkpoints that the model-index does not carry."""

    name: str
    collection: str
    title: str
    tag: str
    license: str
    fine_tuned_on: str | None = None


@dataclass(frozen=True)
class Variant:
    """One pretrained classifier, as its model-index entry describes it."""

    id: str
    family: str
    architecture: str
    timm_name: str | None
    depth: int
    cardinality: int
    width_per_group: int
    top1: float | None
    top5: float | None
    flops: int | None
    parameters: int | None
    file_size: int | None  # bytes; a publisher's rounded figure where ``file_size_exact`` is False
    weights_url: str  # the model-index ``Weights``: a URL, or an absolute path to a local file
    training_data: tuple[str, ...]  # as the model-index lists it (alphabetically, not in time)
    training_stages: tuple[tuple[str, ...], ...]  # in the order they happened, e.g. (("YFCC-100M",), ("ImageNet",))
    epochs: int | None
    gpus: int | None
    crop_pct: float
    interpolation: str
    image_size: int
    resize_size: int | None  # the short side before the centre crop, where the model-index states it
    paper_title: str
    paper_url: str
    license: str
    num_classes: int = 1000
    file_size_exact: bool = True  # False: to show, not to check a download against
    labels_file: Path | None = None
    source: Path | None = None

    @property
    def file_name(self) -> str:
        """The checkpoint's file name, the last part of its URL."""
        return self.weights_url.rstrip("/").rsplit("/", 1)[-1]

    @property
    def training_path(self) -> str:
        """The training data in the order it was used, e.g. ``'YFCC-100M → ImageNet'``, or ``'—'``."""
        return " → ".join(", ".join(stage) for stage in self.training_stages) or "—"

    @property
    def non_commercial(self) -> bool:
        """Whether the weights' licence forbids commercial use (a Creative Commons ``-NC`` licence)."""
        return "-NC" in self.license.upper()

    @property
    def size_label(self) -> str:
        """The checkpoint size for people, e.g. ``'356 MB'``."""
        return format_bytes(self.file_size)


def format_bytes(n: int | None) -> str:
    """Format a byte count with decimal units (as file managers and the model cards do).

    Args:
        n: A number of bytes, or None when unknown.

    Returns:
        A short string such as ``'777.5 MB'``, or ``'unknown size'``.
    """
    if n is None:
        return "unknown size"
    for unit in ("B", "kB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


def format_optional(value: float | None, fmt: str) -> str:
    """Format a figure that a model-index entry may lack, as ``'—'`` when it does.

    Args:
        value: The figure, or None.
        fmt: A ``str.format`` pattern such as ``'{:.2f}%'``.

    Returns:
        The formatted figure or a dash.
    """
    return "—" if value is None else fmt.format(value)


class Registry:
    """Variants keyed by model-index id, with timm's tagged names as aliases."""

    def __init__(self) -> None:
        self._variants: dict[str, Variant] = {}
        self._aliases: dict[str, str] = {}

    def register(self, variant: Variant, *, replace: bool = False) -> None:
        """Add a variant.

        Args:
            variant: The variant to add.
            replace: Allow replacing a variant of the same id (how extra model-index
                files override built-in entries).

        Raises:
            CatalogError: If the id (or its alias) is already registered and ``replace`` is False.
        """
        if not replace and variant.id in self._variants:
            raise CatalogError(
                f"The variant {variant.id!r} is defined twice ({self._variants[variant.id].source} "
                f"and {variant.source}); remove one of the entries."
            )
        old = self._variants.get(variant.id)
        if old is not None and old.timm_name:
            self._aliases.pop(old.timm_name, None)
        if variant.timm_name:
            owner = self._aliases.get(variant.timm_name)
            if owner is not None and owner != variant.id:
                raise CatalogError(
                    f"The timm name {variant.timm_name!r} of {variant.id!r} already belongs to "
                    f"{owner!r}; give the variants distinct ids or collections."
                )
            self._aliases[variant.timm_name] = variant.id
        self._variants[variant.id] = variant

    def __iter__(self):
        return iter(self._variants.values())

    def __len__(self) -> int:
        return len(self._variants)

    def aliases(self) -> dict[str, str]:
        """Return a copy of the alias table (timm tagged name → id)."""
        return dict(self._aliases)

    def get(self, name: str) -> Variant:
        """Look a variant up by id or timm tagged name.

        Args:
            name: A model-index id (``swsl_resnext50_32x4d``) or a timm tagged name
                (``resnext50_32x4d.fb_swsl_ig1b_ft_in1k``); case and surrounding space are ignored.

        Returns:
            The variant.

        Raises:
            UnknownVariantError: If nothing matches; the message lists the valid ids and
                suggests the closest one.
        """
        key = name.strip().lower()
        if key in self._variants:
            return self._variants[key]
        if key in self._aliases:
            return self._variants[self._aliases[key]]
        candidates = list(self._variants) + list(self._aliases)
        close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise UnknownVariantError(
            f"Unknown model {name!r}: {hint}valid ids are {', '.join(sorted(self._variants))}."
        )


@functools.lru_cache(maxsize=1)
def families() -> dict[str, Family]:
    """Return the known families (SSL, SWSL, IG) from ``assets/families.yaml``.

    Returns:
        Families keyed by short name.
    """
    data = _read_yaml(ASSETS_DIR / "families.yaml")
    return {name: Family(name=name, **fields) for name, fields in data.items()}


def registry() -> Registry:
    """Return the registry for the current value of ``RESNEXT_MODEL_INDEX``.

    Returns:
        The built-in variants, plus or replaced by those of the extra files.

    Raises:
        CatalogError: If a model-index file is missing, malformed or defines an id twice.
    """
    return _build_registry(os.environ.get(MODEL_INDEX_ENV, ""))


def list_variants() -> list[Variant]:
    """Return every variant, in catalog order (family, then size).

    Returns:
        The variants.

    Raises:
        CatalogError: If a model-index file cannot be read.
    """
    return list(registry())


def get_variant(name: str) -> Variant:
    """Return one variant by id or timm tagged name.

    Args:
        name: The id or alias.

    Returns:
        The variant.

    Raises:
        UnknownVariantError: If the name is not in the catalog.
    """
    return registry().get(name)


@functools.lru_cache(maxsize=8)
def _build_registry(extra: str) -> Registry:
    reg = Registry()
    builtin = sorted((ASSETS_DIR / "model-index").glob("*.yaml"))
    for variant in _sorted(v for path in builtin for v in _parse_file(path)):
        reg.register(variant)
    for path in _extra_files(extra):
        seen: set[str] = set()
        for variant in _parse_file(path):
            if variant.id in seen:
                raise CatalogError(f"The variant {variant.id!r} is defined twice in {path}; remove one.")
            seen.add(variant.id)
            reg.register(variant, replace=True)
    return reg


def _sorted(variants: Iterable[Variant]) -> list[Variant]:
    order = {name: i for i, name in enumerate(families())}
    return sorted(
        variants,
        key=lambda v: (order.get(v.family, len(order)), v.depth, v.cardinality * v.width_per_group),
    )


def _extra_files(value: str) -> list[Path]:
    files: list[Path] = []
    for part in filter(None, (p.strip() for p in value.split(os.pathsep))):
        path = Path(part).expanduser()
        if path.is_dir():
            files.extend(sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml")))
        elif path.is_file():
            files.append(path)
        else:
            raise CatalogError(
                f"{MODEL_INDEX_ENV} names {str(path)!r}, which does not exist; fix or unset the variable."
            )
    return files


def _read_yaml(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"Cannot read the model-index file {path} ({exc}); check that it is valid YAML.") from exc


def _parse_file(path: Path) -> list[Variant]:
    data = _read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("Models"), list):
        raise CatalogError(f"{path} is not a model-index file: it has no 'Models' list.")
    papers = {c.get("Name"): c.get("Paper") or {} for c in data.get("Collections") or []}
    variants = []
    for entry in data["Models"]:
        try:
            variants.append(_parse_model(entry, papers, path))
        except (KeyError, TypeError, ValueError) as exc:
            name = entry.get("Name", "?") if isinstance(entry, dict) else "?"
            raise CatalogError(f"The entry {name!r} in {path} is incomplete or malformed ({exc!r}).") from exc
    return variants


def _parse_model(entry: dict, papers: dict, path: Path) -> Variant:
    meta = entry.get("Metadata") or {}
    vid = str(meta.get("ID", entry["Name"])).strip().lower()
    match = _ARCH_RE.search(vid)
    if match is None:
        raise ValueError(f"id {vid!r} does not end in resnext<depth>_<cardinality>x<width>d")
    architecture = match.group(0)
    collection = entry.get("In Collection", "")
    family = next((f for f in families().values() if f.collection == collection), None)
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
