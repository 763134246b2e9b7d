"""Many photos (or a zip) through one to four variants: a results table, accuracy when the zip has
class folders (and, on request, calibration and accuracy under corruption), a CSV of every answer."""

import hashlib

import streamlit as st

from resnext.bulk import predict_files
from resnext.bulk.evaluate import score_rows
from resnext.bulk.results import rows_csv
from resnext.stress.calibration import BINS, FEW_IMAGES
from resnext.stress.corruptions import CORRUPTIONS
from resnext.stress.report import RELATIVE_NOTE
from resnext_app import budget, bulk, models, pickers, store, stress
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

        rows = store.remembered(("batch", digest, tuple(ids), precision), run) if work.files else []
        bar.empty()

    files = dict(work.files)
    ok = [r for r in rows if r.ok]
    st.header(f"{len(ok)} of {len(rows) + len(work.skipped)} files classified")
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
        st.header("Accuracy on your classes")
        with guard(stop=False):
            evaluation = score_rows(classifiers, rows, bulk.truth(work, classifiers[0].labels))
            st.dataframe(bulk.scores_frame(evaluation), hide_index=True, width="stretch")
            st.caption(f"{evaluation.scores[0].images} images in {len(evaluation.scores[0].per_class)} classes, from "
                       "the zip's folder names. 95% Wilson intervals. The published figure is on ImageNet's validation "
                       "set: a different data set, shown for scale, not for comparison.")
        trust(classifiers, rows, files, bulk.truth(work, classifiers[0].labels), digest)


def trust(classifiers, rows, files, truth, digest) -> None:
    """Calibration of the labelled images, and optionally accuracy under corruption; on request."""
    st.header("Can the confidence be trusted, and under corruption?")
    names = st.pills("Corruptions (none: calibration only)", list(CORRUPTIONS), selection_mode="multi",
                     format_func=lambda n: CORRUPTIONS[n].label, key="batch_corruptions")
    low, high = st.select_slider("Severities", options=[1, 2, 3, 4, 5], value=(1, 5), key="batch_severities")
    severities = list(range(low, high + 1))
    supervised = [c.variant.id for c in classifiers if c.variant.family.startswith("Supervised")]
    baseline = supervised[0] if names and supervised else None
    if names and baseline is None:
        st.caption("Add a supervised model (the Supervised families) for corruption errors relative to it.")
    items = [(r.path, files[r.path], truth[r.path]) for r in rows if r.ok and r.path in truth]
    seconds = stress.labelled_seconds([c.variant for c in classifiers], len(items), names or [], len(severities))
    ids = [c.variant.id for c in classifiers]
    if not st.button(f"Measure (about {seconds:.0f} s)", key="batch_trust", icon=":material/play_arrow:"):
        return
    with guard(stop=False):
        report = stress.labelled_run(digest, ids, items, names or [], severities, baseline, precision)
        few = report.images < FEW_IMAGES
        st.dataframe(stress.calibration_frame(report), hide_index=True, width="stretch")
        st.caption(f"ECE: expected calibration error over {BINS} equal-width confidence bins, with a 95% bootstrap "
                   "interval. NLL: negative log-likelihood; Brier: multi-class Brier score (0 is perfect). T: the "
                   "temperature fitted by NLL; \"after T\" is scored on held-out folds, never on the images it was "
                   "fitted on." + (f" Only {report.images} images (fewer than {FEW_IMAGES}): rough figures." if few else ""))
        st.altair_chart(stress.reliability_chart(report), width="content")
        if report.corruptions:
            st.dataframe(stress.corruption_frame(report), hide_index=True, width="stretch")
            for m in report.models:
                mce = report.mce(m)
                if mce is not None:
                    st.markdown(f"**{m}**: mCE {mce:.2f}, relative mCE {report.mce(m, True):.2f}")
            if report.baseline:
                st.caption(RELATIVE_NOTE.format(base=report.baseline))


with budget.gate().holding() as reserve:  # released when this run ends, however it ends
    run(reserve)
