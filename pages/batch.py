"""Many photos (or a zip) through one to four variants: a results table, accuracy when the zip has
class folders, a CSV of every answer."""

import hashlib

import streamlit as st

from resnext.bulk import predict_files
from resnext.bulk.evaluate import score_rows
from resnext.bulk.results import rows_csv
from resnext_app import bulk, models, pickers
from resnext_app.feedback import guard
from resnext_app.images import UPLOAD_TYPES
from resnext_app.layout import page
from resnext_app.pickers import DEFAULT_VARIANT

page("Batch", "Your own photos through one to four models: which one works on your images?")

with st.sidebar:
    chosen = pickers.variants_picker("batch_variants", [DEFAULT_VARIANT])
    precision = pickers.precision_picker("batch_precision")
if not chosen:
    st.warning("Pick at least one model.")
    st.stop()

uploads = st.file_uploader(
    "Photos, or a zip of them", type=[*UPLOAD_TYPES, "zip"], accept_multiple_files=True, key="batch_files",
    max_upload_size=bulk.MAX_UPLOAD_MB,
    help="A zip whose images sit in class folders (named by synset id like n01440764, class index or class "
         "name) also gets each model's accuracy.")
st.caption(f"Up to {bulk.MAX_IMAGES} images per batch, {bulk.MAX_UPLOAD_MB} MB per file, and "
           f"{bulk.MAX_UNPACKED // 10**9} GB unpacked from zips. Files that cannot be read are listed, not fatal.")
if not uploads:
    st.info("Drop photos or a zip above.", icon=":material/upload:")
    st.stop()


def run(reserve) -> None:
    """The batch itself, its bytes held against every session's bound while it runs."""
    with guard():
        reserve(sum(u.size for u in uploads))
        work = bulk.unpack([(u.name, u.getvalue()) for u in uploads], reserve)
    ids = [v.id for v in chosen]
    digest = hashlib.sha256(b"".join(hashlib.sha256(data).digest() for _, data in work.files)).hexdigest()

    with guard():
        classifiers = [models.classifier(v.id, precision) for v in chosen]
        text = f"Classifying {len(work.files)} images with {len(ids)} model{'s' * (len(ids) > 1)}"
        bar = st.progress(0.0, text=text)

        def run() -> list:
            rows = []
            for row in predict_files(classifiers, work.files, topk=5):
                rows.append(row)
                bar.progress(len(rows) / len(work.files), text=f"{text}: {len(rows)} done")
            return rows

        rows = models.remembered(("batch", digest, tuple(ids), precision), run) if work.files else []
        bar.empty()

    files = dict(work.files)
    ok = [r for r in rows if r.ok]
    st.subheader(f"{len(ok)} of {len(rows) + len(work.skipped)} files classified")
    if rows:
        st.dataframe(
            bulk.results_frame(rows, ids, files), hide_index=True, width="stretch",
            column_config={"image": st.column_config.ImageColumn("image", width="small")},
        )
        st.download_button("Results (CSV)", lambda: rows_csv(rows, ids, 5), "batch-results.csv", "text/csv",
                           on_click="ignore", help="Per file and model: the top-5 labels, class indices and probabilities.")
    failed = [(r.path, r.status) for r in rows if not r.ok] + work.skipped
    if failed:
        with st.expander(f"{len(failed)} files could not be used", expanded=not ok):
            st.dataframe({"file": [f for f, _ in failed], "why": [w for _, w in failed]}, hide_index=True,
                         width="stretch")

    if ok and work.folders:
        st.subheader("Accuracy on your classes")
        with guard(stop=False):
            evaluation = score_rows(classifiers, rows, bulk.truth(work, classifiers[0].labels))
            st.dataframe(bulk.scores_frame(evaluation), hide_index=True, width="stretch")
            st.caption(f"{evaluation.scores[0].images} images in {len(evaluation.scores[0].per_class)} classes, from "
                       "the zip's folder names. 95% Wilson intervals. The published figure is on ImageNet's validation "
                       "set: a different data set, shown for scale, not for comparison.")


with models.upload_gate().holding() as reserve:  # released when this run ends, however it ends
    run(reserve)
