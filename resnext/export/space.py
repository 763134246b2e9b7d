"""A static Space folder: the built browser edition and the README whose front matter configures the Space."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Sequence

from ..errors import ResNeXtError

__all__ = ["ISOLATION_HEADERS", "space_readme", "write_static_space"]

# What makes the page cross-origin isolated (WebAssembly threads); a Space's front matter wants them lowercase.
ISOLATION_HEADERS = {"cross-origin-embedder-policy": "require-corp", "cross-origin-opener-policy": "same-origin",
                     "cross-origin-resource-policy": "cross-origin"}


def space_readme(rows: Sequence[dict[str, Any]], title: str = "ResNeXt Explorer") -> str:
    """The README.md of the static Space: front matter, then what it runs and under which licences.

    Args:
        rows: The catalog's variants ([`resnext.export.catalog_json`][resnext.export.catalog.catalog_json]).
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


def write_static_space(site: Path, out: Path, hub: str | None = None) -> list[Path]:
    """Write a static Space folder ready to upload: the built site and its README.

    Args:
        site: The built site (``web/dist`` after ``npm ci && npm run build`` in ``web/``).
        out: A new or empty folder.
        hub: Another Hub endpoint for the page's ``config.json`` (a mirror); default: the site's.

    Returns:
        The files written.

    Raises:
        ResNeXtError: The site is not built, ``out`` holds files already (nothing is overwritten), or it
            cannot be written.
    """
    if not (site / "index.html").is_file() or not (site / "models" / "catalog.json").is_file():
        raise ResNeXtError(f"There is no built site in {site}; build it first: cd web && npm ci && npm run build.")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ResNeXtError(f"{out} is not an empty folder; choose a new one (nothing was written).")
    try:
        shutil.copytree(site, out, dirs_exist_ok=True)
        listing = json.loads((site / "models" / "catalog.json").read_text())
        (out / "README.md").write_text(space_readme(listing["variants"]), encoding="utf-8")
        if hub:
            (out / "config.json").write_text(json.dumps({"hub": hub.rstrip("/")}) + "\n")
    except OSError as exc:
        raise ResNeXtError(f"Cannot write the Space into {out} ({exc.strerror or exc}); choose another folder.") from None
    return sorted(p for p in out.rglob("*") if p.is_file())
