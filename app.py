"""ResNeXt Explorer, `streamlit run app.py`. The start page, Classify: top-5 bars, the crop the
model saw, Grad-CAM for any of the top-5. The other pages are in pages/."""

import io

import streamlit as st
from PIL import Image

import resnext
from resnext.gradcam import LAYERS
from resnext.visualize import COLORMAPS
from resnext_app import charts, images, models, pickers, tables, timing
from resnext_app.feedback import guard
from resnext_app.layout import page

page("Classify")

with st.sidebar:
    variant = pickers.variant_picker("classify_variant")
    precision = pickers.precision_picker("classify_precision")
pickers.model_card(variant)

image = images.require_image("classify")

with guard():
    answer = models.classify(image, variant.id, precision)

left, right = st.columns([3, 2])
with left:
    st.subheader("Top-5")
    st.html(charts.top_bars([p.label for p in answer.top], [p.probability for p in answer.top], image.name))
    if precision == "bf16":
        st.caption("Fast mode: bfloat16, approximate.")
        with guard(stop=False):
            exact = models.classify(image, variant.id, "fp32")
            st.dataframe(tables.agreement_frame(exact.top, answer.top), hide_index=True, width="stretch")
st.caption(timing.summary(f"Top-5 of {image.name}", since="the photo's arrival") + f" · {variant.id} ({precision})")


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


@st.fragment
def explanation() -> None:
    """Grad-CAM for a chosen class and stage; its controls rerun only this part of the page."""
    timing.start()  # the top-5's caption is out; this part's time is its own
    st.subheader("Where the model looked (Grad-CAM)")
    options = {p.index: f"{p.label} ({100 * p.probability:.1f}%)" for p in answer.top}
    c1, c2, c3, c4 = st.columns([3, 1, 2, 1])
    class_index = c1.selectbox("Explain class", list(options), format_func=options.get, key="cam_class")
    layer = c2.selectbox("Stage", LAYERS, index=len(LAYERS) - 1, key="cam_layer",
                         help="layer4 is the last stage (coarse, most semantic); earlier stages are finer.")
    alpha = c3.slider("Heatmap opacity", 0.0, 1.0, 0.5, 0.05, key="cam_alpha")
    colormap = c4.selectbox("Colormap", COLORMAPS, key="cam_colormap")
    with guard():
        cam = models.gradcam(image, answer, variant.id, precision, class_index, layer)
    crop = Image.fromarray(answer.crop)
    overlay = resnext.overlay(crop, cam, alpha=alpha, colormap=colormap)
    o, h = st.columns(2)
    o.html(charts.picture(overlay, f"Grad-CAM for “{options[class_index]}” on {layer}", f"Grad-CAM of {image.name}"))
    h.html(charts.picture(resnext.heatmap(cam, colormap), "Heatmap", f"Heatmap of {image.name}"))

    st.caption(timing.summary(f"Heatmap of {image.name}"))

    # The files are made when a button is clicked, not on every run.
    stem = image.name.rsplit(".", 1)[0]
    grey = Image.fromarray((cam * 255).round().astype("uint8"), mode="L")
    d1, d2, d3, d4 = st.columns(4)
    d1.download_button("Overlay (PNG)", lambda: _png(overlay), f"{stem}-{variant.id}-gradcam.png", "image/png",
                       on_click="ignore")
    d2.download_button("Heatmap (PNG)", lambda: _png(grey), f"{stem}-{variant.id}-heatmap.png", "image/png",
                       on_click="ignore", help="The raw map as greyscale: 0 = no evidence, 255 = strongest.")
    d3.download_button("Predictions (CSV)", lambda: tables.predictions_frame(answer.top).to_csv(index=False),
                       f"{stem}-{variant.id}-top5.csv", "text/csv", on_click="ignore")
    d4.download_button("Predictions (JSON)", lambda: tables.predictions_json(variant.id, image.name, answer.top),
                       f"{stem}-{variant.id}-top5.json", "application/json", on_click="ignore")


explanation()
with right:  # filled last: the heatmap matters more than pictures the user already has
    a, b = st.columns(2)
    a.image(image.display, caption=f"{image.name} ({image.width}×{image.height})", width="stretch")
    b.image(answer.crop, caption=f"What the model saw ({answer.crop.shape[1]}×{answer.crop.shape[0]} centre crop)",
            width="stretch")
