"""ResNeXt Explorer, `streamlit run app.py`. The start page, Classify: top-5 bars, the crop the
model saw, Grad-CAM for any of the top-5. The other pages are in pages/."""

import io

import streamlit as st
from PIL import Image

import resnext
from resnext.gradcam import LAYERS
from resnext.visualize import COLORMAPS
from ui import charts, inputs, models, tables
from ui.feedback import guard
from ui.layout import page

page("Classify")

with st.sidebar:
    variant = inputs.variant_picker("classify_variant")
    precision = inputs.precision_picker("classify_precision")
inputs.model_card(variant)

name, data = inputs.require_image("classify")

with guard():
    original = resnext.load_image(data, name=name)
    answer = models.classify(data, variant.id, precision)
crop = Image.fromarray(answer.crop)

left, right = st.columns([3, 2])
with left:
    st.subheader("Top-5")
    st.plotly_chart(charts.top_bars([p.label for p in answer.top], [p.probability for p in answer.top]),
                    width="stretch", key="top5")
    timing = f"Prediction: {answer.seconds * 1000:.0f} ms"
    if precision == "bf16":
        st.caption("Fast mode: bfloat16, approximate.")
        with guard(stop=False):
            exact = models.classify(data, variant.id, "fp32")
            st.dataframe(
                tables.agreement_frame(exact.top, answer.top), hide_index=True, width="stretch",
            )
with right:
    a, b = st.columns(2)
    a.image(original, caption=f"{name} ({original.width}×{original.height})", width="stretch")
    b.image(crop, caption=f"What the model saw ({crop.width}×{crop.height} centre crop)", width="stretch")

st.subheader("Where the model looked (Grad-CAM)")
options = {p.index: f"{p.label} ({100 * p.probability:.1f}%)" for p in answer.top}
c1, c2, c3, c4 = st.columns([3, 1, 2, 1])
class_index = c1.selectbox("Explain class", list(options), format_func=options.get, key="cam_class")
layer = c2.selectbox("Stage", LAYERS, index=len(LAYERS) - 1, key="cam_layer",
                     help="layer4 is the last stage (coarse, most semantic); earlier stages are finer.")
alpha = c3.slider("Heatmap opacity", 0.0, 1.0, 0.5, 0.05, key="cam_alpha")
colormap = c4.selectbox("Colormap", COLORMAPS, key="cam_colormap")

with guard():
    cam, cam_seconds = models.gradcam(answer.crop, variant.id, precision, class_index, layer)
overlay = resnext.overlay(crop, cam, alpha=alpha, colormap=colormap)
heat = resnext.heatmap(cam, colormap)
o, h = st.columns(2)
o.image(overlay, caption=f"Grad-CAM for “{options[class_index]}” on {layer}", width="stretch")
h.image(heat, caption="Heatmap", width="stretch")
st.caption(f"{timing} · Grad-CAM: {cam_seconds * 1000:.0f} ms · {variant.id} ({precision})")


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


stem = name.rsplit(".", 1)[0]
d1, d2, d3, d4 = st.columns(4)
d1.download_button("Overlay (PNG)", _png(overlay), f"{stem}-{variant.id}-gradcam.png", "image/png")
d2.download_button("Heatmap (PNG)", _png(Image.fromarray((cam * 255).round().astype("uint8"), mode="L")),
                   f"{stem}-{variant.id}-heatmap.png", "image/png",
                   help="The raw map as greyscale: 0 = no evidence, 255 = strongest.")
d3.download_button("Predictions (CSV)", tables.predictions_frame(answer.top).to_csv(index=False),
                   f"{stem}-{variant.id}-top5.csv", "text/csv")
d4.download_button("Predictions (JSON)", tables.predictions_json(variant.id, name, answer.top),
                   f"{stem}-{variant.id}-top5.json", "application/json")
