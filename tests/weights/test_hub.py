"""Weights from the Hub through huggingface_hub, against a stand-in Hub on 127.0.0.1 with the Hub's headers."""

from __future__ import annotations

import hashlib
import os

import pytest
import torch
from safetensors.torch import save_file

import resnext
from resnext.cli import main
from resnext.errors import ChecksumError, DownloadError
from resnext.weights.hub import HUB_FILE, hub_repo
from resnext.weights.sources import ensure_weights
from resnext.weights.sources import origin
from tests.hub import HubServer

VID = "ssl_resnext50_32x4d"  # a tiny network in the test catalog, with the SSL family's timm name


@pytest.fixture
def hub(tiny_env, monkeypatch, tmp_path):
    """The stand-in Hub, publishing the tiny SSL variant's checkpoint as timm's safetensors."""
    with HubServer() as server:
        state = torch.load(tiny_env[VID], weights_only=True)
        path = tmp_path / HUB_FILE
        save_file({k: v.contiguous() for k, v in state.items()}, path)
        server.sha = server.add(hub_repo(resnext.get_variant(VID)), HUB_FILE, path.read_bytes())
        monkeypatch.setenv("HF_ENDPOINT", server.endpoint)
        monkeypatch.setenv("RESNEXT_WEIGHTS_SOURCE", "auto")
        yield server


def test_every_repo_is_timms_own():
    import timm

    configs = {v.id: timm.models.get_pretrained_cfg(v.timm_name) for v in resnext.list_variants()}
    hosted = {vid: cfg.hf_hub_id if cfg else None for vid, cfg in configs.items()}
    for v in resnext.list_variants():
        if hosted[v.id] is not None:
            assert hub_repo(v) == hosted[v.id].removeprefix("hf-hub:"), v.id
    # timm names no Hub copy of the 3.3 GB checkpoint: "auto" finds the repo missing and takes the URL
    assert [vid for vid, repo in hosted.items() if repo is None] == ["ig_resnext101_32x48d"]


def test_a_cold_download_is_the_same_network_as_the_pth(hub):
    path = ensure_weights(resnext.get_variant(VID))
    assert path.name == HUB_FILE and path.resolve().name == hub.sha  # in the Hub cache, its blob named by the ETag
    assert ("GET", f"/cdn/{hub.sha}") in hub.requests
    from_hub = resnext.load_classifier(VID)
    from_pth = resnext.load_classifier(VID, source="url")
    assert str(from_pth.checkpoint).endswith(".pth")
    x = torch.rand(2, 3, 224, 224)
    torch.testing.assert_close(from_hub.probabilities(x), from_pth.probabilities(x), rtol=0, atol=0)


def test_a_warm_cache_needs_no_request_online_or_offline(hub, monkeypatch):
    first = ensure_weights(resnext.get_variant(VID))
    hub.requests.clear()
    assert ensure_weights(resnext.get_variant(VID)) == first
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert ensure_weights(resnext.get_variant(VID)) == first
    assert hub.requests == []


