"""Your own classes: which backbone's features separate them best, and a classifier of them to use here."""

import streamlit as st

from resnext.errors import ResNeXtError
from resnext.transfer import study as run_study
from resnext.transfer.explore import DUPLICATE_SIMILARITY, NEIGHBOURS
from resnext.transfer.probe import DRAWS
from resnext_app import bulk, models, pickers, store, transfer
from resnext_app.feedback import for_visitor, guard
from resnext_app.layout import page
from resnext_app.text import escape

DEFAULTS = ["ssl_resnext50_32x4d", "swsl_resnext50_32x4d", "tv2_resnext50_32x4d"]

page("Your classes", "A folder per class of your own photos: which backbone transfers best to them (a linear probe "
     "on frozen features, k-fold), and a classifier of your classes to use on the other pages.")

with st.sidebar:
    chosen = pickers.variants_picker("yc_variants", DEFAULTS)
    folds = st.select_slider("Folds", [2, 3, 4, 5, 10], value=5, key="yc_folds",
                             help="Stratified k-fold cross-validation of the probe; the same folds for every backbone.")

with st.expander("Load a classifier file you saved"):
    loaded = st.file_uploader("A .safetensors head from this page or `resnext probe --save-head`",
                              type=["safetensors"], key="yc_head_upload", max_upload_size=transfer.HEAD_UPLOAD_MB)
    done_with = st.session_state.get("yc_head_loaded")  # (upload id, message): each file is read once
    if loaded is not None and (done_with is None or done_with[0] != loaded.file_id):
        try:
            head = transfer.head_from_upload(loaded.getvalue(), loaded.name)
            transfer.keep_head(loaded.name.rsplit(".", 1)[0], head)  # nothing is kept unless the head is valid
            done_with = (loaded.file_id, f"{escape(loaded.name)}: {len(head.classes)} classes on {head.backbone}, "
                                         "now under Your classes.")
            st.session_state["yc_head_loaded"] = done_with
        except ResNeXtError as exc:
            st.error(for_visitor(exc), icon=":material/error:")
    if loaded is not None and done_with is not None and done_with[0] == loaded.file_id:
        st.success(done_with[1])

source = st.radio("Images", ["Sample: textures (brick, grass, gravel)", "Your zip of class folders"],
                  key="yc_source", horizontal=True)
if source.startswith("Sample"):
    with guard():
        given = transfer.sample_set()
    per_class = sorted(set(given.images.counts().values()))
    st.caption(f"{len(given.images.items)} patches of scikit-image's CC0 texture photos, "
               f"{'–'.join(map(str, per_class))} per class (assets/your-classes/textures).")
else:
    upload = st.file_uploader("A zip with one folder per class (any names)", type=["zip"], key="yc_zip",
                              max_upload_size=bulk.MAX_UPLOAD_MB)
    st.caption(f"Up to {bulk.MAX_IMAGES} images, {bulk.MAX_UPLOAD_MB} MB per zip, {bulk.MAX_UNPACKED // 10**9} GB "
               "unpacked. At least two classes of at least two images each.")
    if upload is None:
        st.info("Drop a zip above, or try the sample.", icon=":material/upload:")
        st.stop()
    with guard():
        given = transfer.from_zip(upload)
data = given.images
if data.skipped:
    with st.expander(f"{len(data.skipped)} files left out"):
        st.dataframe({"file": [n for n, _ in data.skipped], "why": [w for _, w in data.skipped]}, hide_index=True)
counts = data.counts()
st.markdown(f"**{len(data.items)} images in {len(counts)} classes:** "
            + escape(", ".join(f"{c} ({n})" for c, n in counts.items())))
if not 2 <= len(chosen) <= 4:
    st.warning("Pick two to four backbones to compare.")
    st.stop()

