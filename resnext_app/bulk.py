"""The Batch page's work: uploads and zips as files in memory, their rows, thumbnails and scores.

Zips are read in memory (nothing is written to the server's disk), with limits on the number of
images and on the bytes unpacked, so that a zip bomb costs nothing. When every image of a batch
sits in a folder inside a zip, the folder names are its classes (as ``resnext eval`` reads them).
"""

from __future__ import annotations

import base64
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Callable, Sequence

import pandas as pd
from PIL import Image

from resnext.bulk import Row
from resnext.bulk.evaluate import Evaluation, class_indices
from resnext.bulk.inputs import IMAGE_SUFFIXES, MAX_IMAGES, MAX_UNPACKED, MAX_UPLOAD_MB

__all__ = ["Batch", "MAX_IMAGES", "MAX_UNPACKED", "MAX_UPLOAD_MB", "results_frame", "scores_frame", "thumbnail",
           "truth", "unpack"]

# MAX_IMAGES, MAX_UNPACKED and MAX_UPLOAD_MB are the library's (resnext.bulk.inputs), which the browser edition
# reads too; server.maxUploadSize, the HTTP cap, must be at least MAX_UPLOAD_MB.
THUMBNAIL_PX = 96


@dataclass(frozen=True)
class Batch:
    """The images of one batch, in memory, and what was left out."""

    files: list[tuple[str, bytes]] = field(default_factory=list)  # (name, bytes)
    folders: dict[str, str] = field(default_factory=dict)  # name → its class folder, when every image has one
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (name, why it was left out)


def unpack(uploads: Sequence[tuple[str, bytes]], reserve: Callable[[int], None] | None = None) -> Batch:
    """Turn uploaded files and zips into the images of a batch.

    Args:
        uploads: (file name, bytes) of each uploaded file; ``.zip`` files are opened.
        reserve: Called with the size of each member before it is unpacked (:class:`resnext_app.budget.Claim`);
            it raises to refuse.

    Returns:
        The batch: images in upload order (a zip's in its own order), at most :data:`MAX_IMAGES`.

    Raises:
        ResNeXtError: ``reserve`` refused.
    """
    files: list[tuple[str, bytes]] = []
    folders: dict[str, str] = {}
    skipped: list[tuple[str, str]] = []
    unpacked = 0
    loose = False
    for name, data in uploads:
        if not name.lower().endswith(".zip"):
            loose = True
            files.append((name, data))
            continue
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            entries = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            skipped.append((name, f"{name} is not a zip archive that can be read; zip the images again."))
            continue
        for info in entries:
            path = PurePosixPath(info.filename)
            if info.is_dir() or any(part.startswith(".") or part == "__MACOSX" for part in path.parts):
                continue
            inner = f"{name}/{info.filename}"
            if path.suffix.lower() not in IMAGE_SUFFIXES:
                skipped.append((inner, f"{inner} is not an image file ({', '.join(sorted(IMAGE_SUFFIXES))})."))
                continue
            if unpacked + info.file_size > MAX_UNPACKED:
                skipped.append((inner, f"{inner} is past the {MAX_UNPACKED // 10**9} GB a batch may unpack; send the "
                                       "rest as another batch."))
                continue
            if info.flag_bits & 0x1:
                skipped.append((inner, f"{inner} is encrypted; zip it again without encryption."))
                continue
            if reserve is not None:
                reserve(info.file_size)
            try:
                content = _member(archive, info)
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
                skipped.append((inner, f"{inner} cannot be unpacked ({exc}); zip it again."))
                continue
            except zlib.error:
                skipped.append((inner, f"{inner} cannot be unpacked (its compressed data is damaged); zip it again."))
                continue
            except EOFError:
                skipped.append((inner, f"{inner} cannot be unpacked (the archive ends inside it); zip it again."))
                continue
            unpacked += len(content)
            files.append((inner, content))
            if len(path.parts) >= 2:
                folders[inner] = path.parent.name
    if len(files) > MAX_IMAGES:
        skipped += [(n, f"{n} is past the {MAX_IMAGES} images of one batch; send it in another batch.")
                    for n, _ in files[MAX_IMAGES:]]
        files = files[:MAX_IMAGES]
    if loose or any(n not in folders for n, _ in files):
        folders = {}
    return Batch(files, {n: folders[n] for n, _ in files if n in folders}, skipped)


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A member's bytes, never inflating more than its declared size (``read()`` would inflate up to 1 GiB at once
    before cutting it to that size); the CRC is checked once the declared size is reached, as ``read()`` checks it."""
    with archive.open(info) as member:
        return member.read(max(info.file_size, 1))


def truth(batch: Batch, labels: Sequence[str]) -> dict[str, int]:
    """Each image's class from its folder's name, or {} when the batch has no class folders.

    Raises:
        ResNeXtError: A folder name that is no synset id, class index or class name.
    """
    if not batch.folders:
        return {}
    indices = class_indices(sorted(set(batch.folders.values())), labels)
    return {name: indices[folder] for name, folder in batch.folders.items()}


def thumbnail(data: bytes) -> str | None:
    """A small JPEG of an image as a data URL (JPEGs decode at reduced scale: a 12 MP photo in a few ms)."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.draft("RGB", (2 * THUMBNAIL_PX, 2 * THUMBNAIL_PX))
            small = img.convert("RGB")
            small.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
    except Exception:  # noqa: BLE001 - an unreadable file has no thumbnail; its row says why
        return None
    buf = io.BytesIO()
    small.save(buf, format="JPEG", quality=80)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()


def results_frame(rows: Sequence[Row], model_ids: Sequence[str], files: dict[str, bytes],
                  thumb: Callable[[bytes], str | None] = thumbnail) -> pd.DataFrame:
    """One line per image: its thumbnail, name, status, and each model's top-1 with its probability."""
    records = []
    for row in rows:
        record = {"image": thumb(files[row.path]) if row.path in files else None, "file": row.path,
                  "status": row.status}
        for vid in model_ids:
            top = row.predictions.get(vid)
            record[f"{vid} top-1"] = top[0].label if top else None
            record[f"{vid} top-1 %"] = round(100 * top[0].probability, 1) if top else None
        records.append(record)
    return pd.DataFrame(records)


def scores_frame(evaluation: Evaluation) -> pd.DataFrame:
    """Each model's accuracy on the batch's classes, with 95% intervals and the published figure beside."""
    return pd.DataFrame([{
        "model": s.model, "images": s.images,
        "top-1 %": round(100 * s.top1, 1), "top-1 95% interval": _interval(s.top1_interval),
        "top-5 %": round(100 * s.top5, 1), "top-5 95% interval": _interval(s.top5_interval),
        "published top-1 % (ImageNet val, a different data set)": s.published_top1,
    } for s in evaluation.scores])


def _interval(bounds: tuple[float, float]) -> str:
    return f"{100 * bounds[0]:.1f}–{100 * bounds[1]:.1f}"

