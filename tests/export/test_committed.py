"""What the browser edition reads is what the library exports: the committed graphs and catalog equal a fresh export,
and the Python app's pages (for the footer's "What runs where") are the app's."""

from __future__ import annotations

import json

import resnext
from resnext.cli import main
from resnext.export import catalog_json, onnx_graph
from tests.served import ROOT

MODELS = ROOT / "web" / "public" / "models"


def test_the_committed_graphs_and_catalog_are_a_fresh_export():
    listing = catalog_json()
    assert json.loads((MODELS / "catalog.json").read_text()) == json.loads(json.dumps(listing))
    runnable = {row["id"] for row in listing["variants"] if row["browser"] is None}
    assert {p.stem for p in MODELS.glob("*.onnx")} == runnable
    for vid in runnable:
        assert (MODELS / f"{vid}.onnx").read_bytes() == onnx_graph(resnext.get_variant(vid)).SerializeToString(), vid


def test_the_committed_pages_of_the_python_app_are_its_pages():
    from resnext_app.layout import PAGES, PAGES_JSON, pages_json

    assert json.loads(PAGES_JSON.read_text()) == pages_json(), "stale: write it with python -m resnext_app.layout"
    assert [p["label"] for p in pages_json()["pages"]] == [label for _, label, _ in PAGES]
    assert pages_json()["pages"][-1] == {"page": "robustness", "label": "What the extra data buys"}


def test_the_catalog_names_the_attribution_methods_in_the_librarys_order():
    from resnext.explain import METHODS

    assert [m["name"] for m in catalog_json()["methods"]] == list(METHODS)
    assert catalog_json()["methods"][0] == {"name": "gradcam", "label": "Grad-CAM", "summary": METHODS["gradcam"].summary,
                                            "layered": True}


def test_the_largest_are_listed_with_the_reason_a_browser_cannot_hold_them():
    rows = {row["id"]: row for row in catalog_json()["variants"]}
    assert "more than a browser tab can hold" in rows["ig_resnext101_32x32d"]["browser"]
    assert rows["ig_resnext101_32x48d"]["browser"] is not None
    assert rows["swsl_resnext50_32x4d"]["browser"] is None
    assert rows["swsl_resnext50_32x4d"]["hub"] == {"repo": "timm/resnext50_32x4d.fb_swsl_ig1b_ft_in1k",
                                                    "file": "model.safetensors"}
    v = resnext.get_variant("swsl_resnext50_32x4d")
    assert (rows[v.id]["top1"], rows[v.id]["flops"], rows[v.id]["parameters"]) == (v.top1, v.flops, v.parameters)


def test_the_export_command_writes_the_same_files(tmp_path, capsys):
    assert main(["export", "swsl_resnext50_32x4d", "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "swsl_resnext50_32x4d.onnx").read_bytes() == \
        (MODELS / "swsl_resnext50_32x4d.onnx").read_bytes()
    assert (tmp_path / "out" / "catalog.json").read_text() == (MODELS / "catalog.json").read_text()
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["export", "--out", str(blocker / "sub")]) == 2
    assert main(["export", "resnet9000", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.count("resnext: ") == 2 and "Traceback" not in err and "Cannot write into" in err