ids = [v.id for v in chosen]
key = ("your-classes", given.digest, tuple(ids), folds)
done = store.remembered_only(key)
if done is None:
    seconds = transfer.estimate_seconds(chosen, len(data.items), folds)
    st.caption(f"About {seconds:.0f} s on this server for features and probes the first time (images seen before "
               "come from the feature cache).")
    # Not type="primary": white on the dark theme's primary colour is below AA contrast.
    if not st.button("Compare the backbones", key="yc_run", icon=":material/play_arrow:"):
        st.stop()
    with guard():
        classifiers = [models.classifier(i) for i in ids]
        bar = st.progress(0.0, text="Starting…")

        def progress(stage: str, fraction: float) -> None:
            bar.progress(min(fraction, 1.0), text=stage)  # a control change stops the script here

        done = store.remembered(key, lambda: transfer.shown(run_study(classifiers, data, folds=folds,
                                                                      progress=progress)))
        bar.empty()

result = done.study
c = result.comparison
st.header("Which backbone transfers best")
(st.success if c.winner else st.info)(c.verdict)
st.dataframe(transfer.scores_frame(result), hide_index=True, width="stretch",
             column_config={"Probe accuracy": st.column_config.NumberColumn(format="%.1f%%"),
                            f"{c.knn_k}-NN accuracy": st.column_config.NumberColumn(format="%.1f%%"),
                            "LogME": st.column_config.NumberColumn(format="%.3f")})
st.caption(f"Probe: logistic regression (L2, C chosen by inner cross-validation on the training folds) on "
           f"standardised penultimate features, {c.folds}-fold, out-of-fold accuracy with a 95% Wilson interval. "
           f"k-NN: cosine, leave-one-out. LogME (You et al., 2021) needs no training but follows fine-tuned "
           f"accuracy only loosely: read it beside the probe.")

st.header("Accuracy with fewer labels")
st.plotly_chart(transfer.few_shot_figure(result), width="stretch")
st.caption(f"Each point averages {DRAWS} draws of that many images per class (the same draws for every backbone), tested "
           "on the rest; the last point is the k-fold probe on all of them.")

model = st.selectbox("Look through", [s.model for s in c.scores], key="yc_model")
left, right = st.columns(2)
with left:
    st.markdown("**Confusion matrix** (out of fold)")
    st.plotly_chart(transfer.confusion_figure(result, model), width="stretch")
with right:
    st.markdown("**Map of the features** (hover a point for its image)")
    st.altair_chart(transfer.map_chart(done, model), width="stretch")

suspects = result.suspects[model]
st.markdown(f"**Suspect labels** ({len(suspects)}): images whose {NEIGHBOURS} nearest neighbours mostly carry another "
            "class.")
if suspects:
    shown = suspects[:12]
    captions = [f"{result.data.names[s.index].rsplit('/', 1)[-1]}: filed {c.classes[s.label]}, looks "
                f"{c.classes[s.likely]}" for s in shown]
    st.image(transfer.thumbnails(done, [s.index for s in shown]), width=96, caption=captions, alt=captions)
duplicates = result.duplicates[model]
st.markdown(f"**Near-duplicates** ({len(duplicates)}): feature similarity above {DUPLICATE_SIMILARITY}, across classes first "
            "(they inflate every score above).")
if duplicates:
    st.dataframe({"first": [result.data.names[d.first] for d in duplicates[:50]],
                  "second": [result.data.names[d.second] for d in duplicates[:50]],
                  "similarity": [round(d.similarity, 4) for d in duplicates[:50]],
                  "across classes": [d.across_classes for d in duplicates[:50]]}, hide_index=True, width="stretch")

st.header("Use this classifier")
use = st.selectbox("Backbone", [s.model for s in c.scores], key="yc_head_model",
                   help="The probe refitted on every image; it replaces the backbone's ImageNet classifier.")
name = f"{', '.join(c.classes[:3])}{', …' if len(c.classes) > 3 else ''} on {use}"
if st.button("Make it a classifier", key="yc_make"):
    with guard(stop=False):
        head = transfer.head_of(result, use, models.classifier(use))
        transfer.keep_head(name, head)
        st.session_state["yc_head_file"] = transfer.head_bytes(head)
if name in transfer.session_heads():
    st.success(f"“{escape(name)}” is now among the models of Classify, Side by side and Batch, under Your classes.")
    st.download_button("Classifier file (.safetensors)", st.session_state.get("yc_head_file", b""),
                       transfer.file_name(name), "application/octet-stream", on_click="ignore",
                       help="Use it with `resnext predict --head FILE` or load it here again later.")
