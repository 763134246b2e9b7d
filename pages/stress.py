"""Stress test: the current image under ImageNet-C's corruptions at five severities, through two to
four models: how long each keeps its answer, and which held up best."""

import streamlit as st

from resnext.stress.corruptions import CORRUPTIONS
from resnext_app import images, pickers, stress
from resnext_app.feedback import guard
from resnext_app.layout import page
from resnext_app.text import escape

DEFAULTS = ["swsl_resnext50_32x4d", "tv_resnext50_32x4d"]  # semi-weakly supervised against supervised
MOST = 4

page("Stress test", "How each model holds up on this image under blur, noise, weather and digital corruptions "
     "(ImageNet-C's, at severities 1–5), side by side.")

with st.sidebar:
    chosen = pickers.variants_picker("stress_variants", DEFAULTS, MOST)
    precision = pickers.precision_picker("stress_precision")
names = st.pills("Corruptions", list(CORRUPTIONS), selection_mode="multi", default=list(CORRUPTIONS),
                 format_func=lambda n: CORRUPTIONS[n].label, key="stress_corruptions",
                 help="ImageNet-C's fourteen (frost is left out: the licence of its photos is unknown) and its four "
                      "extra ones (speckle noise, Gaussian blur, spatter, saturate).")
if not 2 <= len(chosen) <= MOST:
    st.warning("Pick two to four models in the sidebar to compare how they hold up.")
    st.stop()
if not names:
    st.warning("Pick at least one corruption.")
    st.stop()

image = images.require_image("stress")
ids = [v.id for v in chosen]
seconds = stress.estimate_seconds(chosen, names)
result = stress.known(image, ids, names, precision)
if result is None:
    st.caption(f"{len(names)} corruptions × 5 severities × {len(chosen)} models: about {seconds:.0f} s on this server.")
    if not st.button("Run the stress test", key="stress_run", icon=":material/play_arrow:"):
        st.stop()
    with guard():
        result = stress.run(image, ids, names, precision, seconds)

st.markdown(escape(result.summary()))
st.header("Where each answer first changes")
st.dataframe(stress.first_change_frame(result), hide_index=True, width="stretch")
st.caption("The mildest severity at which the model's top-1 answer is no longer its answer on the clean image; "
           "— means it never changes up to severity 5. Each model is judged against its own clean answer.")
st.header("How sure each model stays of its clean answer")
st.altair_chart(stress.curves_chart(result), width="content")
st.header("What the models saw")
for label, crops in stress.crop_rows(result):
    st.image(crops, width=72, caption=[f"{label} {s}" for s in range(1, 6)],
             alt=[f"{image.name} with {label.lower()} at severity {s}" for s in range(1, 6)])
st.caption("The 224×224 centre crop, corrupted as ImageNet-C does (Hendrycks & Dietterich, 2019; the constants of "
           "their reference code). Random corruptions are seeded: the same image gives the same crops.")
