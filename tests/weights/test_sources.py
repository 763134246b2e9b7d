"""Downloads against a loopback server: success, cache hit, mismatch, truncation, 404, timeout."""

import os
import pickle

import pytest
import torch
import yaml

import resnext
from resnext.errors import CacheError, ChecksumError, DownloadError, WeightsError
from resnext.weights import integrity, sources
from resnext.weights.checkpoint import read_checkpoint
from tests.conftest import SAMPLES
from tests.factory import write_model_index

VID = "tiny_resnext14_2x2d"
SAMPLE = SAMPLES / "chelsea.png"


def _leftovers(cache):
    """Files in the cache other than finished checkpoints (lock files included: none may stay)."""
    if not cache.exists():
        return []
    return sorted(p.name for p in cache.iterdir() if p.is_file() and not p.name.endswith(".pth"))


def test_download_verifies_and_caches(tiny_env, server, isolated_env):
    v = resnext.get_variant(VID)
    seen = []
    path = sources.ensure_weights(v, progress=lambda done, total: seen.append((done, total)))
    assert path == isolated_env / v.file_name
    assert path.read_bytes() == tiny_env[VID].read_bytes()
    assert seen[0] == (0, v.file_size) and seen[-1] == (v.file_size, v.file_size)
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:]))
    assert _leftovers(isolated_env) == []
    assert sources.is_cached(v)


def test_cache_hit_makes_no_second_request(tiny_env, server):
    v = resnext.get_variant(VID)
    url_path = f"/ok/{v.file_name}"
    before = server.requests[url_path]
    first = sources.ensure_weights(v)
    second = sources.ensure_weights(v)
    assert first == second
    assert server.requests[url_path] == before + 1


def test_mirror_replaces_the_base_url(tiny_env, server, monkeypatch):
    v = resnext.get_variant(VID)
    monkeypatch.setenv("RESNEXT_WEIGHTS_MIRROR", server.base("ok") + "/")
    assert sources.weights_url(v) == f"{server.base('ok')}/{v.file_name}"


@pytest.mark.parametrize(
    ("mode", "error", "words"),
    [
        ("corrupt", ChecksumError, "corrupt"),
        ("truncate", DownloadError, "stopped after"),
        ("gone", DownloadError, "404"),
        ("slow", DownloadError, "timed out"),
    ],
)
def test_failed_downloads_leave_the_cache_clean(tiny_env, server, isolated_env, monkeypatch, mode, error, words):
    v = resnext.get_variant(VID)
    monkeypatch.setenv("RESNEXT_WEIGHTS_MIRROR", server.base(mode))
    with pytest.raises(error) as info:
        sources.ensure_weights(v, timeout=0.5)
    message = str(info.value)
    assert words in message
    assert v.file_name in message or server.base(mode) in message
    assert "\n" not in message
    assert not (isolated_env / v.file_name).exists()
    assert _leftovers(isolated_env) == []
    # The next attempt, from a good source, starts clean and succeeds.
    monkeypatch.setenv("RESNEXT_WEIGHTS_MIRROR", server.base("ok"))
    assert sources.ensure_weights(v).read_bytes() == tiny_env[VID].read_bytes()


def test_no_network_names_the_url_and_offline_options(tiny_env, monkeypatch):
    v = resnext.get_variant(VID)
    monkeypatch.setenv("RESNEXT_WEIGHTS_MIRROR", "http://127.0.0.1:9")  # discard port: nothing listens
    with pytest.raises(DownloadError) as info:
        sources.ensure_weights(v, timeout=2)
    message = str(info.value)
    for words in ("http://127.0.0.1:9/", "RESNEXT_CACHE_DIR", "RESNEXT_WEIGHTS_MIRROR"):
        assert words in message
    assert "--weights" not in message  # a command-line flag is the CLI's to offer (tests/test_cli.py)


def test_damaged_cache_file_is_moved_aside_and_replaced(tiny_env, server, isolated_env, caplog):
    v = resnext.get_variant(VID)
    isolated_env.mkdir(parents=True)
    cached = isolated_env / v.file_name
    partial = tiny_env[VID].read_bytes()[:1000]
    cached.write_bytes(partial)
    assert not sources.is_cached(v)
    assert sources.ensure_weights(v).read_bytes() == tiny_env[VID].read_bytes()
    aside = isolated_env / f"{v.file_name}.rejected"
    assert aside.read_bytes() == partial
    warning = " ".join(r.getMessage() for r in caplog.records)
    assert str(cached) in warning and str(aside) in warning and "1,000 bytes" in warning

    good = cached.read_bytes()
    rotten = good[:50] + bytes([good[50] ^ 1]) + good[51:]
    cached.write_bytes(rotten)  # bit rot, same size
    integrity._verified.clear()  # a new process would hash it once
    assert sources.ensure_weights(v).read_bytes() == good
    assert aside.read_bytes() == partial  # the first rejected file is kept too
    assert (isolated_env / f"{v.file_name}.rejected.2").read_bytes() == rotten


