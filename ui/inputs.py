"""The widgets every page shares: the image source, the variant picker, the model card."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

import resnext
from resnext.errors import ResNeXtError
from resnext.catalog import ASSETS_DIR, Variant
from resnext.catalog import format_optional as _num

SAMPLES_DIR = ASSETS_DIR / "samples"
UPLOAD_TYPES = ["jpg", "jpeg", "png", "webp", "bmp", "gif", "tif", "tiff"]
DEFAULT_VARIANT = "swsl_resnext50_32x4d"
SOURCES = ("Upload", "Camera", "Samples")


def samples() -> list[Path]:
    """The bundled sample photos."""
    return sorted(p for p in SAMPLES_DIR.iterdir() if p.suffix.lower() in {".png", ".jpg", ".jpeg"})


def image_input(key: str) -> tuple[str, bytes] | None:
    """Let the user give an image by upload, webcam or the sample gallery.

    The chosen image is kept in the session, so every page works on the same image until
    the user picks another; a file that does not decode is reported and changes nothing.

    Args:
        key: A prefix that keeps this page's widgets apart from another page's.

    Returns:
        ``(name, bytes)`` of the current image, or None before one is given.
    """
    source = st.segmented_control("Image source", SOURCES, default="Upload", key=f"{key}_source") or "Upload"
    if source == "Upload":
        upload = st.file_uploader(
            "Drop a photo", type=UPLOAD_TYPES, key=f"{key}_upload",
            help="JPEG, PNG, WebP, BMP, GIF or TIFF; the upload limit is set by the server.",
        )
        if upload is not None:
            _remember(upload.name, upload.getvalue())
    elif source == "Camera":
        shot = st.camera_input("Take a photo", key=f"{key}_camera")
        if shot is not None:
            _remember("webcam.jpg", shot.getvalue())
    else:
        files = samples()
        columns = st.columns(len(files))
        for column, path in zip(columns, files):
            column.image(str(path), caption=path.name, width="stretch")
        choice = st.radio("Sample", [p.name for p in files], index=None, horizontal=True, key=f"{key}_sample")
        if choice is not None:
            _remember(choice, (SAMPLES_DIR / choice).read_bytes())
    return st.session_state.get("image")


def require_image(key: str) -> tuple[str, bytes]:
    """:func:`image_input`, ending the script run with a hint until there is an image.

    Returns:
        ``(name, bytes)`` of an image that decodes.
    """
    image = image_input(key)
    if image is None:
        st.info("Drop a photo, take one with the webcam, or pick a sample to start.")
        st.stop()
    return image


def _remember(name: str, data: bytes) -> None:
    """Make a newly given image the current one, if it decodes; a bad one leaves the last good one."""
    current = st.session_state.get("image")
    if current is not None and current[1] == data:
        return
    try:
        resnext.load_image(data, name=name)
    except ResNeXtError as exc:
        st.error(str(exc) + (f" Still showing {current[0]}." if current else ""), icon=":material/error:")
        return
    st.session_state["image"] = (name, data)


def variant_label(v: Variant) -> str:
    """How a variant appears in pickers: family, architecture, accuracy, size."""
    accuracy = f"{v.top1:.1f}% top-1" if v.top1 is not None else "accuracy unknown"
    return f"{v.family} · {v.architecture} — {accuracy} · {v.size_label}"


def variant_picker(key: str, default: str = DEFAULT_VARIANT) -> Variant:
    """A selectbox of every variant, grouped by family (catalog order)."""
    variants = resnext.list_variants()
    ids = [v.id for v in variants]
    by_id = {v.id: v for v in variants}
    chosen = st.selectbox(
        "Model", ids, index=ids.index(default) if default in ids else 0, key=key,
        format_func=lambda i: variant_label(by_id[i]),
    )
    return by_id[chosen]


def precision_picker(key: str) -> str:
    """The fp32 / bf16 choice; bf16 is labelled approximate."""
    fast = st.toggle("Fast mode (bfloat16, approximate)", key=key,
                     help="Runs the network in bfloat16: faster on recent CPUs, probabilities differ slightly.")
    return "bf16" if fast else "fp32"


def model_card(v: Variant) -> None:
    """The variant's figures from the model-index, and the licence of its weights."""
    cols = st.columns(5)
    cols[0].metric("Top-1", _num(v.top1, "{:.2f}%"))
    cols[1].metric("Top-5", _num(v.top5, "{:.2f}%"))
    cols[2].metric("Parameters", _num(v.parameters and v.parameters / 1e6, "{:.1f} M"))
    cols[3].metric("FLOPs", _num(v.flops and v.flops / 1e9, "{:.1f} G"))
    cols[4].metric("File size", v.size_label)
    data = " → ".join(reversed(v.training_data)) or "unknown data"
    paper = f"[{v.paper_title}]({v.paper_url})" if v.paper_url else v.paper_title
    st.caption(
        f"**{v.id}** · trained on {data} · {v.epochs or '?'} epochs on {v.gpus or '?'} GPUs · {paper}  \n"
        f"Weights licence: **{v.license}**"
        + (" (non-commercial use only)" if v.non_commercial else "")
    )