def test_offline_with_nothing_cached_is_one_sentence(hub, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("RESNEXT_WEIGHTS_SOURCE", "hub")
    with pytest.raises(DownloadError, match="not in the Hub cache and HF_HUB_OFFLINE is set"):
        ensure_weights(resnext.get_variant(VID))
    assert hub.requests == []


def test_a_corrupt_file_names_the_repo_the_file_and_both_hashes(hub, capsys):
    hub.corrupt.add(hub.sha)
    with pytest.raises(ChecksumError) as err:
        ensure_weights(resnext.get_variant(VID))
    text = str(err.value)
    assert hub_repo(resnext.get_variant(VID)) in text and HUB_FILE in text and hub.sha in text
    assert "\n" not in text
    assert main(["download", VID]) == 2
    assert capsys.readouterr().err.count("resnext: ") == 1


def test_an_unreachable_hub_falls_back_to_the_url(tiny_env, monkeypatch):
    monkeypatch.setenv("RESNEXT_WEIGHTS_SOURCE", "auto")  # HF_ENDPOINT is a closed port (conftest)
    path = ensure_weights(resnext.get_variant(VID))
    assert path.suffix == ".pth" and path.read_bytes() == tiny_env[VID].read_bytes()


def test_a_missing_repo_falls_back_to_the_url(hub, tiny_env):
    hub.repos.clear()
    path = ensure_weights(resnext.get_variant(VID))
    assert path.suffix == ".pth" and ("HEAD", f"/{hub_repo(resnext.get_variant(VID))}/resolve/main/{HUB_FILE}") in \
        hub.requests


def test_both_sources_unreachable_is_one_sentence_and_exit_2(tiny_env, tmp_path, monkeypatch, capsys):
    index = tmp_path / "dead.yaml"
    text = tiny_env["index"].read_text()
    index.write_text(_dead_urls(text))
    monkeypatch.setenv("RESNEXT_MODEL_INDEX", str(index))
    monkeypatch.setenv("RESNEXT_WEIGHTS_SOURCE", "auto")
    assert main(["download", VID]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Hub" in err[0] and "Traceback" not in err[0], err


def _dead_urls(text: str) -> str:
    import re

    return re.sub(r"http://127\.0\.0\.1:\d+/", "http://127.0.0.1:9/", text)


def test_list_and_the_source_option_say_where_weights_come_from(tiny_env, capsys, monkeypatch):
    monkeypatch.setenv("RESNEXT_WEIGHTS_SOURCE", "auto")
    v = resnext.get_variant(VID)
    assert origin(v).startswith(f"Hub {hub_repo(v)}, else http://127.0.0.1:")
    assert origin(v, "url").startswith("http://127.0.0.1:")
    assert main(["list", "--source", "hub"]) == 0
    assert f"Hub {hub_repo(v)}" in capsys.readouterr().out
    assert os.environ["RESNEXT_WEIGHTS_SOURCE"] == "hub"
    monkeypatch.setenv("RESNEXT_WEIGHTS_SOURCE", "ftp")
    assert main(["list"]) == 2
    assert "Unknown weights source 'ftp'" in capsys.readouterr().err


def test_the_hub_file_is_hashed_against_its_etag(hub):
    path = ensure_weights(resnext.get_variant(VID))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == hub.sha


def test_a_checkpoint_already_downloaded_from_its_url_asks_the_hub_nothing(hub):
    first = ensure_weights(resnext.get_variant(VID), source="url")
    hub.requests.clear()
    assert ensure_weights(resnext.get_variant(VID)) == first  # auto
    assert hub.requests == []


def test_a_download_reports_its_bytes_to_the_caller_not_the_terminal(hub, capfd):
    seen = []
    path = ensure_weights(resnext.get_variant(VID), progress=lambda done, total: seen.append((done, total)))
    size = path.stat().st_size
    assert seen and seen[-1] == (size, size)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert "model.safetensors" not in capfd.readouterr().err  # huggingface_hub drew no bar of its own


def test_a_cache_without_symlinks_is_still_checked_against_the_etag(hub, monkeypatch, caplog):
    import huggingface_hub.file_download as file_download

    from resnext.weights import integrity

    monkeypatch.setattr(file_download, "are_symlinks_supported", lambda *args, **kwargs: False)
    path = ensure_weights(resnext.get_variant(VID))
    assert not path.is_symlink() and path.resolve().name == HUB_FILE  # a plain copy, no hash-named blob
    rotten = bytearray(path.read_bytes())
    rotten[100] ^= 1
    path.write_bytes(rotten)
    integrity._verified.clear()  # a new process
    with pytest.raises(ChecksumError, match=f"the Hub's ETag says {hub.sha}"):
        ensure_weights(resnext.get_variant(VID))
    assert (path.parent / f"{HUB_FILE}.rejected").read_bytes() == rotten  # moved aside, not deleted
    assert ensure_weights(resnext.get_variant(VID)).read_bytes() != rotten  # and downloaded again
    integrity._verified.clear()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # no ETag to be had: used, and said
    ensure_weights(resnext.get_variant(VID))
    assert "cannot be checked against the Hub's hash" in caplog.text