def test_a_users_file_that_fails_verification_survives_an_offline_start(tiny_env, isolated_env, monkeypatch):
    v = resnext.get_variant(VID)
    monkeypatch.setenv("RESNEXT_WEIGHTS_MIRROR", "http://127.0.0.1:9")
    isolated_env.mkdir(parents=True)
    cached = isolated_env / v.file_name
    mine = tiny_env["ssl_resnext50_32x4d"].read_bytes()  # a checkpoint, but not this one
    cached.write_bytes(mine)
    with pytest.raises(DownloadError) as info:
        sources.ensure_weights(v, timeout=2)
    message = str(info.value)
    aside = isolated_env / f"{v.file_name}.rejected"
    assert aside.read_bytes() == mine
    expected_prefix = v.file_name.rsplit("-", 1)[1][:8]
    for words in (str(cached), str(aside), f"expected SHA-256 {expected_prefix}", f"{len(mine):,} bytes"):
        assert words in message
    assert "\n" not in message


def test_a_verified_hash_overrules_the_model_index_size(tiny_env, server, isolated_env, tmp_path, monkeypatch, caplog):
    entry = _entry(tiny_env, **{"File Size": 12345})
    monkeypatch.setenv("RESNEXT_MODEL_INDEX", str(write_model_index(tmp_path / "mine.yaml", [entry])))
    v = resnext.get_variant(VID)
    isolated_env.mkdir(parents=True)
    cached = isolated_env / v.file_name
    cached.write_bytes(tiny_env[VID].read_bytes())
    stat = cached.stat()
    before = sum(server.requests.values())
    for _ in range(2):  # two "processes": each hashes once, neither deletes nor downloads
        integrity._verified.clear()
        assert sources.ensure_weights(v) == cached
        assert sources.ensure_weights(v) == cached
    assert sum(server.requests.values()) == before
    assert (cached.stat().st_ino, cached.stat().st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)
    notes = [r.getMessage() for r in caplog.records if "hash is the truth" in r.getMessage()]
    assert len(notes) == 2 and "12,345" in notes[0]  # once per process


def _entry(tiny_env, **changes):
    """The tiny index's entry for VID, with some fields changed (Weights at the top, the rest in Metadata)."""
    doc = yaml.safe_load(tiny_env["index"].read_text())
    entry = next(e for e in doc["Models"] if e["Name"] == VID)
    if "Weights" in changes:
        entry["Weights"] = changes.pop("Weights")
    entry["Metadata"].update(changes)
    return entry


def _untouched(path):
    stat = path.stat()
    return path.read_bytes(), stat.st_ino, stat.st_mtime_ns, stat.st_mode


@pytest.mark.parametrize("form", ["file-url", "absolute", "relative"])
def test_local_weights_are_used_where_they_are(tiny_env, server, isolated_env, tmp_path, monkeypatch, form):
    folder = tmp_path / "my models"
    folder.mkdir()
    mine = folder / tiny_env[VID].name
    mine.write_bytes(tiny_env[VID].read_bytes())
    before = _untouched(mine)
    source = {"file-url": mine.as_uri(), "absolute": str(mine), "relative": f"my models/{mine.name}"}[form]
    monkeypatch.setenv("RESNEXT_MODEL_INDEX", str(write_model_index(tmp_path / "mine.yaml", [_entry(tiny_env, Weights=source)])))
    requests = sum(server.requests.values())
    v = resnext.get_variant(VID)
    assert sources.local_file(v) == mine and sources.is_cached(v)
    clf = resnext.load_classifier(VID)
    assert clf.predict(SAMPLE) == resnext.load_classifier(VID, weights=tiny_env[VID]).predict(SAMPLE)
    assert sum(server.requests.values()) == requests
    assert _untouched(mine) == before
    assert not list(isolated_env.glob("*.pth"))  # never copied into the cache


def test_a_mirror_may_be_a_local_folder(tiny_env, server, isolated_env, tmp_path, monkeypatch):
    v = resnext.get_variant(VID)
    (tmp_path / "mirror").mkdir()
    copy = tmp_path / "mirror" / v.file_name
    copy.write_bytes(tiny_env[VID].read_bytes())
    monkeypatch.setenv("RESNEXT_WEIGHTS_MIRROR", str(tmp_path / "mirror"))
    requests = sum(server.requests.values())
    assert sources.ensure_weights(v) == copy
    assert sum(server.requests.values()) == requests and not isolated_env.exists()


