"""The browser's transfer-study fixture is what the library writes today."""

from __future__ import annotations

import base64
import json

import numpy as np
from safetensors.numpy import load

from tests.export.fixtures_transfer import FOLDER, NAME, write


def _same(fresh, committed, where: str = "") -> None:
    """Equal, floats to 1e-9 relative: another machine's BLAS may round the last bits of an SVD otherwise."""
    if isinstance(fresh, dict):
        assert fresh.keys() == committed.keys(), where
        for key in fresh:
            if key == "file":  # a head file: its tensors, as float32, and the rest of it exactly
                ours, theirs = (load(base64.b64decode(v)) for v in (fresh[key], committed[key]))
                assert ours.keys() == theirs.keys(), where
                for name in ours:
                    np.testing.assert_allclose(ours[name], theirs[name], rtol=1e-5, atol=1e-6, err_msg=where)
            else:
                _same(fresh[key], committed[key], f"{where}/{key}")
    elif isinstance(fresh, list):
        assert len(fresh) == len(committed), where
        for i, (a, b) in enumerate(zip(fresh, committed)):
            _same(a, b, f"{where}[{i}]")
    elif isinstance(fresh, float) and isinstance(committed, float):
        assert abs(fresh - committed) <= 1e-9 * max(abs(fresh), abs(committed), 1e-300), where
    else:
        assert fresh == committed, where


def test_the_committed_transfer_fixture_is_fresh(tmp_path):
    write(tmp_path)
    fresh, committed = ((folder / NAME).read_text() for folder in (tmp_path, FOLDER))
    if fresh != committed:  # stale if it differs beyond rounding: run python -m tests.export.fixtures_transfer
        _same(json.loads(fresh), json.loads(committed))
