"""Throughput on a folder of photos: ``resnext.bulk`` against timm's plain per-file loop, in one run.

    python -m benchmarks.bulk [--images 16] [--rounds 2] [--workers N] [--batch-size 8]

A folder of fresh JPEGs (new content every run) at 2 MP and at 12 MP, as phones make them, is
classified by ResNeXt-50 (its real architecture; random weights, the same in both) two ways:
timm's loop (``Image.open().convert("RGB")``, ``create_transform``, one eager forward per file)
and ours (decoding and preprocessing in a worker pool, overlapped with batched inference on
the default engine, in exact fp32). The passes alternate so that whatever else the machine does
falls on both. Printed, and written to ``assets/bulk_speed.json`` (the manual's table): images per
second, the speed-up against the 1.5x target, and how many top-5 lists are identical.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

import resnext
from benchmarks.figures import save
from benchmarks.machine import describe
from benchmarks.photos import SIZES, photo
from resnext.bulk import predict_files
from resnext.catalog.index import ASSETS_DIR

TARGET = 1.5

VARIANT = "swsl_resnext50_32x4d"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bulk", description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=16, help="photos per size")
    parser.add_argument("--rounds", type=int, default=2, help="passes of each pipeline per size")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--out", default=str(ASSETS_DIR / "bulk_speed.json"), help="where the figures go")
    args = parser.parse_args(argv)

    import timm
    from timm.data import create_transform, resolve_data_config

    print(describe())
    workdir = Path(tempfile.mkdtemp(prefix="resnext-bulk-bench-"))
    v = resnext.get_variant(VARIANT)
    torch.manual_seed(0)
    reference = timm.create_model(v.timm_name, pretrained=False).eval()
    checkpoint = workdir / f"{VARIANT}.pth"
    torch.save(reference.state_dict(), checkpoint)
    clf = resnext.load_classifier(VARIANT, weights=checkpoint)
    transform = create_transform(**resolve_data_config({}, model=reference, use_test_size=True))
    rng = np.random.default_rng(int(time.time()))

    def timm_loop(files: list[Path]) -> list[list[int]]:
        tops = []
        with torch.inference_mode():
            for path in files:
                x = transform(Image.open(path).convert("RGB"))[None]
                tops.append(torch.topk(reference(x)[0], 5).indices.tolist())
        return tops

    def ours(files: list[Path]) -> list[list[int]]:
        rows = predict_files([clf], files, topk=5, batch_size=args.batch_size, workers=args.workers)
        return [[p.index for p in row.predictions[VARIANT]] for row in rows]

    # Warm both (first calls pay for lazy initialisation) on a photo that is not measured.
    warm = workdir / "warm.jpg"
    warm.write_bytes(photo(SIZES[2], rng))
    timm_loop([warm])
    ours([warm] * args.batch_size)

    print(f"\n{args.images} fresh JPEGs per size and round, {VARIANT} (random weights), exact fp32; "
          f"{clf.engine.name} engine, batch {args.batch_size}.\n")
    print("| photo | timm loop img/s | ours img/s | speed-up | target | status | identical top-5 |")
    print("|---|---:|---:|---:|---:|---|---:|")
    recorded = []
    for mp, size in SIZES.items():
        rates: dict[str, list[float]] = {"timm": [], "ours": []}
        same = total = 0
        for r in range(args.rounds):
            files = []
            for i in range(args.images):
                path = workdir / f"{mp}mp-{r}-{i:03d}.jpg"
                path.write_bytes(photo(size, rng))
                files.append(path)
            results = {}
            for name, run in (("timm", timm_loop), ("ours", ours)) if r % 2 == 0 else (("ours", ours), ("timm", timm_loop)):
                start = time.perf_counter()
                results[name] = run(files)
                rates[name].append(len(files) / (time.perf_counter() - start))
            same += sum(a == b for a, b in zip(results["timm"], results["ours"]))
            total += len(files)
        t, o = statistics.median(rates["timm"]), statistics.median(rates["ours"])
        speedup = o / t
        status = "met" if speedup >= TARGET else f"missed by {TARGET - speedup:.2f}x"
        print(f"| {mp} MP | {t:.2f} | {o:.2f} | {speedup:.2f}x | {TARGET}x | {status} | {same}/{total} |")
        recorded.append({"megapixels": mp, "timm_per_s": round(t, 2), "ours_per_s": round(o, 2),
                         "identical_top5": same, "images": total})
    path = save(args.out, {"variant": VARIANT, "engine": clf.engine.name, "batch": args.batch_size,
                           "rounds": args.rounds, "target": TARGET, "rows": recorded})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