def test_a_local_file_that_fails_verification_is_reported_and_left_alone(tiny_env, tmp_path, monkeypatch):
    v = resnext.get_variant(VID)
    wrong = tmp_path / v.file_name  # the right name (with its hash prefix), the wrong bytes
    wrong.write_bytes(tiny_env["ssl_resnext50_32x4d"].read_bytes())
    before = _untouched(wrong)
    index = write_model_index(tmp_path / "mine.yaml", [_entry(tiny_env, Weights=wrong.name)])
    monkeypatch.setenv("RESNEXT_MODEL_INDEX", str(index))
    with pytest.raises(WeightsError) as info:
        sources.ensure_weights(resnext.get_variant(VID))
    message = str(info.value)
    assert str(wrong) in message and "left as it is" in message and str(index) in message
    assert "expected SHA-256" in message
    assert _untouched(wrong) == before and list(tmp_path.glob("*.rejected")) == []


@pytest.mark.parametrize(("source", "error", "words"), [
    ("missing/nothing-here.pth", WeightsError, "not a file"),
    ("ftp://127.0.0.1/x.pth", DownloadError, "address this program cannot read"),
    ("file://otherhost/x.pth", DownloadError, "address this program cannot read"),
])
def test_unusable_local_sources_are_one_sentence(tiny_env, tmp_path, monkeypatch, source, error, words):
    monkeypatch.setenv("RESNEXT_MODEL_INDEX", str(write_model_index(tmp_path / "mine.yaml", [_entry(tiny_env, Weights=source)])))
    with pytest.raises(error) as info:
        resnext.load_classifier(VID)
    assert words in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_downloads_get_the_users_usual_permissions(tiny_env, server, umask):
    import stat

    old = os.umask(umask)
    try:
        path = sources.ensure_weights(resnext.get_variant(VID))
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_read_only_cache_is_a_clear_error(tiny_env, tmp_path, monkeypatch):
    if os.geteuid() == 0:
        # root ignores permissions; a file where the folder should be fails the same way for everyone.
        (tmp_path / "not-a-folder").write_text("")
        monkeypatch.setenv("RESNEXT_CACHE_DIR", str(tmp_path / "not-a-folder" / "cache"))
    else:
        (tmp_path / "ro").mkdir(mode=0o500)
        monkeypatch.setenv("RESNEXT_CACHE_DIR", str(tmp_path / "ro"))
    with pytest.raises(CacheError) as info:
        sources.ensure_weights(resnext.get_variant(VID))
    assert "RESNEXT_CACHE_DIR" in str(info.value)


def test_explicit_weights_are_used_and_never_deleted(tiny_env, server, tmp_path):
    path = tmp_path / "mine.pth"
    path.write_bytes(tiny_env[VID].read_bytes())
    before = sum(server.requests.values())
    clf = resnext.load_classifier(VID, weights=path)
    assert sum(server.requests.values()) == before
    assert path.exists() and clf.variant.id == VID


def test_key_and_shape_mismatches_are_named(tiny_env, tmp_path):
    state = torch.load(tiny_env[VID], weights_only=True)
    state["extra.weight"] = torch.zeros(1)
    del state["layer2.0.conv1.weight"]
    state["fc.bias"] = torch.zeros(10)
    torch.save(state, tmp_path / "bad.pth")
    with pytest.raises(WeightsError) as info:
        resnext.load_classifier(VID, weights=tmp_path / "bad.pth")
    message = str(info.value)
    assert "missing: layer2.0.conv1.weight" in message
    assert "unexpected: extra.weight" in message
    assert "fc.bias (10,) vs (1000,)" in message


