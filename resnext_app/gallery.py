"""The sample gallery: square thumbnails that are clicked to choose a photo."""

from __future__ import annotations

import base64
import functools
import io
from pathlib import Path
from typing import Sequence

import streamlit as st
from PIL import Image, ImageOps

THUMBNAIL_PX = 160

_HTML = '<div class="gallery" role="group" aria-label="Sample photos"></div>'
_CSS = """
.gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(110px, 1fr)); gap: 0.75rem; }
.gallery button {
  display: flex; flex-direction: column; gap: 0.3rem; padding: 0.3rem; cursor: pointer;
  background: none; border: 2px solid transparent; border-radius: 0.6rem; font: inherit; color: inherit;
}
.gallery button:hover { border-color: rgba(128, 128, 128, 0.6); }
.gallery button:focus-visible { outline: 3px solid currentColor; outline-offset: 2px; }
.gallery button[aria-pressed="true"] { border-color: var(--st-primary-color, #ff4b4b); }
.gallery img { width: 100%; aspect-ratio: 1 / 1; object-fit: cover; border-radius: 0.4rem; display: block; }
.gallery span { font-size: 0.8rem; text-align: center; overflow-wrap: anywhere; }
"""
_JS = """
export default function ({ data, parentElement, setTriggerValue }) {
  const root = parentElement.querySelector(".gallery");
  root.replaceChildren(...data.items.map((item) => {
    const button = document.createElement("button");
    button.type = "button";
    button.title = `Use ${item.name}`;
    button.dataset.name = item.name;
    button.setAttribute("aria-pressed", String(item.name === data.selected));
    const img = document.createElement("img");
    img.src = item.src;
    img.alt = item.name;
    const caption = document.createElement("span");
    caption.textContent = item.name;
    button.append(img, caption);
    button.addEventListener("click", () => setTriggerValue("picked", item.name));
    return button;
  }));
}
"""


@functools.cache
def _component():
    return st.components.v2.component("resnext_gallery", html=_HTML, css=_CSS, js=_JS)


def show(paths: Sequence[Path], selected: str | None, key: str) -> None:
    """Show the photos as a grid of clickable, same-shape thumbnails; a click is read with :func:`picked`.

    Args:
        paths: The photos.
        selected: The name of the one in use, outlined.
        key: The widget key.
    """
    items = [{"name": p.name, "src": _thumbnail(str(p))} for p in paths]
    _component()(data={"items": items, "selected": selected}, key=key, on_picked_change=lambda: _keep_click(key))


def picked(key: str) -> str | None:
    """The name of the photo clicked since the last run, once; read it before :func:`show`, which
    can then outline the new choice in the same run."""
    return st.session_state.pop(f"{key}__picked", None)


def _keep_click(key: str) -> None:
    # Runs before the script: the click is kept until the script takes it.
    st.session_state[f"{key}__picked"] = st.session_state[key].get("picked")


@st.cache_data(show_spinner=False)
def _thumbnail(path: str) -> str:
    """A square centre crop as a JPEG data URI: thumbnails of any shape line up."""
    with Image.open(path) as img:
        square = ImageOps.fit(img.convert("RGB"), (THUMBNAIL_PX, THUMBNAIL_PX), Image.LANCZOS)
    buf = io.BytesIO()
    square.save(buf, format="JPEG", quality=85)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()
