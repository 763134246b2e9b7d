"""The Stress test page (pages/stress.py): cost first, then the sweep on request, its tables and crops."""

import numpy as np

import resnext
from resnext.stress.sweep import sweep
from resnext_app.text import escape
from tests.apptest import SAMPLES, no_failure, upload_image

IDS = ["tiny_resnext14_2x2d", "ssl_resnext50_32x4d"]


def test_the_stress_page_estimates_runs_on_request_and_shows_the_sweep(app):
    upload_image(app)
    app.session_state["stress_variants"] = IDS
    app.switch_page("pages/stress.py").run()
    app.pills(key="stress_corruptions").set_value(["fog", "jpeg_compression"]).run()
    no_failure(app)
    assert any("2 corruptions × 5 severities × 2 models: about" in c.value for c in app.caption)
    assert not app.dataframe  # nothing runs before it is asked for
    app.button(key="stress_run").click().run()
    no_failure(app)
    expected = sweep([resnext.load_classifier(i) for i in IDS], SAMPLES / "chelsea.png", ["fog", "jpeg_compression"])
    assert any(m.value == escape(expected.summary()) for m in app.markdown)
    table = app.dataframe[0].value
    assert list(table.columns) == ["Corruption", *IDS] and list(table["Corruption"]) == ["Fog", "JPEG"]
    first = expected.models[0].first_change("fog")
    assert table[IDS[0]].iloc[0] == (str(first) if first else "—")
    crops = [img for img in app.image if any(c.startswith("Fog ") for c in img.captions)]
    assert len(crops) == 1 and crops[0].captions == [f"Fog {s}" for s in range(1, 6)]
    # Remembered for every session: a new run shows it without asking again.
    app.run()
    assert app.dataframe and np.all(app.dataframe[0].value == table)


def test_one_model_is_not_a_comparison(app):
    upload_image(app)
    app.session_state["stress_variants"] = IDS[:1]
    app.switch_page("pages/stress.py").run()
    assert "two to four models" in app.warning[0].value


def _first_changes(vid: str, corruption: str) -> int | None:
    """The oracle: each severity's crop classified on its own, the mildest that changes the clean top-1."""
    from resnext.stress.corruptions import CORRUPTIONS, SEVERITIES, corrupt

    clf = resnext.load_classifier(vid)
    crop = np.asarray(clf.crop(SAMPLES / "chelsea.png").convert("RGB"))
    clean = int(clf.probabilities(clf.transform.to_tensor(crop)).argmax())
    index = list(CORRUPTIONS).index(corruption)
    for s in SEVERITIES:
        bent = corrupt(crop, corruption, s, np.random.default_rng([0, index, s]))
        if int(clf.probabilities(clf.transform.to_tensor(bent)).argmax()) != clean:
            return s
    return None


def test_the_first_change_on_the_page_is_the_severity_where_the_answer_changes(app):
    corruption = "jpeg_compression"  # deterministic; these two random networks change at different severities
    expected = {vid: _first_changes(vid, corruption) for vid in IDS}
    assert None not in expected.values() and max(expected.values()) > 1, expected  # the case is not vacuous
    upload_image(app)
    app.session_state["stress_variants"] = IDS
    app.switch_page("pages/stress.py").run()
    app.pills(key="stress_corruptions").set_value([corruption]).run()
    app.button(key="stress_run").click().run()
    no_failure(app)
    table = app.dataframe[0].value
    assert [table[vid].iloc[0] for vid in IDS] == [str(expected[vid]) for vid in IDS]
