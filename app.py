"""ResNeXt Explorer, `streamlit run app.py`. The start page, Classify: top-5 bars, the crop the
model saw, an explanation (Grad-CAM or another method) of any of the top-5, optionally against
another, and how faithful that map is. The other pages are in pages/."""

import io

import numpy as np
import streamlit as st
from PIL import Image

import resnext
from resnext.explain.gradcam import LAYERS
from resnext.explain.methods import METHODS
from resnext.explain.visualize import COLORMAPS
from resnext_app import answers, charts, explain, images, links, models, pickers, tables, timing
from resnext_app.feedback import guard
from resnext_app.layout import page

page("Classify")
links.restore([
    links.Field("model", "classify_variant", links.one_of({v.id for v in resnext.list_variants()})),
    links.Field("precision", "classify_precision", links.PRECISIONS.get),
    links.Field("method", "cam_method", links.one_of(METHODS)),
    links.Field("stage", "cam_layer", links.one_of(LAYERS)),
    links.Field("class", "cam_class", links.integer(0, 1 << 20), later=True),
], lambda photo: images.use_sample("classify", photo))

with st.sidebar:
    variant = pickers.variant_picker("classify_variant")
    precision = pickers.precision_picker("classify_precision")
state = {"model": variant.id, "precision": links.precision_value(precision)}
links.publish(state)
links.notice()
pickers.compact_picker("classify_variant")
pickers.model_card(variant)

image = images.require_image("classify")
state["photo"] = images.link_value(image)
links.publish(state)

with guard():
    answer = answers.classify(image, variant.id, precision)

left, right = st.columns([3, 2])
with left:
    st.header("Top-5")
    st.html(charts.top_bars([p.label for p in answer.top], [p.probability for p in answer.top], image.name))
    if precision == "fast":
        st.caption(f"Fast mode: {models.classifier(variant.id, precision).mode}.")
        with guard(stop=False):
            exact = answers.classify(image, variant.id, "fp32")
            st.dataframe(tables.agreement_frame(exact.top, answer.top), hide_index=True, width="stretch")
st.caption(timing.summary(f"Top-5 of {image.name}", since="the photo's arrival") + f" · {variant.id} ({precision})")
links.copy_button()


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _npy(array) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


def originals() -> None:
    with right:
        a, b = st.columns(2)
        a.image(image.display, caption=f"{image.name} ({image.width}×{image.height})", width="stretch",
                alt=f"The photo {image.name}")
        b.image(answer.crop, caption=f"What the model saw ({answer.crop.shape[1]}×{answer.crop.shape[0]} centre crop)",
                alt=f"The centre crop of {image.name} that the model saw",
                width="stretch")


# What to explain sits outside the fragment below: changing it reruns the page, which is what
# cancels a slow method still running (a fragment's rerun would wait for it).
timing.start()  # the top-5's caption is out; the explanation's time is its own
st.header("Where the model looked")
labels = {p.index: f"{p.label} ({100 * p.probability:.1f}%)" for p in answer.top}
c1, c2, c3, c4 = st.columns([3, 3, 3, 2])
method = explain.method_picker("cam_method", [variant], c1)
if (linked := links.wanted("cam_class")) in labels:  # a link's class, if among this image's top-5
    st.session_state["cam_class"] = linked
class_index = c2.selectbox("Explain class", list(labels), format_func=labels.get, key="cam_class")
contrast = c3.selectbox(
    "Rather than", [None, *(i for i in labels if i != class_index)], key="cam_contrast",
    format_func=lambda i: "— (no contrast)" if i is None else labels[i],
    help="Why the first class rather than this one: the map of the difference of their two logits.")
layer = c4.selectbox("Stage", LAYERS, index=len(LAYERS) - 1, key="cam_layer", disabled=not METHODS[method].layered,
                     help="layer4 is the last stage (coarse, most semantic); earlier stages are finer.")
links.publish(state | {"method": method, "class": class_index, "stage": layer if METHODS[method].layered else None})
slow = explain.is_slow([variant], method)
if slow:  # the pictures the user already has come before a wait
    originals()
with guard():
    cam = explain.compute(image, answer, variant, precision, method, class_index, layer, contrast)
what = METHODS[method].label + (f" on {layer}" if METHODS[method].layered else "")
question = f"“{labels[class_index]}”" + (f" rather than “{labels[contrast]}”" if contrast is not None else "")


@st.fragment
def pictures() -> None:
    """The map over the crop and alone, and its downloads; their look reruns only this part."""
    o, h = st.columns(2)
    alpha = o.slider("Heatmap opacity", 0.0, 1.0, 0.5, 0.05, key="cam_alpha")
    colormap = h.selectbox("Colormap", COLORMAPS, key="cam_colormap")
    crop = Image.fromarray(answer.crop)
    overlay = resnext.overlay(crop, cam, alpha=alpha, colormap=colormap)
    o.html(charts.picture(overlay, f"{what} for {question}", f"{METHODS[method].label} of {image.name}"))
    h.html(charts.picture(resnext.heatmap(cam, colormap), "Heatmap", f"Heatmap of {image.name}"))

    # The files are made when a button is clicked, not on every run.
    stem = f"{image.name.rsplit('.', 1)[0]}-{variant.id}-{method}"
    grey = Image.fromarray((cam * 255).round().astype("uint8"), mode="L")
    d = st.columns(5)
    d[0].download_button("Overlay (PNG)", lambda: _png(overlay), f"{stem}.png", "image/png", on_click="ignore")
    d[1].download_button("Map (PNG)", lambda: _png(grey), f"{stem}-map.png", "image/png", on_click="ignore",
                         help="The raw map as greyscale: 0 = no evidence, 255 = strongest.")
    d[2].download_button("Map (.npy)", lambda: _npy(cam), f"{stem}-map.npy", "application/octet-stream",
                         on_click="ignore", help="The map as float32 in [0, 1], the crop's size: `numpy.load`.")
    d[3].download_button("Predictions (CSV)", lambda: tables.predictions_frame(answer.top).to_csv(index=False),
                         f"{stem}-top5.csv", "text/csv", on_click="ignore")
    d[4].download_button("Predictions (JSON)", lambda: tables.predictions_json(variant.id, image.name, answer.top),
                         f"{stem}-top5.json", "application/json", on_click="ignore")


pictures()
st.caption(timing.summary(f"Heatmap of {image.name}"))
if not slow:
    originals()
# Seconds of work that nobody waits for unless they ask: on shared cores it would delay others'
# top-5. A score another visitor asked for is shown anyway.
scoring = st.toggle(f"Score how faithful this map is ({explain.cost_label([variant], 'faithfulness')})",
                    value=False, key="cam_faithfulness",
                    help="Deletion and insertion curves of the map, against a random map like it.")
with guard(stop=False):
    score = explain.faithfulness(image, answer, variant, precision, method, class_index, layer, contrast, cam,
                                 compute=scoring)
if score is not None:
    st.markdown(explain.faithfulness_line(score, labels[class_index]))
    st.caption("Deletion: the class's probability as the map's most important pixels are greyed out first, "
               "16 steps; insertion: as they are put back into a blurred copy. Areas under those curves; the "
               "random map has the same power spectrum as this one, so the same blob sizes in random places.")
