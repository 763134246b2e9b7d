"""End to end on photos: from a file's bytes to the top-5, timm's pipeline beside each of our modes.

    python -m benchmarks.e2e [--rounds 12] [--variant swsl_resnext50_32x4d]

Images: fresh phone-size JPEGs (2 MP and 12 MP, new content every round) and the bundled
samples. Pipelines, interleaved image by image in one process (the order rotates):

- timm: ``Image.open().convert("RGB")``, ``create_transform`` (resize, crop, normalise), eager
  forward, softmax and top-5: what the model cards show.
- exact: our default. Full decode, timm's resize bit for bit (in bands on threads), the network
  on OpenVINO in fp32.
- fast: reduced-scale JPEG decoding, a resize of the crop's region only, and the network in
  bf16 where the CPU computes it natively (else fp32); approximate.
- fast, fp32 network: the fast front end alone, which CPUs without native bf16 get.

Each is split into decode, resize (to the normalised tensor), network and head (pooling, the
classifier, softmax, top-5). Agreement with exact is stated in terms random weights cannot fake:
the logits' relative error, and top-1 agreement on the images whose exact top-1 leads by more
than twice the largest logit error (there, rounding cannot flip it). Also measured: the machine's
achievable matrix-multiply rate through OpenVINO (fp32 and bf16) and the network's share of it,
and the first request after a load against the tenth. Weights are random (real architecture):
speed and agreement, never accuracy. The figures also go to ``assets/e2e_speed.json``, from which
the manual draws its table.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

import resnext
from benchmarks.figures import save
from benchmarks.machine import describe, gemm_rate
from benchmarks.photos import SIZES, photo
from resnext.catalog.cost import multiply_adds
from resnext.catalog.index import ASSETS_DIR

# Speed-ups over timm end to end that issue 13 sets, per (mode, image set).
TARGETS = {("fast", "12 MP"): 3.0, ("fast", "2 MP"): 2.0, ("exact", "12 MP"): 1.3, ("exact", "2 MP"): 1.4,
           ("exact", "samples"): 1.4}
STAGES = ("decode", "resize", "network", "head")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.e2e", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=12, help="fresh photos per size")
    parser.add_argument("--variant", default="swsl_resnext50_32x4d")
    parser.add_argument("--out", default=str(ASSETS_DIR / "e2e_speed.json"), help="where the figures go")
    args = parser.parse_args(argv)

    import timm
    from timm.data import create_transform, resolve_data_config

    from tests.factory import random_state_dict, save_checkpoint

    print(describe())
    workdir = Path(tempfile.mkdtemp(prefix="resnext-e2e-"))
    v = resnext.get_variant(args.variant)
    reference = timm.create_model(v.timm_name, pretrained=False).eval()
    checkpoint = save_checkpoint(random_state_dict(reference, 0), workdir, v.id)
    transform = create_transform(**resolve_data_config({}, model=reference, use_test_size=True))

    pipelines = {"timm": _staged(lambda data: Image.open(io.BytesIO(data)).convert("RGB"), transform,
                                 reference.forward_features, reference.forward_head, "eager fp32")}
    first = {}
    for name, fast, precision in (("exact", False, "fp32"), ("fast", True, None), ("fast, fp32 network", True, "fp32")):
        clf = resnext.load_classifier(v.id, weights=checkpoint, fast=fast, precision=precision)
        pipelines[name] = _staged(clf.transform.load, clf.transform, clf.engine, clf._head, clf.mode.split(";")[0])
        first[name] = _first_and_tenth(clf)
    modes = {name: p.mode for name, p in pipelines.items()}

    rng = np.random.default_rng(int(time.time()))
    samples = [p.read_bytes() for p in sorted((ASSETS_DIR / "samples").iterdir()) if p.suffix in {".png", ".jpg"}]
    sets = {f"{mp} MP": (lambda mp=mp: [photo(SIZES[mp], rng) for _ in range(args.rounds)]) for mp in (2, 12)}
    sets["samples"] = lambda: samples * max(1, args.rounds // len(samples))
    for pipeline in pipelines.values():  # warm every path once, on an image that is not measured
        pipeline(photo(SIZES[2], rng))

    print(f"\n{v.id}: random weights (real architecture), batch 1, one process; medians per image.\n")
    print("| images | pipeline | mode | total ms | decode | resize | network | head | vs timm | target | status "
          "| logits rel. error | top-1 where it cannot flip |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    network_ms = {}
    recorded = []
    for set_name, make in sets.items():
        files = make()
        times = {name: {s: [] for s in (*STAGES, "total")} for name in pipelines}
        logits = {name: [] for name in pipelines}
        names = list(pipelines)
        for i, data in enumerate(files):
            for name in names[i % len(names):] + names[:i % len(names)]:
                split, out = pipelines[name](data)
                for stage, seconds in split.items():
                    times[name][stage].append(seconds)
                times[name]["total"].append(sum(split.values()))
                logits[name].append(out)
        timm_total = statistics.median(times["timm"]["total"])
        for name in pipelines:
            med = {s: 1000 * statistics.median(times[name][s]) for s in (*STAGES, "total")}
            if set_name == "2 MP":
                network_ms[name] = med["network"]
            speedup = timm_total * 1000 / med["total"]
            target = TARGETS.get((name, set_name))
            missed = f"missed by {100 * (1 - speedup / target):.1f}%" if target and speedup < target else "met"
            status = "" if target is None else missed
            error, agree = _agreement(logits["exact"], logits[name]) if name != "exact" else ("", "")
            print(f"| {set_name} | {name} | {modes[name]} | {med['total']:.1f} | "
                  + " | ".join(f"{med[s]:.1f}" for s in STAGES)
                  + f" | {speedup:.2f}x | {'' if target is None else f'{target}x'} | {status} | {error} | {agree} |")
            recorded.append({"images": set_name, "pipeline": name, "mode": modes[name],
                             **{f"{k}_ms": round(val, 1) for k, val in med.items()}, "vs_timm": round(speedup, 2),
                             "target": target, "logits_error": error, "top1_agree": agree})

    print("\nFirst request after the load (the engine is warmed at load) against the tenth, ms:\n")
    print("| mode | first | tenth |")
    print("|---|---:|---:|")
    for name, (one, ten) in first.items():
        print(f"| {name} | {one:.1f} | {ten:.1f} |")

    flop = 2 * multiply_adds(v)
    print("\nThe ceiling: a 2048x2048x2048 matrix multiply through OpenVINO on this CPU, against the network:\n")
    print("| precision | GEMM GFLOP/s | network GFLOP/s (2 MP, batch 1) | network's share |")
    print("|---|---:|---:|---:|")
    for precision, mode in (("fp32", "exact"), ("bf16", "fast")):
        ceiling = gemm_rate(precision)
        achieved = flop / (network_ms[mode] / 1000) / 1e9
        print(f"| {precision} | {ceiling:.0f} | {achieved:.0f} | {100 * achieved / ceiling:.0f}% |")
    path = save(args.out, {"variant": v.id, "rounds": args.rounds, "rows": recorded})
    print(f"wrote {path}")
    return 0


def _staged(decode, preprocess, network, head, mode: str):
    """A pipeline from file bytes to the top-5 that times its four stages."""

    def run(data: bytes):
        t0 = time.perf_counter()
        img = decode(data)
        t1 = time.perf_counter()
        x = preprocess(img)[None]
        t2 = time.perf_counter()
        with torch.inference_mode():
            features = network(x)
            t3 = time.perf_counter()
            logits = head(features)
            torch.topk(torch.softmax(logits, dim=1), 5)
        t4 = time.perf_counter()
        return {"decode": t1 - t0, "resize": t2 - t1, "network": t3 - t2, "head": t4 - t3}, logits[0]

    run.mode = mode
    return run


def _first_and_tenth(clf) -> tuple[float, float]:
    x = clf.transform(clf.transform.load(photo(SIZES[2], np.random.default_rng(0))))[None]
    times = []
    for _ in range(10):
        start = time.perf_counter()
        clf.engine(x)
        times.append(1000 * (time.perf_counter() - start))
    return times[0], times[-1]


def _agreement(exact: list[torch.Tensor], other: list[torch.Tensor]) -> tuple[str, str]:
    errors, agree, eligible = [], 0, 0
    for e, o in zip(exact, other):
        errors.append(float((o - e).norm() / e.norm()))
        top2 = torch.topk(e, 2).values
        if float(top2[0] - top2[1]) > 2 * float((o - e).abs().max()):
            eligible += 1
            agree += int(o.argmax()) == int(e.argmax())
    return f"{statistics.median(errors):.3f}", f"{agree}/{eligible}"


if __name__ == "__main__":
    raise SystemExit(main())
