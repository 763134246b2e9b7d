"""Weights pinned by a lock file, as pip's --require-hashes pins packages: refused when the bytes differ."""

from __future__ import annotations

import hashlib
import json

import pytest

import resnext
from resnext.cli import main
from resnext.errors import WeightsError
from resnext.weights import integrity
from resnext.weights.lock import read_lock
from resnext.weights.sources import ensure_weights
from tests.apptest import SAMPLES

VID, OTHER = "tiny_resnext14_2x2d", "ssl_resnext50_32x4d"


def test_lock_pins_every_file_here_and_a_load_checks_it(tiny_env, isolated_env, capsys):
    path = ensure_weights(resnext.get_variant(VID))
    assert main(["lock"]) == 0
    lock = isolated_env / "weights.lock"
    entry = json.loads(lock.read_text())["weights"][VID]
    assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest() and entry["size"] == path.stat().st_size
    assert list(json.loads(lock.read_text())["weights"]) == [VID]  # only what is on this machine
    assert f"Locked 1 weights files in {lock}" in capsys.readouterr().out
    assert ensure_weights(resnext.get_variant(VID)) == path  # the locked bytes load


def test_a_file_the_lock_does_not_pin_is_refused_and_left_as_it_is(tiny_env, isolated_env, capsys):
    path = ensure_weights(resnext.get_variant(VID))
    assert main(["lock", VID]) == 0
    lock = isolated_env / "weights.lock"
    body = json.loads(lock.read_text())
    body["weights"][VID]["sha256"] = "0" * 64  # the file on disk is no longer the one chosen
    lock.write_text(json.dumps(body))
    integrity._verified.clear()  # a new process
    with pytest.raises(WeightsError, match=f"not the file the lock {lock} pins for {VID}") as err:
        ensure_weights(resnext.get_variant(VID))
    assert "\n" not in str(err.value) and path.is_file()
    assert main(["predict", str(SAMPLES / "chelsea.png"), "--model", VID]) == 2
    assert capsys.readouterr().err.count("resnext: ") == 1
    with pytest.raises(WeightsError, match=f"{OTHER} is not in the lock file"):
        ensure_weights(resnext.get_variant(OTHER))


def test_a_size_that_differs_is_refused_without_hashing(tiny_env, isolated_env):
    ensure_weights(resnext.get_variant(VID))
    main(["lock"])
    lock = isolated_env / "weights.lock"
    body = json.loads(lock.read_text())
    body["weights"][VID]["size"] += 1
    lock.write_text(json.dumps(body))
    with pytest.raises(WeightsError, match="bytes, locked"):
        ensure_weights(resnext.get_variant(VID))


@pytest.mark.parametrize("text", ["not json", '{"format": "other"}', '{"format": "resnext-weights-lock/1"}'])
def test_a_damaged_lock_is_one_sentence(tiny_env, isolated_env, text, capsys):
    (isolated_env).mkdir(parents=True, exist_ok=True)
    (isolated_env / "weights.lock").write_text(text)
    assert main(["download", VID]) == 2
    err = capsys.readouterr().err
    assert err.count("resnext: ") == 1 and "cannot be read" in err and "Traceback" not in err


def test_nothing_to_lock_and_a_missing_file_are_one_sentence(tiny_env, capsys):
    assert main(["lock"]) == 2
    assert "No weights are on this machine" in capsys.readouterr().err
    assert main(["lock", VID]) == 2
    assert f"The weights of {VID} are not on this machine" in capsys.readouterr().err


def test_the_lock_file_can_be_named(tiny_env, tmp_path, monkeypatch, capsys):
    ensure_weights(resnext.get_variant(VID))
    named = tmp_path / "pinned.lock"
    assert main(["lock", "--out", str(named)]) == 0
    assert "RESNEXT_LOCK_FILE" in capsys.readouterr().out
    monkeypatch.setenv("RESNEXT_LOCK_FILE", str(named))
    assert read_lock(named)[VID].variant == VID
    with pytest.raises(WeightsError, match="not in the lock file"):
        ensure_weights(resnext.get_variant(OTHER))
