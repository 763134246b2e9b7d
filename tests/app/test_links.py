"""Links carry the page's state (resnext_app.links): what a shared link opens, and what it cannot carry."""

import streamlit as st
from streamlit.testing.v1 import AppTest

import re

import pytest

import resnext
from resnext_app.text import escape
from tests.apptest import APP, SAMPLES, bars, chosen, expected_top5, no_failure, upload_image, working_on


def _open(params: dict, page: str | None = None) -> AppTest:
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    if page:
        at.switch_page(page)
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def test_a_classify_link_opens_the_same_model_sample_method_class_and_stage(tiny_env):
    clf = resnext.load_classifier("ssl_resnext50_32x4d")
    second = clf.predict(SAMPLES / "rocket.jpg")[1].index
    link = {"model": "ssl_resnext50_32x4d", "precision": "exact", "photo": "rocket.jpg", "method": "guided_gradcam",
            "class": str(second), "stage": "layer3"}
    at = _open(link)
    no_failure(at)
    assert at.pills(key="classify_variant__SSL").value == "ssl_resnext50_32x4d"
    assert working_on(at) and working_on(at)[0].startswith("**Working on rocket.jpg**")
    assert bars(at) == [expected_top5("ssl_resnext50_32x4d", "rocket.jpg")]
    assert at.selectbox(key="cam_method").value == "guided_gradcam"
    assert at.selectbox(key="cam_class").value == second
    assert at.selectbox(key="cam_layer").value == "layer3"
    # The page writes its state back: the same link, which a new visitor can open again.
    assert {k: at.query_params[k] for k in link} == link


def test_the_url_follows_the_page(app):
    upload_image(app)
    assert app.query_params["photo"] == "upload" and app.query_params["model"] == "swsl_resnext50_32x4d"
    app.selectbox(key="cam_method").set_value("occlusion").run()
    assert app.query_params["method"] == "occlusion" and "stage" not in app.query_params


def test_a_link_made_on_an_upload_says_so_and_offers_the_samples(tiny_env):
    at = _open({"model": "swsl_resnext50_32x4d", "photo": "upload"})
    no_failure(at)
    assert "cannot travel in a link" in at.info[0].value
    assert at.segmented_control(key="classify_source").value == "Samples"
    assert not working_on(at)


@pytest.mark.parametrize("param, value", [
    ("photo", "[Log in here](http://evil.example)"),
    ("photo", "x\n\n[Log in](https://evil.example)"),  # a newline closed the code span this notice once used
    ("model", "m\n\n<a href='https://evil.example'>Log in</a>"),
])
def test_a_crafted_link_cannot_write_the_pages_text(tiny_env, param, value):
    at = _open({param: value})
    notice = at.info[0].value
    assert escape(f"{param}={value[:40]}") in notice
    assert "\n" not in notice
    assert not re.search(r"(?<!\\)\]\(|(?<!\\)<", notice)  # no link and no tag that Markdown would read


def test_what_the_app_does_not_know_is_named_and_the_default_used(tiny_env):
    at = _open({"model": "resnext9000", "method": "magic", "photo": "chelsea.png"})
    no_failure(at)
    notice = at.info[0].value
    assert "model=resnext9000" in notice and "method=magic" in notice, notice
    assert at.pills(key="classify_variant__SWSL").value == "swsl_resnext50_32x4d"
    assert working_on(at)[0].startswith("**Working on chelsea.png**")


def test_a_side_by_side_link_with_three_models_and_a_sample(tiny_env):
    ids = ["ig_resnext101_32x8d", "tiny_resnext14_2x2d", "ssl_resnext50_32x4d"]  # not the defaults
    at = _open({"models": ",".join(ids), "photo": "chelsea.png", "method": "deeplift"}, "pages/side_by_side.py")
    no_failure(at)
    assert sorted(chosen(at, "sbs_variants")) == sorted(ids)
    assert bars(at) == [expected_top5(v) for v in ids]
    assert at.query_params["models"] == ",".join(ids) and at.query_params["method"] == "deeplift"
