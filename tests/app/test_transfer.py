"""The Your classes page through AppTest: the comparison, a classifier of your classes, used on the other pages."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

import resnext
from resnext.transfer import labelled_files
from resnext.transfer.features import extract_features
from resnext.transfer.head import head_from_probe
from resnext.transfer.probe import fit_probe
from resnext_app.transfer import SAMPLE_SET
from tests.apptest import SAMPLES, bars, no_failure, upload_image

BACKBONES = ["tiny_resnext14_2x2d", "ssl_resnext50_32x4d"]


def _open(app):
    app.session_state["yc_variants"] = BACKBONES
    app.switch_page("pages/your_classes.py").run()
    no_failure(app)
    return app


def _compare(app):
    _open(app)
    app.button(key="yc_run").click().run()
    no_failure(app)
    return app


def test_the_sample_set_is_compared_on_the_same_folds(app):
    _compare(app)
    table = app.dataframe[0].value
    assert sorted(table["Model"]) == sorted(BACKBONES)
    data = labelled_files(SAMPLE_SET)
    assert "48 images in 3 classes" in " ".join(m.value for m in app.markdown)
    # the page's probe accuracy is the library's on the same features and folds
    from resnext.transfer.probe import folds_for, probe_cv

    clf = resnext.load_classifier(BACKBONES[0])
    x, _ = extract_features(clf, data.items)
    predicted, _ = probe_cv(x, data.labels, folds_for(data.labels, 5))
    row = table[table["Model"] == BACKBONES[0]].iloc[0]
    assert row["Probe accuracy"] == pytest.approx(100 * np.mean(predicted == data.labels))


def test_a_zip_with_one_class_is_one_message(app):
    _open(app)
    app.radio(key="yc_source").set_value("Your zip of class folders").run()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for i in range(3):
            archive.writestr(f"set/only/{i}.png", (SAMPLES / "chelsea.png").read_bytes())
    app.file_uploader(key="yc_zip").set_value(("set.zip", buf.getvalue(), "application/zip")).run()
    assert not app.exception and len(app.error) == 1 and "at least two class folders" in app.error[0].value


def test_your_classifier_answers_on_classify_side_by_side_and_batch(app):
    _compare(app)
    app.selectbox(key="yc_head_model").set_value(BACKBONES[0]).run()
    app.button(key="yc_make").click().run()
    no_failure(app)
    assert any("now among the models" in s.value for s in app.success)

    # The library's own head on the same features: the oracle for the page's answer.
    clf = resnext.load_classifier(BACKBONES[0])
    data = labelled_files(SAMPLE_SET)
    x, _ = extract_features(clf, data.items)
    own = clf.with_head(head_from_probe(fit_probe(x, data.labels), data.classes, clf))
    expected = [p.label for p in own.predict(SAMPLES / "chelsea.png", topk=3)]

    from resnext_app import heads

    head_id = next(i for i in heads._heads() if i.startswith(BACKBONES[0] + "+"))
    app.session_state["classify_variant"] = head_id
    app.switch_page("app.py").run()
    upload_image(app)
    no_failure(app)
    assert bars(app)[0] == expected  # the user's classes, in the head's order of probability
    assert any("Your classifier" in c.value and "as it was fitted, whatever the Fast mode switch says" in c.value
               for c in app.caption)

    app.session_state["sbs_variants"] = [head_id, BACKBONES[1]]
    app.switch_page("pages/side_by_side.py").run()
    no_failure(app)
    assert bars(app)[0] == expected

    app.session_state["batch_variants"] = [head_id]
    app.switch_page("pages/batch.py").run()
    app.file_uploader(key="batch_files").set_value(
        [("chelsea.png", (SAMPLES / "chelsea.png").read_bytes(), "image/png")]).run()
    no_failure(app)
    assert app.dataframe[0].value[f"{head_id} top-1"].iloc[0] == expected[0]


def _head_file(tmp_path, classes=("cat", "dog", "fox"), flaw=None):
    from tests.transfer.test_head_file import FLAWS, _header, good, write

    meta, tensors = _header(**FLAWS[flaw][0]) if flaw else good(classes)
    return write(tmp_path / "h.safetensors", meta, tensors).read_bytes()


def _load_head(app, name, data):
    app.file_uploader(key="yc_head_upload").set_value((name, data, "application/octet-stream")).run()
    return app


def test_a_bad_head_file_is_one_sentence_nothing_is_kept_and_the_app_works_on(app, tmp_path):
    from resnext_app import transfer

    _open(app)
    _load_head(app, "mine.safetensors", _head_file(tmp_path, flaw="classes not JSON"))
    assert not app.exception and len(app.error) == 1
    assert app.error[0].value.startswith("mine.safetensors is not a valid classifier head") and "/tmp" not in \
        app.error[0].value
    assert transfer.HEADS_KEY not in app.session_state or not app.session_state[transfer.HEADS_KEY]
    app.switch_page("app.py").run()
    upload_image(app)
    no_failure(app)
    assert bars(app)  # every page still answers


@pytest.mark.parametrize("bound", ["session", "server"])
def test_heads_past_the_bound_are_refused_in_one_sentence_and_the_first_still_answers(app, tmp_path, monkeypatch,
                                                                                      bound):
    from resnext_app import heads, transfer

    monkeypatch.setattr(transfer if bound == "session" else heads,
                        "MAX_SESSION_HEADS" if bound == "session" else "MAX_HEADS", 1)
    _open(app)
    _load_head(app, "first.safetensors", _head_file(tmp_path, ("cat", "dog")))
    no_failure(app)
    _load_head(app, "second.safetensors", _head_file(tmp_path, ("owl", "bat", "elk")))
    assert not app.exception and len(app.error) == 1 and "as many classifiers" in app.error[0].value
    assert list(app.session_state[transfer.HEADS_KEY]) == ["first"]
    head_id = app.session_state[transfer.HEADS_KEY]["first"][0]
    app.session_state["classify_variant"] = head_id
    app.switch_page("app.py").run()
    upload_image(app)
    no_failure(app)
    assert sorted(bars(app)[0]) == ["cat", "dog"]


def test_classes_separable_by_construction_get_the_verdict_they_must(app, tmp_path):
    """Flat colours: every backbone separates them perfectly, so the paired test cannot name a winner."""
    from PIL import Image

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, rgb in {"red": (220, 30, 30), "green": (30, 200, 40), "blue": (30, 40, 220)}.items():
            for i in range(8):
                image = io.BytesIO()
                Image.new("RGB", (48, 48), tuple(c + 3 * i for c in rgb)).save(image, format="PNG")
                archive.writestr(f"set/{name}/{i}.png", image.getvalue())
    _open(app)
    app.radio(key="yc_source").set_value("Your zip of class folders").run()
    app.file_uploader(key="yc_zip").set_value(("set.zip", buf.getvalue(), "application/zip")).run()
    app.select_slider(key="yc_folds").set_value(4).run()
    app.button(key="yc_run").click().run()
    no_failure(app)
    table = app.dataframe[0].value
    assert list(table["Probe accuracy"]) == [100.0, 100.0]
    first, second = table["Model"]
    assert [m.value for m in app.info] == [
        f"The data cannot tell {first} (100.0%) from {second} (100.0%): McNemar's exact test on the same images "
        f"gives p = 1, not below 0.05. More images per class would."]
    assert not app.success
