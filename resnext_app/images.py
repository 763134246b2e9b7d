"""The image a page works on: given by upload, webcam or the sample gallery, decoded once, always shown.

The current image lives in the session, so every page works on the same one until the user
gives another. A new file is decoded once, when it arrives; the browser gets a display-sized
JPEG, never the original re-encoded; a file that cannot be used is reported by name and leaves
the last good image in place. The uploader and the camera hand each file over once and are then
replaced by fresh, empty ones: the next photo is a new upload, which Streamlit answers with one
script run, where replacing a file in the same widget costs two (one without any file).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st
from PIL import Image

from resnext.bulk.inputs import IMAGE_SUFFIXES
from resnext.catalog.index import ASSETS_DIR
from resnext.catalog.variant import format_bytes
from resnext.errors import ResNeXtError
from resnext.inference.image import orientation_note

from . import budget, decoding, gallery, timing
from .links import UPLOAD
from .text import escape

SAMPLES_DIR = ASSETS_DIR / "samples"
UPLOAD_TYPES = sorted(suffix.lstrip(".") for suffix in IMAGE_SUFFIXES)
SOURCES = ("Upload", "Camera", "Samples")
DISPLAY_PX = 640  # the longest side of the copy the browser shows
PHOTO_MB = 20  # one photo; the server's HTTP cap is higher, for the Batch page's zips

_IMAGE, _ERROR, _PENDING, _GENERATION = "image", "image_error", "image_pending", "image_widgets"
_FROM = {"Upload": "uploaded", "Camera": "from the webcam", "Samples": "a sample photo"}


@dataclass(frozen=True)
class CurrentImage:
    """An image that decodes, with what the pages show of it."""

    name: str
    source: str
    digest: str  # of the file's bytes: keys every cached result for this image
    width: int
    height: int
    file_bytes: int
    data: bytes = field(repr=False)
    display: bytes = field(repr=False)  # a JPEG at most DISPLAY_PX on its longest side
    note: str | None = None  # what the visitor should know of how it was read (an unreadable EXIF orientation)

    @property
    def description(self) -> str:
        """E.g. ``'4032×3024 px · 3.6 MB · uploaded'``."""
        return f"{self.width}×{self.height} px · {format_bytes(self.file_bytes)} · {_FROM.get(self.source, self.source)}"


def samples() -> list[Path]:
    """The bundled sample photos."""
    return sorted(p for p in SAMPLES_DIR.iterdir() if p.suffix.lower() in {".png", ".jpg", ".jpeg"})


def image_input(key: str) -> CurrentImage | None:
    """Let the user give an image by upload, webcam or the gallery, and show the one in use.

    Args:
        key: A prefix that keeps this page's widgets apart from another page's.

    Returns:
        The current image, or None before one is given.
    """
    current: CurrentImage | None = st.session_state.get(_IMAGE)
    # A link may have chosen the source already (see use_sample); a default beside it would warn.
    default = None if f"{key}_source" in st.session_state else current.source if current else "Upload"
    source = st.segmented_control(
        "Image source", SOURCES, default=default, required=True, key=f"{key}_source",
    ) or "Upload"
    error = st.session_state.get(_ERROR)
    if error and error[0] != source:  # switching source clears the other source's message
        st.session_state.pop(_ERROR)
    generation = st.session_state.get(_GENERATION, 0)
    if source == "Upload":
        widget = f"{key}_upload_{generation}"
        st.file_uploader("Drop a photo", type=UPLOAD_TYPES, key=widget, on_change=_hand_over, args=(widget, source),
                         max_upload_size=PHOTO_MB, help=f"JPEG, PNG, WebP, BMP, GIF or TIFF, up to {PHOTO_MB} MB.")
    elif source == "Camera":
        widget = f"{key}_camera_{generation}"
        st.camera_input("Take a photo", key=widget, on_change=_hand_over, args=(widget, source))
    elif picked := gallery.picked(f"{key}_gallery"):
        st.session_state[_PENDING] = (picked, (SAMPLES_DIR / picked).read_bytes(), source)
    pending = st.session_state.pop(_PENDING, None)
    if pending:
        _offer(*pending)
    current = st.session_state.get(_IMAGE)
    if source == "Samples":  # drawn after the click is taken, so the new choice is outlined at once
        gallery.show(samples(), current.name if current and current.source == "Samples" else None, f"{key}_gallery")
    error = st.session_state.get(_ERROR)
    if error:
        st.error(error[1], icon=":material/error:")
    if current is not None:
        show(current)
    return current


def use_sample(key: str, name: str) -> bool:
    """Make the sample ``name`` the image of this run (a link asked for it), showing the gallery.

    Args:
        key: The page's prefix, as for :func:`image_input`.
        name: A sample's file name, or :data:`links.UPLOAD` (the gallery is shown, nothing chosen).

    Returns:
        False if there is no such sample (nothing changes), else True.
    """
    path = next((p for p in samples() if p.name == name), None)
    if path is None and name != UPLOAD:
        return False
    if path is not None:
        st.session_state[_PENDING] = (path.name, path.read_bytes(), "Samples")
    st.session_state[f"{key}_source"] = "Samples"  # the sender's own photo cannot come: offer the samples
    return True


def link_value(image: CurrentImage | None) -> str | None:
    """What a link says of the image: a sample's name, :data:`links.UPLOAD` for the user's own, None before any."""
    if image is None:
        return None
    return image.name if image.source == "Samples" else UPLOAD


def require_image(key: str) -> CurrentImage:
    """:func:`image_input`, ending the script run with a hint until there is an image."""
    image = image_input(key)
    if image is None:
        st.info("Drop a photo, take one with the webcam, or pick a sample to start.")
        st.stop()
    return image


def show(image: CurrentImage) -> None:
    """The image in use: thumbnail, name, size and where it came from."""
    with st.container(border=True, horizontal=True, vertical_alignment="center", key="current_image"):
        st.image(image.display, width=88, alt=f"Thumbnail of {image.name}, the photo in use")
        st.markdown(f"**Working on {escape(image.name)}**  \n{image.description}")
    if image.note:
        st.warning(escape(image.note), icon=":material/screen_rotation:")


def _hand_over(widget: str, source: str) -> None:
    """Before the run: keep a newly given file for it, and give the next run a fresh, empty widget."""
    file = st.session_state.get(widget)
    if file is not None:
        st.session_state[_PENDING] = ("webcam.jpg" if source == "Camera" else file.name, file.getvalue(), source)
        st.session_state[_GENERATION] = st.session_state.get(_GENERATION, 0) + 1


def _offer(name: str, data: bytes, source: str) -> None:
    """Make a newly given file the current image if it decodes; otherwise keep the last good one."""
    st.session_state.pop(_ERROR, None)
    current: CurrentImage | None = st.session_state.get(_IMAGE)
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    if current is not None and current.digest == digest:
        return
    try:
        with timing.stage("decode"):
            decoded = decoding.decoded(digest, data, name)
        with timing.stage("resize"):
            display = _display_copy(decoded)
        image = CurrentImage(name=name, source=source, digest=digest, width=decoded.width, height=decoded.height,
                             file_bytes=len(data), data=data, display=display,
                             note=orientation_note(decoded, name))
        budget.gate().keep(image, len(data) + len(display), "your photo")  # released when no session holds it
    except ResNeXtError as exc:
        still = f" Still showing {current.name}." if current else ""
        st.session_state[_ERROR] = (source, escape(f"{exc}{still}"))
        return
    st.session_state[_IMAGE] = image


def _display_copy(image: Image.Image) -> bytes:
    copy = image.copy()
    copy.thumbnail((DISPLAY_PX, DISPLAY_PX), Image.BILINEAR)  # Pillow reduces in blocks first: fast on 12 MP
    buf = io.BytesIO()
    copy.save(buf, format="JPEG", quality=88)
    return buf.getvalue()
