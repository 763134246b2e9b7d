"""``resnext space static``: the built site and a README whose front matter a static Space reads."""

from __future__ import annotations

import json

import yaml

from resnext.cli import main
from resnext.export import catalog_json, space_readme


def _site(tmp_path):
    site = tmp_path / "dist"
    (site / "models").mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html>")
    (site / "config.json").write_text(json.dumps({"hub": "https://huggingface.co"}))
    (site / "models" / "catalog.json").write_text(json.dumps(catalog_json()))
    return site


def test_the_front_matter_is_a_static_space_that_is_cross_origin_isolated():
    rows = catalog_json()["variants"]
    text = space_readme(rows)
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    assert meta["sdk"] == "static" and meta["app_file"] == "index.html"
    assert meta["custom_headers"] == {"cross-origin-embedder-policy": "require-corp",
                                      "cross-origin-opener-policy": "same-origin",
                                      "cross-origin-resource-policy": "cross-origin"}
    runnable = [r["hub"]["repo"] for r in rows if r["browser"] is None]
    assert meta["models"] == runnable and "timm/resnext50_32x4d.fb_swsl_ig1b_ft_in1k" in runnable
    assert "**CC-BY-NC-4.0** (non-commercial use only)" in body and "**BSD-3-Clause**" in body
    assert "ig_resnext101_32x48d: its weights file" in body


def test_the_command_writes_a_folder_ready_to_upload_and_never_overwrites(tmp_path, capsys):
    site = _site(tmp_path)
    out = tmp_path / "space"
    assert main(["space", "static", str(out), "--site", str(site), "--hub", "https://mirror.example/"]) == 0
    assert (out / "index.html").read_text() == "<!doctype html>"
    assert json.loads((out / "config.json").read_text()) == {"hub": "https://mirror.example"}
    assert yaml.safe_load((out / "README.md").read_text().split("---\n")[1])["sdk"] == "static"
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my own")
    assert main(["space", "static", str(mine), "--site", str(site)]) == 2
    assert main(["space", "static", str(tmp_path / "new"), "--site", str(tmp_path / "unbuilt")]) == 2
    err = capsys.readouterr().err
    assert "is not an empty folder; choose a new one (nothing was written)." in err
    assert "There is no built site in" in err and "npm ci && npm run build" in err and "Traceback" not in err
    assert [p.name for p in mine.iterdir()] == ["notes.txt"] and not (tmp_path / "new").exists()
