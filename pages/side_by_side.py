"""One image through two to four variants: their top-5, their Grad-CAM, how they agree."""

import streamlit as st
from PIL import Image

import resnext
from ui import charts, inputs, models, tables
from ui.feedback import guard
from ui.layout import page

DEFAULTS = ["ssl_resnext50_32x4d", "swsl_resnext50_32x4d", "ig_resnext101_32x8d"]

page("Side by side", "The same image through SSL, SWSL and IG models: what each answers and where each looked.")

variants = {v.id: v for v in resnext.list_variants()}
chosen = st.multiselect(
    "Models (2 to 4)", list(variants), default=[d for d in DEFAULTS if d in variants], max_selections=4,
    format_func=lambda i: inputs.variant_label(variants[i]), key="sbs_variants",
)
with st.sidebar:
    precision = inputs.precision_picker("sbs_precision")
    alpha = st.slider("Heatmap opacity", 0.0, 1.0, 0.5, 0.05, key="sbs_alpha")
if len(chosen) < 2:
    st.warning("Pick at least two models to compare.")
    st.stop()

name, data = inputs.require_image("sbs")

answers, cams = {}, {}
for column, vid in zip(st.columns(len(chosen)), chosen):
    with column:
        st.markdown(f"**{variants[vid].family}** · `{variants[vid].architecture}`")
        with guard(stop=False):
            answer = models.classify(data, vid, precision)
            top1 = answer.top[0]
            cam, _ = models.gradcam(answer.crop, vid, precision, top1.index, "layer4")
            answers[vid], cams[vid] = answer, cam
            st.plotly_chart(charts.top_bars([p.label for p in answer.top], [p.probability for p in answer.top]),
                            width="stretch", key=f"bars_{vid}")
            st.image(resnext.overlay(Image.fromarray(answer.crop), cam, alpha=alpha),
                     caption=f"Grad-CAM: {top1.label}", width="stretch")
            st.caption(f"{answer.seconds * 1000:.0f} ms")

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
