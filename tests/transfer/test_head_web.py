"""A head the browser edition writes (web/src/transfer/head.js, run in Node) loads in the library and in
`resnext predict --head`."""

from __future__ import annotations

import base64
import csv
import json
import shutil
import subprocess

import numpy as np
from safetensors import safe_open

import resnext
from resnext.cli import main
from resnext.transfer import labelled_files, load_head, save_head
from resnext.transfer.features import FeatureCache, extract_features
from resnext.transfer.head import head_from_probe
from resnext.transfer.probe import fit_probe
from tests.served import ROOT, unless_in_ci

MODEL = "tiny_resnext14_2x2d"
NODE = shutil.which("node")
pytestmark = unless_in_ci(NODE is None, "Node is missing")

# Fit the browser's probe on every image and write its head, as the page will.
WRITER = """
import { readFileSync, writeFileSync } from "node:fs";
import { headFromProbe, writeHead } from "./src/transfer/head.js";
import { fitProbe } from "./src/transfer/probe.js";

const job = JSON.parse(readFileSync(process.argv[1], "utf8"));
const bytes = Buffer.from(job.features, "base64");
const x = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
const probe = fitProbe(x, job.dims, job.labels, job.labels.map((_, i) => i));
writeFileSync(job.out, writeHead(headFromProbe(probe, job.classes, job.variant)));
"""


def test_a_head_written_in_the_browser_loads_in_the_library_and_predicts(tiny_env, folders, tmp_path):
    clf = resnext.load_classifier(MODEL)
    data = labelled_files(folders)
    x, _ = extract_features(clf, data.items, FeatureCache(tmp_path / "features"))
    t = clf.transform
    variant = {"id": MODEL, "preprocessing": {"image_size": t.image_size, "resize_to": t.resize_to,
                                              "interpolation": t.interpolation, "mean": list(t.mean),
                                              "std": list(t.std)}}
    path = tmp_path / "browser.safetensors"
    job = tmp_path / "job.json"
    job.write_text(json.dumps({"features": base64.b64encode(x.astype(np.float32).tobytes()).decode(),
                               "dims": x.shape[1], "labels": data.labels.tolist(), "classes": list(data.classes),
                               "variant": variant, "out": str(path)}))
    done = subprocess.run([NODE or "node", "--input-type=module", "-e", WRITER, str(job)], cwd=ROOT / "web",
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]

    head = load_head(path)  # every field checked, as any head
    assert head.classes == data.classes and head.backbone == MODEL
    probe = fit_probe(x, data.labels)
    library = save_head(head_from_probe(probe, data.classes, clf), tmp_path / "library.safetensors")
    with safe_open(str(path), "np") as ours, safe_open(str(library), "np") as theirs:
        assert ours.metadata() == theirs.metadata()  # the same header, byte for byte in each field
    # The browser's probe is fitted to the optimum, the library's to lbfgs's default tolerance: the same answers.
    np.testing.assert_array_equal(head.probabilities(x).argmax(1), probe.predict(x))
    np.testing.assert_allclose(head.probabilities(x), probe.predict_proba(x), atol=0.05)

    rows = tmp_path / "rows.csv"
    assert main(["predict", str(folders), "--head", str(path), "--out", str(rows)]) == 0
    written = {r["path"]: r[f"{MODEL} top1"] for r in csv.DictReader(rows.open())}
    assert written == {str(p): data.classes[k] for p, k in zip(data.items, head.probabilities(x).argmax(1))}
