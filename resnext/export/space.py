"""A static Space folder: the built browser edition and the README whose front matter configures the Space."""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path
from typing import Any, Sequence

from ..errors import ResNeXtError, WeightsError
from ..weights.lock import read_lock

__all__ = ["ISOLATION_HEADERS", "LOGIN", "pin_catalog", "push_space", "space_readme", "static_address",
           "write_static_space"]

# What makes the page cross-origin isolated (WebAssembly threads); a Space's front matter wants them lowercase.
ISOLATION_HEADERS = {"cross-origin-embedder-policy": "require-corp", "cross-origin-opener-policy": "same-origin",
                     "cross-origin-resource-policy": "cross-origin"}
_SHA256 = re.compile(r"[0-9a-f]{64}")
# What a person without a usable token does (a token of the Write role, from huggingface.co/settings/tokens).
LOGIN = "run `hf auth login` with a token of the Write role, or set HF_TOKEN to one"


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
            (``pin_catalog``); the built site's own catalog is left as it is.

    Returns:
        The files written.

    Raises:
        ResNeXtError: The site is not built, ``out`` holds files already (nothing is overwritten), the
            lock cannot be used (``pin_catalog``), or it cannot be written.
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


def static_address(repo_id: str) -> str:
    """The address where a static Space's page is served alone: ``https://OWNER-NAME.static.hf.space``.

    Args:
        repo_id: ``OWNER/NAME``.

    Returns:
        The address; the Hub makes the subdomain lowercase and turns ``_`` and ``.`` into ``-``.
    """
    return "https://" + repo_id.replace("/", "-").replace("_", "-").replace(".", "-").lower() + ".static.hf.space"


def push_space(folder: Path, repo_id: str, endpoint: str | None = None) -> tuple[str, str]:
    """Create the static Space ``repo_id`` if it does not exist, and upload ``folder`` to it in one commit.

    Args:
        folder: A folder that :func:`write_static_space` wrote.
        repo_id: ``OWNER/NAME`` of the Space.
        endpoint: The Hub's address (default: huggingface_hub's, ``$HF_ENDPOINT`` or huggingface.co).

    Returns:
        The Space's page and the address of the page alone (:func:`static_address`).

    Raises:
        ResNeXtError: ``repo_id`` is not ``OWNER/NAME``, the folder is not a static Space's, there is no
            token or the Hub refuses it, or the Hub cannot be reached.
    """
    import huggingface_hub
    from huggingface_hub.errors import HfHubHTTPError

    owner, _, name = repo_id.partition("/")
    if not owner or not name or "/" in name:
        raise ResNeXtError(f"{repo_id!r} is not a Space's name; write it as OWNER/NAME, e.g. you/resnext-explorer.")
    readme = folder / "README.md"
    if not (folder / "index.html").is_file() or not readme.is_file() or "sdk: static" not in readme.read_text():
        raise ResNeXtError(f"{folder} is not a static Space's folder; write one first: resnext space static {folder}.")
    api = huggingface_hub.HfApi(endpoint=endpoint)
    if api.token is None and huggingface_hub.get_token() is None:
        raise ResNeXtError(f"You are not logged in to Hugging Face; {LOGIN}, then run this again.")
    try:
        url = api.create_repo(repo_id, repo_type="space", space_sdk="static", exist_ok=True)
        api.upload_folder(repo_id=repo_id, repo_type="space", folder_path=folder,
                          commit_message="Publish the static Space (resnext space push)")
    except HfHubHTTPError as exc:
        status = exc.response.status_code if exc.response is not None else None
        if status in (401, 403):
            raise ResNeXtError(f"Hugging Face refused to let this token write to {repo_id} (HTTP {status}); "
                               f"{LOGIN} that may write to {owner}'s Spaces, then run this again.") from None
        raise ResNeXtError(f"Hugging Face answered HTTP {status} while publishing {repo_id}, which keeps what it "
                           "had (a commit is whole or nothing); try again later.") from None
    except Exception as exc:  # no network: huggingface_hub's transport raises its own errors, not OSError
        if not isinstance(exc, OSError) and not type(exc).__module__.startswith(("httpx", "requests", "urllib3")):
            raise
        raise ResNeXtError(f"Cannot reach {api.endpoint} ({exc.__class__.__name__}); check the network and run "
                           "this again.") from None
    return str(url), static_address(repo_id)
