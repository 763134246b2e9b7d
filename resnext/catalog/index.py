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
from pathlib import Path
from typing import Any, Iterable

import yaml

from .. import environment
from ..errors import CatalogError, UnknownVariantError
from .model_index import parse_model
from .variant import Family, Variant

__all__ = [
    "ASSETS_DIR",
    "Registry",
    "families",
    "get_variant",
    "list_variants",
    "registry",
]

ASSETS_DIR = Path(__file__).resolve().parents[2] / "assets"
MODEL_INDEX_ENV = environment.MODEL_INDEX.name


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
            variants.append(parse_model(entry, papers, path, families()))
        except (KeyError, TypeError, ValueError) as exc:
            name = entry.get("Name", "?") if isinstance(entry, dict) else "?"
            raise CatalogError(f"The entry {name!r} in {path} is incomplete or malformed ({exc!r}).") from exc
    return variants


