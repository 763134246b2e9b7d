"""A static Space folder: the built browser edition and the README whose front matter configures the Space."""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path
from typing import Any, Sequence

from ..errors import ResNeXtError, WeightsError
from ..integrity import read_lock

__all__ = ["ISOLATION_HEADERS", "pin_catalog", "space_readme", "write_static_space"]

# What makes the page cross-origin isolated (WebAssembly threads); a Space's front matter wants them lowercase.
ISOLATION_HEADERS = {"cross-origin-embedder-policy": "require-corp", "cross-origin-opener-policy": "same-origin",
                     "cross-origin-resource-policy": "cross-origin"}
_SHA256 = re.compile(r"[0-9a-f]{64}")


def space_readme(rows: Sequence[dict[str, Any]], title: str = "ResNeXt Explorer") -> str:
    """The README.md of the static Space: front matter, then what it runs and under which licences.

    Args:
        rows: The catalog's variants (:func:`resnext.export.catalog_json`).
        title: The Space's title.

    Returns:
        The file's text.
    """
    runnable = [r for r in rows if r["browser"] is None and r["hub"]]
    licences: dict[str, list[str]] = {}
    for r in runnable:
        licences.setdefault(r["license"], []).append(r["hub"]["repo"])
    front = ["---", f"title: {title}", "emoji: 🔎", "colorFrom: blue", "colorTo: green", "sdk: static",
             "app_file: index.html", "pinned: false", "license: apache-2.0", "short_description: SSL, SWSL and IG "
             "ResNeXt classifiers, run in your browser", "models:", *(f"  - {r['hub']['repo']}" for r in runnable),
             "custom_headers:", *(f"  {k}: {v}" for k, v in ISOLATION_HEADERS.items()), "---", ""]
    body = [f"# {title}", "",
            "Facebook's semi-supervised (SSL), semi-weakly supervised (SWSL) and Instagram weakly supervised (IG) "
            "ResNeXt ImageNet classifiers, with torchvision's supervised ResNeXts as the baseline, run in the "
            "visitor's own browser (onnxruntime-web): classify a photo, see its top-5 and where the model looked, "
            "put models side by side, compare the variants. No photo leaves the device; no server runs.", "",
            "The page holds no weights: it downloads timm's `model.safetensors` from each model's repo on the Hub "
            "once, and the browser keeps it. Each model keeps its own licence:", "",
            *(f"- **{lic}**{' (non-commercial use only)' if lic.upper().startswith('CC-BY-NC') else ''}: "
              + ", ".join(f"[{repo}](https://huggingface.co/{repo})" for repo in repos) for lic, repos in licences.items()),
            "", "Not in the browser (the Python app runs them): "
            + "; ".join(f"{r['id']}: {r['browser']}" for r in rows if r["browser"] is not None) + ".", "",
            "The page's code is Apache-2.0; onnxruntime-web (in `ort/`) is MIT. The sample photos' licences are in "
            "`samples/LICENSES.md`.", ""]
    return "\n".join(front + body)


def pin_catalog(listing: dict[str, Any], lock: Path) -> dict[str, Any]:
    """The site's catalog with the publisher's lock in it: each locked variant's ``hub`` entry gains the
    ``sha256``, ``size`` and (where the lock knows it) ``revision`` of the file, which the page then
    checks every download against instead of the Hub's own word.

    Args:
        listing: The built site's ``models/catalog.json``.
        lock: A lock file written by ``resnext lock`` on a machine that has the weights.

    Returns:
        A new catalog (``listing`` is left as it is).

    Raises:
        ResNeXtError: The lock is missing or malformed, names a variant the catalog does not list, or
            pins another file than the Hub's one the page downloads.
    """
    try:
        entries = read_lock(lock)
    except WeightsError as exc:
        raise ResNeXtError(f"{exc.message}; write it again with `resnext lock` (nothing was written).") from None
    if entries is None:
        raise ResNeXtError(f"There is no lock file {lock}; write one with `resnext lock` on a machine that has the "
                           "weights (nothing was written).")
    pinned = copy.deepcopy(listing)
    rows = {row["id"]: row for row in pinned["variants"]}
    for vid, entry in entries.items():
        row = rows.get(vid)
        if row is None:
            raise ResNeXtError(f"The lock file {lock} names {vid}, which this site's catalog does not list; lock "
                               "only the site's variants (nothing was written).")
        if not _SHA256.fullmatch(entry.sha256) or entry.size <= 0:
            raise ResNeXtError(f"The lock file {lock} gives {vid} no valid SHA-256 and size; write it again with "
                               "`resnext lock` (nothing was written).")
        where = row["hub"]
        if where is None:
            continue  # no Hub file to check: the page does not download it
        if entry.revision is None and entry.origin != f"Hub {where['repo']}":
            raise ResNeXtError(f"The lock file {lock} pins {vid} as taken from {entry.origin}, not the Hub's "
                               f"{where['repo']}/{where['file']} that the page downloads; lock it from the Hub "
                               f"(`resnext lock {vid} --source hub`) (nothing was written).")
        where.update(sha256=entry.sha256, size=entry.size, **({"revision": entry.revision} if entry.revision else {}))
    return pinned


def write_static_space(site: Path, out: Path, hub: str | None = None, lock: Path | None = None) -> list[Path]:
    """Write a static Space folder ready to upload: the built site and its README.

    Args:
        site: The built site (``web/dist`` after ``npm ci && npm run build`` in ``web/``).
        out: A new or empty folder.
        hub: Another Hub endpoint for the page's ``config.json`` (a mirror); default: the site's.
        lock: The publisher's lock file (``resnext lock``): its hashes go into the Space's catalog
            (:func:`pin_catalog`); the built site's own catalog is left as it is.

    Returns:
        The files written.

    Raises:
        ResNeXtError: The site is not built, ``out`` holds files already (nothing is overwritten), the
            lock cannot be used (:func:`pin_catalog`), or it cannot be written.
    """
    if not (site / "index.html").is_file() or not (site / "models" / "catalog.json").is_file():
        raise ResNeXtError(f"There is no built site in {site}; build it first: cd web && npm ci && npm run build.")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ResNeXtError(f"{out} is not an empty folder; choose a new one (nothing was written).")
    listing = json.loads((site / "models" / "catalog.json").read_text())
    pinned = pin_catalog(listing, lock) if lock is not None else None  # refused before anything is written
    try:
        shutil.copytree(site, out, dirs_exist_ok=True)
        (out / "README.md").write_text(space_readme(listing["variants"]), encoding="utf-8")
        if pinned is not None:
            (out / "models" / "catalog.json").write_text(json.dumps(pinned, indent=1) + "\n")
        if hub:
            (out / "config.json").write_text(json.dumps({"hub": hub.rstrip("/")}) + "\n")
    except OSError as exc:
        raise ResNeXtError(f"Cannot write the Space into {out} ({exc.strerror or exc}); choose another folder.") from None
    return sorted(p for p in out.rglob("*") if p.is_file())
