"""Variant pickers and the model card (resnext_app.pickers), read off the page."""

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import resnext
from resnext_app.pickers import family_label, variant_label
from tests.apptest import APP, chosen, displayed, pick
from tests.factory import write_model_index

# The order the papers describe, first to last: pre-training on the large set, fine-tuning on ImageNet.
IN_ORDER = {"SSL": "YFCC-100M → ImageNet", "SWSL": "IG-1B-Targeted → ImageNet", "IG": "IG-3.5B-17k → ImageNet",
            "Supervised V1": "ImageNet", "Supervised V2": "ImageNet"}


@pytest.fixture
def real_app(monkeypatch):
    """Classify with the published metadata only (no weights are needed to show cards)."""
    monkeypatch.delenv("RESNEXT_MODEL_INDEX", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    return AppTest.from_file(APP, default_timeout=60).run()


def test_every_card_shows_the_training_data_in_the_order_it_was_used(real_app):
    variants = resnext.list_variants()
    assert len(variants) == 17
    for v in variants:
        pick(real_app, "classify_variant", v.id)
        card = next(c.value for c in real_app.caption if c.value.startswith(f"**{v.id}**"))
        assert f"training data: {IN_ORDER[v.family]} ·" in card, card


def test_the_comparison_table_shows_the_same_order(real_app):
    real_app.switch_page("pages/compare.py").run()
    shown = displayed(real_app.dataframe[0])
    assert len(shown) == 17
    assert all(row["Training data"] == IN_ORDER[resnext.get_variant(row["Model"]).family] for _, row in shown.iterrows())


def test_missing_metadata_shows_a_dash(tiny_env, tmp_path, monkeypatch):
    entry = {"Name": "mine_resnext14_2x2d", "In Collection": "My models",
             "Metadata": {"Layers": 14}, "Weights": str(tiny_env["tiny_resnext14_2x2d"])}
    mine = write_model_index(tmp_path / "mine.yaml", [entry])
    monkeypatch.setenv("RESNEXT_MODEL_INDEX", f"{tiny_env['index']}:{mine}")
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=60).run()
    pick(at, "classify_variant", "mine_resnext14_2x2d")
    card = next(c.value for c in at.caption if c.value.startswith("**mine_resnext14_2x2d**"))
    assert "training data: — · epochs: — · GPUs: —" in card, card
    figures = next(m.value for m in at.markdown if m.value.startswith("**mine_resnext14_2x2d** · "))
    assert "top-1 — · top-5 — · parameters — · FLOPs —" in figures, figures
    assert at.pills(key="classify_variant__My models").options == ["resnext14_2x2d · — top-1 · unknown size"]
    at.switch_page("pages/compare.py").run()
    shown = displayed(at.dataframe[0])
    row = shown[shown["Model"] == "mine_resnext14_2x2d"].iloc[0]
    assert list(row[["Top-1", "Params (M)", "File size", "Training data", "Epochs", "GPUs"]]) == ["—"] * 6
    assert at.dataframe[0].proto.placeholder == "—"  # what the browser draws in an empty cell (not "None")
    text = shown.to_string()
    assert "None" not in text and "?" not in text and "nan" not in text.lower()


def test_pickers_group_every_variant_by_family_with_whole_labels(real_app):
    by_family = {}
    for v in resnext.list_variants():
        by_family.setdefault(v.family, []).append(v)
    groups = [b for b in real_app.sidebar.get("button_group") if (b.key or "").startswith("classify_variant__")]
    assert [g.label for g in groups] == [family_label(f) for f in by_family]
    for group, (family, variants) in zip(groups, by_family.items()):
        assert group.options == [variant_label(v) for v in variants]
        for label, v in zip(group.options, variants):
            assert f"{v.top1:.1f}% top-1" in label and v.size_label in label
    real_app.switch_page("pages/side_by_side.py").run()
    groups = [b for b in real_app.sidebar.get("button_group") if (b.key or "").startswith("sbs_variants__")]
    assert [g.label for g in groups] == [family_label(f) for f in by_family]


def test_side_by_side_takes_at_most_four(real_app):
    real_app.switch_page("pages/side_by_side.py").run()
    assert chosen(real_app, "sbs_variants") == ["ssl_resnext50_32x4d", "swsl_resnext50_32x4d", "ig_resnext101_32x8d"]
    real_app.pills(key="sbs_variants__SSL").set_value(["ssl_resnext50_32x4d", "ssl_resnext101_32x4d"]).run()
    assert len(chosen(real_app, "sbs_variants")) == 4
    real_app.pills(key="sbs_variants__SWSL").set_value(["swsl_resnext50_32x4d", "swsl_resnext101_32x4d"]).run()
    assert chosen(real_app, "sbs_variants") == [
        "ssl_resnext50_32x4d", "ssl_resnext101_32x4d", "swsl_resnext50_32x4d", "ig_resnext101_32x8d"]
    assert any("At most 4" in t.value for t in real_app.toast)


def test_clicking_the_chosen_pill_again_keeps_a_model_chosen(real_app):
    pick(real_app, "classify_variant", "ig_resnext101_32x16d")
    real_app.pills(key="classify_variant__IG").set_value(None).run()
    assert real_app.pills(key="classify_variant__IG").value == "ig_resnext101_32x16d"
    assert any(c.value.startswith("**ig_resnext101_32x16d**") for c in real_app.caption)


def test_the_compact_control_for_phones_chooses_the_same_model(app):
    from tests.apptest import bars, expected_top5, upload_image

    upload_image(app)
    app.selectbox(key="classify_variant_compact").set_value("ssl_resnext50_32x4d").run()
    assert app.session_state["classify_variant"] == "ssl_resnext50_32x4d"
    assert bars(app)[0] == expected_top5("ssl_resnext50_32x4d")
    family = resnext.get_variant("ssl_resnext50_32x4d").family
    assert app.pills(key=f"classify_variant__{family}").value == "ssl_resnext50_32x4d"  # the sidebar agrees
    app.switch_page("pages/side_by_side.py").run()
    app.pills(key="sbs_variants_compact").set_value(["tiny_resnext14_2x2d", "ssl_resnext50_32x4d"]).run()
    assert app.session_state["sbs_variants"] == ["tiny_resnext14_2x2d", "ssl_resnext50_32x4d"]
    assert len(bars(app)) == 2
