"""One image through two to four variants: their top-5, their Grad-CAM, how they agree."""

import streamlit as st
from PIL import Image

import resnext
from resnext_app import charts, feedback, images, models, pickers, tables, timing
from resnext_app.layout import page

DEFAULTS = ["ssl_resnext50_32x4d", "swsl_resnext50_32x4d", "ig_resnext101_32x8d"]

page("Side by side", "The same image through SSL, SWSL and IG models: what each answers and where each looked.")

with st.sidebar:
    chosen = pickers.variants_picker("sbs_variants", DEFAULTS)
    precision = pickers.precision_picker("sbs_precision")
    alpha = st.slider("Heatmap opacity", 0.0, 1.0, 0.5, 0.05, key="sbs_alpha")
if len(chosen) < 2:
    st.warning("Pick at least two models to compare.")
    st.stop()

image = images.require_image("sbs")

shared_error = st.empty()  # one message here when every column fails the same way
answers, cams, failures = {}, {}, {}
for column, v in zip(st.columns(len(chosen)), chosen):
    with column:
        st.markdown(f"**{v.family}** · `{v.architecture}`")
        slot = st.empty()
        try:
            answer = models.classify(image, v.id, precision)
            top1 = answer.top[0]
            cam = models.gradcam(image, answer, v.id, precision, top1.index, "layer4")
        except Exception as exc:  # noqa: BLE001 - shown below as one line; a bug is logged by feedback
            failures[v.id] = (slot, exc)
            slot.error(feedback.short(exc), icon=":material/error:")
            continue
        answers[v.id], cams[v.id] = answer, cam
        with slot.container():
            st.html(charts.top_bars([p.label for p in answer.top], [p.probability for p in answer.top], image.name))
            st.image(resnext.overlay(Image.fromarray(answer.crop), cam, alpha=alpha),
                     caption=f"Grad-CAM: {top1.label}", width="stretch", alt=f"Grad-CAM of {image.name} by {v.id}")
            st.caption(f"network {answer.seconds * 1000:.0f} ms ({precision})")
feedback.report_failures(failures, total=len(chosen), shared=shared_error)

if len(answers) >= 2:
    st.subheader("Agreement")
    tops = {answers[v].top[0].label for v in answers}
    if len(tops) == 1:
        st.success(f"All {len(answers)} models answer **{tops.pop()}**.")
    else:
        st.warning(f"The models disagree on the top class: {', '.join(sorted(tops))}.")
    st.dataframe(tables.agreement_pairs(answers, cams), hide_index=True, width="stretch")
    st.caption(
        "Top-5 overlap: classes both top-5 lists share. Jensen–Shannon divergence of the full "
        "probability vectors: 0 = identical, 1 = disjoint. Heatmap correlation: Pearson correlation "
        "of the two Grad-CAM maps (each model's own top-1 class)."
    )
st.caption(timing.summary(f"All models on {image.name}", since="the photo's arrival"))