def test_legacy_wrapped_checkpoints_load(tiny_env, tmp_path):
    state = torch.load(tiny_env[VID], weights_only=True)
    wrapped = {"state_dict": {f"module.{k}": t for k, t in state.items() if "num_batches_tracked" not in k}}
    torch.save(wrapped, tmp_path / "legacy.pth", _use_new_zipfile_serialization=False)
    a = resnext.load_classifier(VID, weights=tmp_path / "legacy.pth")
    b = resnext.load_classifier(VID, weights=tiny_env[VID])
    x = torch.randn(1, 3, 64, 64, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert torch.equal(a.model(x), b.model(x))


class _Boom:
    def __reduce__(self):
        return (os.system, ("touch /tmp/resnext-pwned",))


def test_pickle_that_runs_code_is_refused(tmp_path):
    marker = "/tmp/resnext-pwned"
    if os.path.exists(marker):
        os.remove(marker)
    path = tmp_path / "evil.pth"
    torch.save({"conv1.weight": _Boom()}, path)
    with pytest.raises(WeightsError, match="Refused"):
        read_checkpoint(path)
    assert not os.path.exists(marker)
    path.write_bytes(pickle.dumps({"x": _Boom()}))
    with pytest.raises(WeightsError):
        read_checkpoint(path)
    assert not os.path.exists(marker)


def test_garbage_file_is_not_a_checkpoint(tmp_path):
    path = tmp_path / "junk.pth"
    path.write_bytes(b"this is not a checkpoint")
    with pytest.raises(WeightsError, match="not a readable PyTorch checkpoint"):
        read_checkpoint(path)
    with pytest.raises(WeightsError, match="does not exist"):
        read_checkpoint(tmp_path / "nope.pth")


def test_concurrent_requests_download_once(tiny_env, server):
    import threading

    v = resnext.get_variant(VID)
    before = server.requests[f"/ok/{v.file_name}"]
    paths, errors = [], []

    def fetch():
        try:
            paths.append(sources.ensure_weights(v))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=fetch) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and len(paths) == 6 and len(set(paths)) == 1
    assert server.requests[f"/ok/{v.file_name}"] == before + 1
    assert paths[0].read_bytes() == tiny_env[VID].read_bytes()


_FETCH = """
import sys, resnext
from resnext.weights.sources import ensure_weights
path = ensure_weights(resnext.get_variant(sys.argv[1]), timeout=30)
print(path.stat().st_size)
"""


def test_concurrent_processes_download_once_and_never_see_a_partial_file(tiny_env, server, isolated_env):
    import subprocess
    import sys

    v = resnext.get_variant(VID)
    before = server.requests[f"/ok/{v.file_name}"]
    env = {**os.environ, "RESNEXT_MODEL_INDEX": str(tiny_env["index"]), "RESNEXT_CACHE_DIR": str(isolated_env)}
    procs = [subprocess.Popen([sys.executable, "-c", _FETCH, VID], env=env, stdout=subprocess.PIPE, text=True)
             for _ in range(3)]
    sizes = [int(p.communicate(timeout=120)[0].strip()) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sizes == [v.file_size] * 3  # each saw the whole, verified file
    assert server.requests[f"/ok/{v.file_name}"] == before + 1


_HOLD_LOCK = """
import fcntl, sys, time
handle = open(sys.argv[1], "a+b")
fcntl.flock(handle, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(600)
"""


def test_lock_of_a_killed_process_is_recovered(tiny_env, isolated_env):
    import subprocess
    import sys

    v = resnext.get_variant(VID)
    isolated_env.mkdir(parents=True)
    lock = isolated_env / f"{v.file_name}.lock"
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, str(lock)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    (isolated_env / f".{v.file_name}.abc123.partial").write_bytes(b"half a download")  # what it left
    holder.kill()  # SIGKILL: no clean-up runs
    holder.wait(10)
    path = sources.ensure_weights(v, timeout=10)
    assert path.read_bytes() == tiny_env[VID].read_bytes()
    assert _leftovers(isolated_env) == []


def test_a_download_killed_halfway_leaves_no_final_file(tiny_env, server, isolated_env, monkeypatch):
    import subprocess
    import sys
    import time

    v = resnext.get_variant(VID)
    env = {**os.environ, "RESNEXT_MODEL_INDEX": str(tiny_env["index"]), "RESNEXT_CACHE_DIR": str(isolated_env),
           "RESNEXT_WEIGHTS_MIRROR": server.base("slow")}  # headers only after slow_seconds
    proc = subprocess.Popen([sys.executable, "-c", _FETCH, VID], env=env, stdout=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not list(isolated_env.glob("*.partial")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(isolated_env.glob("*.partial")), "the download should have started"
    proc.kill()
    proc.wait(10)
    assert not (isolated_env / v.file_name).exists()
    assert sources.ensure_weights(v).read_bytes() == tiny_env[VID].read_bytes()
    assert _leftovers(isolated_env) == []


def test_a_full_disk_names_the_folder_and_the_variable(tiny_env, isolated_env, monkeypatch):
    import errno

    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fd, mode):
            self._file = real_fdopen(fd, mode)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._file.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(sources.os, "fdopen", Full)
    with pytest.raises(CacheError) as info:
        sources.ensure_weights(resnext.get_variant(VID))
    assert str(isolated_env) in str(info.value) and "RESNEXT_CACHE_DIR" in str(info.value)
    assert "No space left" in str(info.value)
    assert _leftovers(isolated_env) == []
