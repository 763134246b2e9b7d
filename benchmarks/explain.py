"""What each explanation costs on this CPU: seconds per method, and for the faithfulness score.

    python -m benchmarks.explain [--out assets/explain_cost.json] [--repeats 3] [--variants ID ...]

Each variant's real architecture with random weights (speed does not depend on the values) runs
every method of :data:`resnext.explain.METHODS` on a 224x224 crop, through the same classifier
the app uses (OpenVINO fp32 for forward passes, eager PyTorch for gradients), then the
faithfulness score (16 steps, with its random baseline). The median of ``--repeats`` runs after
one warm-up is written with the CPU, its ISA flags and thread count; the app shows it (scaled
by multiply-adds for variants not measured) before a method runs. A method over
:data:`BUDGET_SECONDS` on ResNeXt-50 is reported as missed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import time
from pathlib import Path

import numpy as np
import torch

import resnext
from benchmarks.machine import cpu_model, describe, isa_flags
from resnext.catalog.architecture import build_model
from resnext.catalog.labels import labels_for
from resnext.explain.attribution import explain
from resnext.explain.methods import COST_FILE, METHODS
from resnext.inference.classifier import Classifier

DEFAULT_VARIANTS = ("swsl_resnext50_32x4d", "swsl_resnext101_32x8d")
BUDGET_SECONDS = 10.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.explain", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=COST_FILE)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--variants", nargs="*", default=list(DEFAULT_VARIANTS))
    args = parser.parse_args(argv)

    print(describe())
    report = {"cpu": cpu_model(), "isa": isa_flags(), "threads": torch.get_num_threads(),
              "date": datetime.date.today().isoformat(), "repeats": args.repeats, "variants": {}}
    image = np.random.default_rng(0).integers(0, 256, (256, 320, 3), dtype=np.uint8)
    from PIL import Image

    photo = Image.fromarray(image)
    for vid in args.variants:
        v = resnext.get_variant(vid)
        torch.manual_seed(0)
        clf = Classifier(v, build_model(v, device="cpu"), labels_for(v))
        x = clf.transform(photo)
        row = {}
        for method in METHODS:
            row[method] = _median(lambda: explain(clf, x, method), args.repeats)
            _print(v.id, METHODS[method].label, row[method], v.architecture == "resnext50_32x4d")
        saliency = explain(clf, x, "gradcam")
        row["faithfulness"] = _median(lambda: resnext.faithfulness(clf, x, saliency), args.repeats)
        _print(v.id, "faithfulness score", row["faithfulness"], v.architecture == "resnext50_32x4d")
        report["variants"][v.id] = row
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(args.out)
    return 0


def _median(run, repeats: int) -> float:
    run()  # the first call pays for lazy initialisation
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times), 3)


def _print(vid: str, what: str, seconds: float, budgeted: bool) -> None:
    verdict = ""
    if budgeted:
        verdict = f"  budget {BUDGET_SECONDS:.0f} s: " + ("met" if seconds <= BUDGET_SECONDS else
                                                         f"missed by {seconds - BUDGET_SECONDS:.1f} s")
    print(f"{vid:28s} {what:22s} {seconds:7.3f} s{verdict}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
