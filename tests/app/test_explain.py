"""The explanation controls in the pages: methods with their cost, contrast, faithfulness, Side by side."""

import re

import numpy as np
import pytest

import resnext
from resnext.catalog.cost import multiply_adds
from resnext.explain import explain, methods
from resnext.explain.methods import METHODS, typical_seconds
from resnext_app.explain import cost_label, most_faithful
from tests.apptest import SAMPLES, figures, no_failure, upload_image


def _faithfulness_numbers(at):
    lines = [m.value for m in at.markdown if m.value.startswith("**Faithfulness**")]
    assert len(lines) == 1, lines
    return [float(x) for x in re.findall(r"\d\.\d{3}", lines[0])]


def test_method_picker_states_each_methods_cost(app):
    upload_image(app)
    picker = app.selectbox(key="cam_method")
    assert picker.options == [f"{m.label} · {cost_label([resnext.get_variant('swsl_resnext50_32x4d')], m.name)}"
                              for m in METHODS.values()]
    assert all(re.search(r"≈ \d+(\.\d)? (ms|s)", option) for option in picker.options), picker.options


def test_every_method_draws_its_map_and_scores_it(app):
    upload_image(app)
    clf = resnext.load_classifier("swsl_resnext50_32x4d")
    top = clf.predict(SAMPLES / "chelsea.png")[0]
    app.toggle(key="cam_faithfulness").set_value(True).run()
    for method in METHODS:
        app.selectbox(key="cam_method").set_value(method).run()
        no_failure(app)
        assert figures(app)[0].startswith(f"{METHODS[method].label}"), figures(app)
        assert f"“{top.label}" in figures(app)[0]
        # The line states the score of the map this method makes, measured directly.
        saliency = explain(clf, SAMPLES / "chelsea.png", method, top.index)
        expected = resnext.faithfulness(clf, SAMPLES / "chelsea.png", saliency, top.index)
        shown = _faithfulness_numbers(app)
        assert shown == pytest.approx([expected.deletion, expected.random_deletion, expected.insertion,
                                       expected.random_insertion], abs=6e-4), method


def test_contrast_between_two_of_the_top5(app):
    upload_image(app)
    clf = resnext.load_classifier("swsl_resnext50_32x4d")
    first, second = clf.predict(SAMPLES / "chelsea.png")[:2]
    assert app.selectbox(key="cam_contrast").value is None
    app.selectbox(key="cam_contrast").set_value(second.index).run()
    no_failure(app)
    assert "rather than" in figures(app)[0] and second.label in figures(app)[0]
    # The stage only applies to the Grad-CAM methods.
    assert not app.selectbox(key="cam_layer").disabled
    app.selectbox(key="cam_method").set_value("occlusion").run()
    assert app.selectbox(key="cam_layer").disabled
    assert "rather than" in figures(app)[0]


def test_side_by_side_applies_one_method_and_ranks_faithfulness(app):
    upload_image(app)
    app.switch_page("pages/side_by_side.py").run()
    app.selectbox(key="sbs_method").set_value("deeplift").run()
    assert not any("faithful" in h.value for h in app.header)  # only when asked for
    app.toggle(key="sbs_faithfulness").set_value(True).run()
    no_failure(app)
    assert len([i for i in app.image if any(c.startswith("DeepLIFT: ") for c in i.captions)]) == 3
    scores = app.dataframe[-1].value
    assert list(scores["model"]) == ["ssl_resnext50_32x4d", "swsl_resnext50_32x4d", "ig_resnext101_32x8d"]
    assert {"deletion AUC ↓", "insertion AUC ↑", "deletion ÷ random ↓", "insertion ÷ random ↑"} <= set(scores.columns)
    clf = resnext.load_classifier("ig_resnext101_32x8d")
    top = clf.predict(SAMPLES / "chelsea.png")[0].index
    expected = resnext.faithfulness(clf, SAMPLES / "chelsea.png",
                                    explain(clf, SAMPLES / "chelsea.png", "deeplift", top), top)
    assert scores["deletion AUC ↓"].iloc[2] == pytest.approx(expected.deletion, abs=1e-4)
    # Switched off, scores already measured (by anyone) stay; new maps are not scored.
    app.toggle(key="sbs_faithfulness").set_value(False).run()
    assert app.dataframe[-1].value["deletion AUC ↓"].iloc[2] == pytest.approx(expected.deletion, abs=1e-4)
    app.selectbox(key="sbs_method").set_value("gradcam").run()
    assert not any("faithful" in h.value for h in app.header)


def test_typical_seconds_are_measured_or_scaled_by_multiply_adds():
    table = methods._cost_table()
    measured = resnext.get_variant("swsl_resnext50_32x4d")
    same_network = resnext.get_variant("ssl_resnext50_32x4d")
    assert typical_seconds(same_network, "occlusion") == (table[measured.id]["occlusion"], True)
    largest = resnext.get_variant("ig_resnext101_32x48d")  # not measured: scaled from the nearest in cost
    seconds, is_measured = typical_seconds(largest, "occlusion")
    nearest = resnext.get_variant("swsl_resnext101_32x8d")
    assert not is_measured
    assert seconds == pytest.approx(table[nearest.id]["occlusion"] * multiply_adds(largest) / multiply_adds(nearest))
    assert typical_seconds(measured, "no such method") is None
    assert cost_label([largest], "occlusion").endswith("(estimated)")


def test_most_faithful_needs_both_curves():
    def score(deletion, insertion):
        return resnext.Faithfulness(deletion, insertion, 0.5, 0.5, 0, (0.0, 1.0), (1.0, 0.0), (0.0, 1.0))

    assert most_faithful({"a": score(0.1, 0.9), "b": score(0.2, 0.8)}) == "a"
    assert most_faithful({"a": score(0.1, 0.7), "b": score(0.2, 0.8)}) is None
    assert np.isnan(resnext.Faithfulness(0.1, 0.2, 0.0, 0.0, 0, (), (), ()).deletion_ratio)
