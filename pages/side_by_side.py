"""One image through two to four variants: their top-5, one explanation method applied to each, how
they agree, and whose map is more faithful to its own model."""

import streamlit as st
from PIL import Image

import resnext
from resnext.explain.methods import METHODS
from resnext_app import charts, explain, feedback, heads, images, links, pickers, tables, timing
from resnext_app.answers import classify
from resnext_app.layout import page
from resnext_app.text import escape

MOST = 4  # models side by side

page("Side by side", "The same image through SSL, SWSL and IG models: what each answers and where each looked.")
links.restore([
    links.Field("models", "sbs_variants", links.many_of({v.id for v in resnext.list_variants()}, MOST)),
    links.Field("precision", "sbs_precision", links.PRECISIONS.get),
    links.Field("method", "sbs_method", links.one_of(METHODS)),
], lambda photo: images.use_sample("sbs", photo))

with st.sidebar:
    chosen = pickers.variants_picker("sbs_variants", pickers.SIDE_BY_SIDE_DEFAULTS, MOST)
    precision = pickers.precision_picker("sbs_precision")
    method = explain.method_picker("sbs_method", chosen)
    # Off by default: seconds of shared CPU per model, which would delay other visitors' answers.
    score_faithfulness = st.toggle(f"Score faithfulness ({explain.cost_label(chosen, 'faithfulness')})",
                                   value=False, key="sbs_faithfulness",
                                   help="Deletion and insertion curves of each map, against a random map like it. "
                                   "Scores someone already asked for are shown anyway.")
    alpha = st.slider("Heatmap opacity", 0.0, 1.0, 0.5, 0.05, key="sbs_alpha")
state = {"models": [v.id for v in chosen], "precision": links.precision_value(precision), "method": method}
links.publish(state)
links.notice()
pickers.compact_picker("sbs_variants", MOST)
if len(chosen) < 2:
    st.warning("Pick at least two models to compare.")
    st.stop()

image = images.require_image("sbs")
links.publish(state | {"photo": images.link_value(image)})

shared_error = st.empty()  # one message here when every column fails the same way
answers, cams, failures = {}, {}, {}
for column, v in zip(st.columns(len(chosen)), chosen):
    with column:
        st.markdown(f"**{v.family}** · `{v.architecture}`")
        slot = st.empty()
        try:
            answer = classify(image, v.id, precision)
            top1 = answer.top[0]
            cam = explain.compute(image, answer, v, precision, method, top1.index)
        except Exception as exc:  # noqa: BLE001 - shown below as one line; a bug is logged by feedback
            failures[v.id] = (slot, exc)
            slot.error(feedback.short(exc), icon=":material/error:")
            continue
        answers[v.id], cams[v.id] = answer, cam
        with slot.container():
            st.html(charts.top_bars([p.label for p in answer.top], [p.probability for p in answer.top], image.name))
            st.image(resnext.overlay(Image.fromarray(answer.crop), cam, alpha=alpha),
                     caption=f"{METHODS[method].label}: {top1.label}", width="stretch",
                     alt=f"{METHODS[method].label} of {image.name} by {v.id}")
            st.caption(f"network {answer.seconds * 1000:.0f} ms ({precision})")
feedback.report_failures(failures, total=len(chosen), shared=shared_error)
links.copy_button()

if len(answers) >= 2:
    st.header("Agreement")
    tops = {answers[v].top[0].label for v in answers}
    if len({answers[v].probabilities.shape for v in answers}) > 1:
        st.info("Your own classifier and the ImageNet ones answer in different classes: where they differ, only "
                "their maps are compared.")
    elif len(tops) == 1:
        st.success(f"All {len(answers)} models answer **{escape(tops.pop())}**.")
    else:
        st.warning(f"The models disagree on the top class: {escape(', '.join(sorted(tops)))}.")
    st.dataframe(tables.agreement_pairs(answers, cams), hide_index=True, width="stretch")
    st.caption(
        "Top-5 overlap: classes both top-5 lists share. Jensen–Shannon divergence of the full "
        "probability vectors: 0 = identical, 1 = disjoint. Heatmap correlation: Pearson correlation "
        f"of the two {METHODS[method].label} maps (each model's own top-1 class)."
    )
scores = {}
with feedback.guard(stop=False):
    for vid, answer in answers.items():
        score = explain.faithfulness(image, answer, heads.variant_of(vid), precision, method,
                                     answer.top[0].index, "layer4", None, cams[vid], compute=score_faithfulness)
        if score is not None:
            scores[vid] = score
if scores:
    st.header("Whose evidence is more faithful on this image")
    st.dataframe(explain.faithfulness_frame(scores), hide_index=True, width="stretch")
    best = explain.most_faithful(scores) if len(scores) > 1 else None
    if best:
        st.markdown(f"On this image, **{best}**'s {METHODS[method].label} map is the most faithful to its "
                    "own model on both curves.")
    elif len(scores) > 1:
        st.markdown("The two curves disagree on which map is the most faithful here.")
    st.caption(
        "Each model's map of its own top-1 class (named under its picture). Deletion AUC (lower is better): the class's probability "
        "as the map's most important pixels are greyed out first; insertion AUC (higher is better): as they "
        "are put back into a blurred copy. Areas depend on how confident a model is, so models are ranked "
        "by their ratio to a random map with the same smoothness (÷ random).")
st.caption(timing.summary(f"All models on {escape(image.name)}", since="the photo's arrival"))
