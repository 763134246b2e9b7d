"""``resnext space static``: the built site and a README whose front matter a static Space reads."""

from __future__ import annotations

import hashlib
import json

import pytest
import yaml

import resnext
from resnext.cli import main
from resnext.export import catalog_json, space_readme
from resnext.weights.hub import HUB_FILE, hub_repo
from resnext.weights.lock import Locked, read_lock, write_lock
from tests.hub import HubServer


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


def _lock(path, weights):
    """A lock file as ``resnext lock`` writes it."""
    write_lock(path, [Locked(vid, *entry) for vid, entry in weights.items()])
    return path


def test_a_lock_pins_the_sites_downloads_and_the_built_catalog_stays(tmp_path, capsys):
    site = _site(tmp_path)
    built = (site / "models" / "catalog.json").read_text()
    ssl, swsl = "ssl_resnext50_32x4d", "swsl_resnext50_32x4d"
    repo = {r["id"]: r["hub"]["repo"] for r in catalog_json()["variants"] if r["hub"]}
    lock = _lock(tmp_path / "weights.lock", {ssl: (f"Hub {repo[ssl]}, else https://x/a.pth", 100, "a" * 64, "c" * 40),
                                             swsl: (f"Hub {repo[swsl]}", 200, "b" * 64, None)})
    out = tmp_path / "space"
    assert main(["space", "static", str(out), "--site", str(site), "--lock", str(lock)]) == 0
    assert f"checked against the hashes of {lock}" in capsys.readouterr().out
    rows = {r["id"]: r for r in json.loads((out / "models" / "catalog.json").read_text())["variants"]}
    assert rows[ssl]["hub"] == {"repo": repo[ssl], "file": "model.safetensors", "sha256": "a" * 64, "size": 100,
                                "revision": "c" * 40}
    assert rows[swsl]["hub"] == {"repo": repo[swsl], "file": "model.safetensors", "sha256": "b" * 64, "size": 200}
    assert all("sha256" not in r["hub"] for vid, r in rows.items() if r["hub"] and vid not in (ssl, swsl))
    assert (site / "models" / "catalog.json").read_text() == built  # the lock is the publisher's, not the repo's
    assert json.loads((out / "models" / "catalog.json").read_text())["labels"] == json.loads(built)["labels"]


@pytest.mark.parametrize(("text", "said"), [
    (None, "There is no lock file"),
    ("not json", "cannot be read"),
    ('{"format": "resnext-weights-lock/1", "weights": {"ssl_resnext50_32x4d": {"origin": "Hub x"}}}', "cannot be read"),
    ('{"format": "resnext-weights-lock/1", "weights": {"resnext9000": {"origin": "Hub x", "size": 1, "sha256": "'
     + "a" * 64 + '"}}}', "names resnext9000, which this site's catalog does not list"),
    ('{"format": "resnext-weights-lock/1", "weights": {"ssl_resnext50_32x4d": {"origin": "Hub x", "size": 1, '
     '"sha256": "abc"}}}', "gives ssl_resnext50_32x4d no valid SHA-256 and size"),
    ('{"format": "resnext-weights-lock/1", "weights": {"ssl_resnext50_32x4d": {"origin": "https://x/a.pth", "size": 1, '
     '"sha256": "' + "a" * 64 + '"}}}', "pins ssl_resnext50_32x4d as taken from https://x/a.pth, not the Hub's"),
])
def test_a_lock_that_cannot_be_used_is_one_sentence_and_nothing_is_written(tmp_path, capsys, text, said):
    site = _site(tmp_path)
    lock = tmp_path / "weights.lock"
    if text is not None:
        lock.write_text(text)
    out = tmp_path / "space"
    assert main(["space", "static", str(out), "--site", str(site), "--lock", str(lock)]) == 2
    err = capsys.readouterr().err
    assert said in err and "(nothing was written)." in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_resnext_lock_records_the_hub_commit_and_the_space_downloads_from_it(tiny_env, monkeypatch, tmp_path, capsys):
    vid = "ssl_resnext50_32x4d"  # a tiny network in the test catalog, with the SSL family's timm name
    with HubServer() as hub:
        repo = hub_repo(resnext.get_variant(vid))
        sha = hub.add(repo, HUB_FILE, b"not a real checkpoint, but bytes the lock pins")
        monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)
        monkeypatch.setenv("RESNEXT_WEIGHTS_SOURCE", "hub")
        from resnext.weights.hub import hub_weights

        hub_weights(resnext.get_variant(vid))
    lock = tmp_path / "weights.lock"
    assert main(["lock", vid, "--out", str(lock)]) == 0
    entry = read_lock(lock)[vid]
    assert entry.revision == hashlib.sha1(repo.encode()).hexdigest()  # the stand-in's X-Repo-Commit
    assert f"(Hub {repo} at {entry.revision})" in capsys.readouterr().out
    out = tmp_path / "space"
    assert main(["space", "static", str(out), "--site", str(_site(tmp_path)), "--lock", str(lock)]) == 0
    rows = {r["id"]: r for r in json.loads((out / "models" / "catalog.json").read_text())["variants"]}
    assert rows[vid]["hub"] == {"repo": repo, "file": HUB_FILE, "sha256": sha, "size": entry.size,
                                "revision": entry.revision}
