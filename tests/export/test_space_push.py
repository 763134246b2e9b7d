"""``resnext space push``: create a static Space and upload its folder, against the stand-in Hub on 127.0.0.1.

huggingface_hub itself does the talking (``create_repo``, ``upload_folder``: preupload, LFS batch, the
commit), so these tests hold the command to the Hub's protocol as huggingface_hub speaks it.
"""

from __future__ import annotations

import json

import pytest
import yaml

from resnext.cli import main
from resnext.export.space import static_address
from tests.export.test_space import _site
from tests.hub import HubServer


@pytest.fixture
def hub(monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)  # the stand-in speaks LFS, not Xet
    with HubServer() as server:
        monkeypatch.setenv("HF_TOKEN", server.write_token)
        yield server


@pytest.fixture
def folder(tmp_path):
    site = _site(tmp_path)
    (site / "ort.wasm").write_bytes(b"\0asm" + bytes(range(256)) * 64)  # binary: goes by LFS, as on the Hub
    out = tmp_path / "my-space"
    assert main(["space", "static", str(out), "--site", str(site)]) == 0
    return out


def test_push_creates_a_static_space_and_uploads_the_folder(hub, folder, capsys):
    assert main(["space", "push", "you/resnext_explorer", "--folder", str(folder), "--hub", hub.endpoint]) == 0
    files = hub.repos["spaces/you/resnext_explorer"]
    assert hub.created == {"spaces/you/resnext_explorer": {"type": "space", "sdk": "static"}}
    assert files == {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert yaml.safe_load(files["README.md"].decode().split("---\n")[1])["sdk"] == "static"
    assert ("PUT", f"/lfs-upload/{__import__('hashlib').sha256(files['ort.wasm']).hexdigest()}") in hub.requests
    out = capsys.readouterr().out
    assert f"{hub.endpoint}/spaces/you/resnext_explorer" in out
    assert "https://you-resnext-explorer.static.hf.space" in out


def test_a_second_push_keeps_the_space_and_sends_only_what_changed(hub, folder):
    assert main(["space", "push", "you/explorer", "--folder", str(folder), "--hub", hub.endpoint]) == 0
    (folder / "config.json").write_text(json.dumps({"hub": "https://mirror.example"}))
    assert main(["space", "push", "you/explorer", "--folder", str(folder), "--hub", hub.endpoint]) == 0
    assert [paths for _, _, paths in hub.commits][1] == ["config.json"]
    assert json.loads(hub.repos["spaces/you/explorer"]["config.json"]) == {"hub": "https://mirror.example"}


def test_without_a_folder_push_writes_one_from_the_built_site(hub, tmp_path):
    site = _site(tmp_path)
    assert main(["space", "push", "you/explorer", "--site", str(site), "--hub", hub.endpoint]) == 0
    assert set(hub.repos["spaces/you/explorer"]) == {"README.md", "config.json", "index.html", "models/catalog.json"}


@pytest.mark.parametrize("token", [None, "hf_not_the_right_one"])
def test_without_a_usable_token_it_says_how_to_log_in_in_one_sentence(hub, folder, monkeypatch, tmp_path, capsys,
                                                                     token):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))  # no token saved by `hf auth login` either
    if token is None:
        monkeypatch.delenv("HF_TOKEN")
    else:
        monkeypatch.setenv("HF_TOKEN", token)
    assert main(["space", "push", "you/explorer", "--folder", str(folder), "--hub", hub.endpoint]) == 2
    err = capsys.readouterr().err
    assert "hf auth login" in err and "HF_TOKEN" in err and "Traceback" not in err and err.count("\n") == 1
    assert "spaces/you/explorer" not in hub.repos or not hub.repos["spaces/you/explorer"]


def test_a_wrong_name_a_wrong_folder_or_no_hub_is_one_sentence(hub, folder, tmp_path, capsys):
    assert main(["space", "push", "explorer", "--folder", str(folder), "--hub", hub.endpoint]) == 2
    assert main(["space", "push", "you/explorer", "--folder", str(tmp_path), "--hub", hub.endpoint]) == 2
    assert main(["space", "push", "you/explorer", "--folder", str(folder), "--hub", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert "write it as OWNER/NAME" in err[0] and "resnext space static" in err[1] and "Cannot reach" in err[2]
    assert len(err) == 3 and not hub.repos


def test_the_static_address_follows_the_hubs_subdomain_rule():
    assert static_address("You/My_Space.v2") == "https://you-my-space-v2.static.hf.space"
