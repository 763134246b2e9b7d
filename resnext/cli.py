"""The ``resnext`` command: list, download, predict, eval, stress, cam, probe, features.

A user error ends in one sentence on stderr and exit status 2; only bugs give tracebacks.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

from . import catalog
from .catalog import format_optional as _num
from .errors import ChecksumError, DownloadError, ResNeXtError
from .explain.methods import METHODS

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: Arguments without the program name (default: ``sys.argv[1:]``).

    Returns:
        The exit status: 0 on success, 2 on a user error.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    _log_warnings()
    if getattr(args, "source", None):
        # An environment variable rather than an argument threaded through: Ray actors inherit it too.
        os.environ["RESNEXT_WEIGHTS_SOURCE"] = args.source
    try:
        return args.run(args)
    except ResNeXtError as exc:
        print(f"resnext: {_message(exc, args)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("resnext: interrupted.", file=sys.stderr)
        return 130


def _message(exc: ResNeXtError, args: argparse.Namespace) -> str:
    """The error's sentence, offering --weights where the command has it and a download failed."""
    offer = isinstance(exc, DownloadError) and not isinstance(exc, ChecksumError) and exc.remedy
    if offer and getattr(args, "weights", "") is None:
        return f"{exc.message}; {exc.remedy}, or pass --weights PATH."
    return str(exc)


def _log_warnings() -> None:
    """Show the library's warnings (a cached file moved aside, a size the hash overrules) on stderr."""
    logger = logging.getLogger("resnext")
    if not any(isinstance(h, _Stderr) for h in logger.handlers):
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("resnext: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.WARNING)


class _Stderr(logging.StreamHandler):
    """A handler that writes to ``sys.stderr`` as it is when a record comes, not as it was when made
    (a caller that swaps stderr, as a test or an embedding program does, still gets the line)."""

    @property
    def stream(self):  # noqa: D102 - logging.StreamHandler's own attribute, read at each record
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="resnext", description="Explore Facebook's SSL, SWSL and IG ResNeXt ImageNet classifiers."
    )
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    p = sub.add_parser("list", help="list the variants and their metadata")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    _source_arg(p)
    p.set_defaults(run=_list)

    p = sub.add_parser("download", help="download and verify weights into the cache")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.add_argument("--prepare", action="store_true",
                   help="also load each variant once, so the inference engine's conversion is cached too")
    _source_arg(p)
    p.set_defaults(run=_download)

    p = sub.add_parser("export", help="write each variant's network as a weight-free ONNX graph (its weights stay "
                                      "in the Hub's model.safetensors) and the catalog as JSON")
    p.add_argument("ids", nargs="*", metavar="ID", help="the variants (default: every one a browser can hold)")
    p.add_argument("--out", metavar="FOLDER", required=True, help="where ID.onnx and catalog.json go")
    p.set_defaults(run=_export)

    p = sub.add_parser("space", help="write a Space folder ready to upload: 'static' is the browser edition "
                                     "(free to host; build it first: cd web && npm ci && npm run build)")
    p.add_argument("kind", choices=["static"], help="the kind of Space")
    p.add_argument("out", metavar="FOLDER", help="a new or empty folder")
    p.add_argument("--site", metavar="FOLDER", default="web/dist", help="the built site (default: web/dist)")
    p.add_argument("--hub", metavar="URL", help="another Hub endpoint for the page (a mirror); default: huggingface.co")
    p.set_defaults(run=_space)

    p = sub.add_parser("lock", help="pin the SHA-256 of the weights on this machine; every load is then checked "
                                    "against the lock file")
    p.add_argument("ids", nargs="*", metavar="ID", help="the variants to pin (default: every one whose weights are here)")
    p.add_argument("--out", metavar="FILE", help="the lock file (default: $RESNEXT_LOCK_FILE, else weights.lock in "
                                                 "the cache folder)")
    _source_arg(p)
    p.set_defaults(run=_lock)

    p = sub.add_parser("predict", help="classify image files, folders (recursively) and globs")
    p.add_argument("images", nargs="+", metavar="PATH", help="image files, folders or glob patterns")
    _model_args(p, many=True, required=False)
    p.add_argument("--head", metavar="FILE", help="a classifier of your own classes (resnext probe --save-head); "
                                                  "--model defaults to its backbone")
    p.add_argument("--topk", type=int, default=5, help="how many classes (default 5)")
    p.add_argument("--out", metavar="FILE", help="write one row per file to FILE.csv or FILE.jsonl as they come")
    p.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    p.add_argument("--json", action="store_true", help="print JSON lines instead of text")
    p.add_argument("--ray", nargs="?", const="", metavar="ADDRESS",
                   help="run on Ray Data (pip install .[ray]): a local instance, or the cluster at ADDRESS")
    _bulk_args(p)
    p.set_defaults(run=_predict)

    p = sub.add_parser("eval", help="accuracy on a labelled folder (one sub-folder per class)")
    p.add_argument("folder", metavar="FOLDER", help="sub-folders named by synset id, class index or class name")
    _model_args(p, many=True)
    p.add_argument("--out", metavar="REPORT.json", help="write the report as JSON")
    p.add_argument("--per-class", metavar="FILE.csv", help="write each class's top-1 accuracy per model")
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    p.add_argument("--corrupt", nargs="+", metavar="NAME",
                   help="also under these corruptions (or 'all'): accuracy per severity, mCE and calibration")
    p.add_argument("--severity", default="1-5", metavar="1-5", help="severities under --corrupt: 3, 1-5 or 1,3,5")
    p.add_argument("--baseline", metavar="ID", default=None,
                   help="the supervised model corruption errors are relative to (default: tv_resnext50_32x4d, "
                        "added to the models)")
    p.add_argument("--calibration", action="store_true",
                   help="clean calibration only: ECE, NLL, Brier, temperature scaling (implied by --corrupt)")
    _bulk_args(p)
    p.set_defaults(run=_eval)

    p = sub.add_parser("stress", help="one image under every corruption and severity, through several models")
    p.add_argument("image", metavar="IMAGE")
    _model_args(p, many=True)
    p.add_argument("--corruption", action="append", metavar="NAME",
                   help="a corruption to sweep; repeat for several (default: all)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random corruptions (default 0)")
    p.add_argument("--out", metavar="FILE.json", help="write the sweep as JSON")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    p.set_defaults(run=_stress)

    p = sub.add_parser("cam", help="save an explanation (Grad-CAM or another method) of an image")
    p.add_argument("image", metavar="IMAGE")
    _model_args(p)
    p.add_argument("--out", required=True, metavar="FILE.png",
                   help="where to write the overlay (PNG), or the raw float32 map with a .npy name")
    p.add_argument("--method", default="gradcam", choices=list(METHODS), help="attribution method (default gradcam)")
    p.add_argument("--class", dest="class_index", type=int, default=None, metavar="N",
                   help="class index to explain (default: the top-1 class)")
    p.add_argument("--contrast", type=int, default=None, metavar="M",
                   help="explain the class rather than class M (the difference of their logits)")
    p.add_argument("--layer", default="layer4", choices=["layer1", "layer2", "layer3", "layer4"],
                   help="stage for gradcam and guided_gradcam")
    p.add_argument("--faithfulness", action="store_true",
                   help="also print the map's deletion/insertion scores against a random map like it")
    p.add_argument("--alpha", type=float, default=0.5, help="heatmap opacity, 0 to 1")
    p.add_argument("--colormap", default="jet")
    p.set_defaults(run=_cam)

    p = sub.add_parser("probe", help="which backbone transfers best to your own classes; a classifier of them")
    p.add_argument("folder", metavar="FOLDER", help="one sub-folder per class, any names")
    _model_args(p, many=True)
    p.add_argument("--folds", type=int, default=5, help="stratified folds of the probe (default 5)")
    p.add_argument("--shots", default="1,2,5,10,20", metavar="N,N,...",
                   help="images per class for the few-shot curve (default 1,2,5,10,20; 'all' is always added)")
    p.add_argument("--seed", type=int, default=0, help="seeds the folds and the few-shot draws")
    p.add_argument("--out", metavar="REPORT.json|.csv", help="write the comparison as JSON (everything) or CSV")
    p.add_argument("--save-head", metavar="FILE", help="refit the best probe on every image and save it")
    p.add_argument("--head-model", metavar="ID", help="save the head of this backbone instead of the best")
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    p.add_argument("--ray", nargs="?", const="", metavar="ADDRESS", help="extract the features on Ray Data")
    _bulk_args(p)
    p.set_defaults(run=_probe)

    p = sub.add_parser("features", help="the feature cache of resnext probe: its size, or --clear it")
    p.add_argument("--clear", action="store_true", help="remove every cached feature vector")
    p.set_defaults(run=_features)
    return parser


def _model_args(p: argparse.ArgumentParser, many: bool = False, required: bool = True) -> None:
    if many:
        p.add_argument("--model", required=required, action="append", metavar="ID",
                       help="variant id, e.g. swsl_resnext50_32x4d; repeat to run several")
    else:
        p.add_argument("--model", required=True, metavar="ID", help="variant id, e.g. swsl_resnext50_32x4d")
    p.add_argument("--weights", metavar="PATH", help="use this local checkpoint instead of downloading"
                   + (" (with one --model)" if many else ""))
    p.add_argument("--fast", action="store_true",
                   help="fast mode: JPEGs decoded at reduced scale, bf16 network where the CPU has native bf16; "
                        "approximate")
    p.add_argument("--precision", choices=["fp32", "bf16"], default=None,
                   help="the network's precision (default: fp32, or fast mode's choice for this CPU)")
    _source_arg(p)


def _source_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", choices=["auto", "hub", "url"], default=None,
                   help="where weights come from: the Hugging Face Hub, the model-index URL, or auto (the Hub, "
                        "then the URL; default, or $RESNEXT_WEIGHTS_SOURCE)")


def _bulk_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--batch-size", type=int, default=8, help="images per forward pass (default 8)")
    p.add_argument("--workers", type=int, default=None, help="threads that decode images (default: every CPU)")


def _list(args: argparse.Namespace) -> int:
    from .hub import hub_repo
    from .weights import origin

    variants = catalog.list_variants()
    if args.json:
        rows = [{**{k: (str(v) if k in ("source", "labels_file") and v else v) for k, v in vars(x).items()},
                 "hub_repo": hub_repo(x), "weights_from": origin(x)} for x in variants]
        print(json.dumps(rows, indent=2))
        return 0

    header = ("id", "family", "top-1", "top-5", "params", "GFLOPs", "size", "licence", "weights from")
    rows = [
        (
            v.id, v.family, _num(v.top1, "{:.2f}"), _num(v.top5, "{:.2f}"),
            _num(v.parameters and v.parameters / 1e6, "{:.1f}M"), _num(v.flops and v.flops / 1e9, "{:.1f}"),
            v.size_label, v.license, origin(v),
        )
        for v in variants
    ]
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    for r in (header, *rows):
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    noncommercial = sorted({v.license for v in variants if v.non_commercial})
    if noncommercial:
        print(f"\n{', '.join(noncommercial)}: the weights are for non-commercial use only.")
    return 0


def _download(args: argparse.Namespace) -> int:
    from .weights import ensure_weights

    variants = [catalog.get_variant(i) for i in args.ids]  # all ids checked before any download
    for v in variants:
        path = ensure_weights(v, progress=_progress_bar(v.file_name))
        if args.prepare:
            from .classifier import load_classifier

            load_classifier(v.id)
        print(f"{v.id}: {path}")
    return 0


def _export(args: argparse.Namespace) -> int:
    import importlib.util

    from .export import catalog_json, onnx_graph

    if importlib.util.find_spec("onnx") is None:  # the graphs' own package, an extra
        raise ResNeXtError("resnext export needs the onnx package: pip install 'resnext-explorer[export]'.")
    listing = catalog_json()
    runnable = {row["id"] for row in listing["variants"] if row["browser"] is None}
    variants = ([catalog.get_variant(i) for i in dict.fromkeys(args.ids)] if args.ids else
                [v for v in catalog.list_variants() if v.id in runnable])
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for v in variants:
            (out / f"{v.id}.onnx").write_bytes(onnx_graph(v).SerializeToString())
            print(f"{v.id}: {out / f'{v.id}.onnx'}")
        (out / "catalog.json").write_text(json.dumps(listing, indent=1) + "\n")
    except OSError as exc:
        raise ResNeXtError(f"Cannot write into {out} ({exc.strerror or exc}); choose another folder with --out.") from None
    print(f"{out / 'catalog.json'}: {len(listing['variants'])} variants")
    return 0


def _space(args: argparse.Namespace) -> int:
    from .export.space import write_static_space

    out = Path(args.out)
    files = write_static_space(Path(args.site), out, args.hub)
    size = sum(f.stat().st_size for f in files)
    print(f"{out}: a static Space, {len(files)} files, {size / 1e6:.1f} MB; upload it with: "
          f"hf upload --repo-type space YOU/resnext-explorer {out} .")
    return 0


def _lock(args: argparse.Namespace) -> int:
    from .weights import lock, present

    if args.ids:
        variants = [catalog.get_variant(i) for i in dict.fromkeys(args.ids)]
    else:
        variants = [v for v in catalog.list_variants() if present(v) is not None]
        if not variants:
            raise ResNeXtError("No weights are on this machine to lock; download some first (`resnext download ID`).")
    path, entries = lock(variants, Path(args.out) if args.out else None)
    for e in entries:
        print(f"{e.variant}  {e.sha256}  {e.size:,} bytes  ({e.origin})")
    from .integrity import LOCK_ENV, lock_path
    from .weights import cache_dir

    read = "every load is checked against it while it exists" if path == lock_path(cache_dir()) else \
        f"loads are checked against it while {LOCK_ENV} names it"
    print(f"Locked {len(entries)} weights files in {path}: {read}.")
    return 0


def _predict(args: argparse.Namespace) -> int:
    from .bulk.predict import Row, predict_files, probe
    from .bulk.inputs import expand
    from .bulk.results import RowWriter, failure_summary

    if args.topk < 1:
        raise ResNeXtError("--topk must be at least 1.")
    variants = _variants(args)
    paths = expand(args.images)
    refused = probe(paths, args.workers)  # every file checked before any model loads
    writer = RowWriter(args.out, [v.id for v in variants], args.topk, args.overwrite) if args.out else None
    unusable = (Row(str(path), reason) for path, reason in refused.items())
    if len(refused) == len(paths):
        rows = unusable  # no model loads for nothing
    elif args.ray is not None:
        from .bulk.distributed import predict_with_ray

        usable = [p for p in paths if p not in refused]
        rows = itertools.chain(predict_with_ray(
            [v.id for v in variants], usable, args.topk, address=args.ray or None, precision=args.precision,
            batch_size=args.batch_size, fast=args.fast, weights=args.weights), unusable)
    else:
        rows = predict_files(_load(args, variants), paths, args.topk, args.batch_size, args.workers, refused)
    failed = 0
    progress = _file_progress(len(paths))
    try:
        for row in rows:
            failed += _emit(row, args, writer, progress)
    finally:
        progress(None)
        if writer is not None:
            writer.close()
    if failed:
        where = "see the status column" if args.out else "see their lines above"
        print(f"resnext: {failure_summary(failed, len(paths), where)}", file=sys.stderr)
        return 2
    return 0


def _emit(row, args: argparse.Namespace, writer, progress: Callable) -> int:
    """Show or write one row; return 1 if its file failed."""
    progress(row)
    if writer is not None:
        writer.write(row)
    elif args.json:
        print(json.dumps(row.record()))
    else:
        print(f"{row.path} — {row.status}")
        note = " (approximate)" if args.fast or args.precision == "bf16" else ""
        for vid, top in row.predictions.items():
            print(f"  {vid}{note}")
            for r in top:
                print(f"    {r.probability:8.4f}  {r.label} ({r.index})")
    sys.stdout.flush()
    return 0 if row.ok else 1


def _variants(args: argparse.Namespace) -> list:
    if getattr(args, "head", None) is not None:
        from .transfer.head import load_head

        args.head = load_head(args.head)  # read and checked once, before any model loads
        args.model = args.model or [args.head.backbone]
    if not args.model:
        raise ResNeXtError("Name a model with --model (or give --head, which names its own).")
    variants = [catalog.get_variant(i) for i in dict.fromkeys(args.model)]  # every id checked first
    if getattr(args, "head", None) is not None and len(variants) != 1:
        raise ResNeXtError("--head needs exactly one --model, its backbone.")
    if args.weights is not None and len(variants) != 1:
        raise ResNeXtError("--weights needs exactly one --model.")
    return variants


def _load(args: argparse.Namespace, variants: list) -> list:
    from .classifier import load_classifier

    classifiers = [load_classifier(v.id, weights=args.weights, progress=_progress_bar(v.id), precision=args.precision,
                                   fast=args.fast or None, head=getattr(args, "head", None)) for v in variants]
    _say_mode(classifiers[0])
    return classifiers


def _corruptions(names: Sequence[str] | None) -> list[str]:
    from .stress.corruptions import CORRUPTIONS

    if not names or names == ["all"]:
        return list(CORRUPTIONS)
    unknown = [n for n in names if n not in CORRUPTIONS]
    if unknown:
        frost = " (frost is left out: the licence of its photos is unknown)" if "frost" in unknown else ""
        raise ResNeXtError(f"There is no corruption {unknown[0]!r}{frost}; choose from {', '.join(CORRUPTIONS)}.")
    return list(dict.fromkeys(names))


def _severities(text: str) -> list[int]:
    try:
        if "-" in text:
            low, high = (int(t) for t in text.split("-"))
            values = list(range(low, high + 1))
        else:
            values = sorted({int(t) for t in text.split(",")})
    except ValueError:
        values = []
    if not values or any(v not in range(1, 6) for v in values):
        raise ResNeXtError(f"--severity {text} is not a severity from 1 to 5; give 3, 1-5 or 1,3,5.")
    return values


def _stress(args: argparse.Namespace) -> int:
    from .stress.report import sweep_json, sweep_text
    from .stress.sweep import sweep

    names = _corruptions(args.corruption)
    if args.out and Path(args.out).exists() and not args.overwrite:
        raise ResNeXtError(f"{args.out} already exists; choose another name or pass --overwrite.")
    classifiers = _load(args, _variants(args))
    result = sweep(classifiers, args.image, names, seed=args.seed)
    print(sweep_text(result))
    if args.out:
        _write(args.out, sweep_json(result))
    return 0


def _eval_stressed(args: argparse.Namespace) -> int:
    from .labels import labels_for
    from .bulk.evaluate import class_folders
    from .stress.report import report_json, report_text
    from .stress.robustness import evaluate_corrupted

    names = _corruptions(args.corrupt) if args.corrupt else []
    severities = _severities(args.severity)
    baseline = (args.baseline or "tv_resnext50_32x4d") if names else None
    if baseline is not None:
        catalog.get_variant(baseline)
        if baseline not in args.model:
            args.model = [*args.model, baseline]
    if args.out and Path(args.out).exists() and not args.overwrite:
        raise ResNeXtError(f"{args.out} already exists; choose another name or pass --overwrite.")
    variants = _variants(args)
    class_folders(Path(args.folder), labels_for(variants[0]))  # the layout checked before any model loads
    classifiers = _load(args, variants)
    steps = [0.0]

    def progress(fraction: float) -> None:
        if sys.stderr.isatty() and fraction - steps[0] >= 0.01:
            steps[0] = fraction
            print(f"\r{100 * fraction:.0f}%", end="", file=sys.stderr, flush=True)

    report = evaluate_corrupted(classifiers, args.folder, names, severities, baseline,
                                batch_size=args.batch_size, progress=progress)
    if sys.stderr.isatty():
        print("\r", end="", file=sys.stderr)
    print(report_text(report))
    if args.out:
        _write(args.out, report_json(report))
    for skipped in report.skipped:
        print(f"resnext: skipped {skipped}", file=sys.stderr)
    return 0


def _say_mode(clf) -> None:
    """Name what runs when it is not the exact default, so approximate answers are never a surprise."""
    if clf.fast or clf.precision != "fp32":
        print(f"resnext: {clf.mode}", file=sys.stderr)


def _eval(args: argparse.Namespace) -> int:
    from .bulk.evaluate import class_folders, evaluate
    from .bulk.report import evaluation_json, per_class_csv, print_evaluation

    if args.corrupt or args.calibration:
        return _eval_stressed(args)
    variants = _variants(args)
    for output in (args.out, args.per_class):
        if output and Path(output).exists() and not args.overwrite:
            raise ResNeXtError(f"{output} already exists; choose another name or pass --overwrite.")
    from .labels import labels_for

    class_folders(Path(args.folder), labels_for(variants[0]))  # the layout checked before any model loads
    classifiers = _load(args, variants)
    progress = _file_progress(None)
    try:
        evaluation = evaluate(classifiers, args.folder, args.batch_size, args.workers, on_row=progress)
    finally:
        progress(None)
    print_evaluation(evaluation)
    for output, render in ((args.out, evaluation_json), (args.per_class, per_class_csv)):
        if output:
            try:
                Path(output).write_text(render(evaluation), encoding="utf-8")
            except OSError as exc:
                raise ResNeXtError(f"Cannot write {output} ({exc.strerror or exc}); choose another path.") from None
            print(f"wrote {output}")
    if evaluation.failures:
        from .bulk.results import failure_summary

        for row in evaluation.failures:
            print(f"resnext: {row.status}", file=sys.stderr)
        total = evaluation.scores[0].images + len(evaluation.failures)
        print(f"resnext: {failure_summary(len(evaluation.failures), total, 'they are not counted')}", file=sys.stderr)
        return 2
    return 0


def _cam(args: argparse.Namespace) -> int:
    from .classifier import load_classifier
    from .explain.attribution import explain
    from .explain.visualize import overlay

    clf = load_classifier(args.model, weights=args.weights, progress=_progress_bar(args.model),
                          precision=args.precision, fast=args.fast)
    _say_mode(clf)
    crop, x = clf.prepare(args.image)
    if args.class_index is None:
        args.class_index = clf.predict(x, topk=1)[0].index
    cam = explain(clf, x, args.method, class_index=args.class_index, layer=args.layer, contrast=args.contrast)
    try:
        if args.out.endswith(".npy"):
            import numpy as np

            np.save(args.out, cam)
        else:
            overlay(crop, cam, alpha=args.alpha, colormap=args.colormap).save(args.out, format="PNG")
    except ValueError as exc:
        raise ResNeXtError(str(exc)) from None
    except OSError as exc:
        raise ResNeXtError(f"Cannot write {args.out} ({exc.strerror or exc}); choose another path.") from None
    print(args.out)
    if args.faithfulness:
        from .explain.fidelity import faithfulness

        score = faithfulness(clf, x, cam, args.class_index)
        print(f"faithfulness to {clf.labels[args.class_index]!r}: deletion AUC {score.deletion:.4f} "
              f"(lower is better; random map {score.random_deletion:.4f}), insertion AUC {score.insertion:.4f} "
              f"(higher is better; random map {score.random_insertion:.4f})")
    return 0


def _probe(args: argparse.Namespace) -> int:
    from .transfer import labelled_files, save_head, study
    from .transfer.head import head_from_probe
    from .transfer.probe import fit_probe
    from .transfer.report import comparison_csv, comparison_json, comparison_lines

    variants = _variants(args)
    try:
        shots = [int(n) for n in args.shots.split(",") if n.strip() and n.strip() != "all"]
    except ValueError:
        raise ResNeXtError(f"--shots takes numbers separated by commas, e.g. 1,5,10; not {args.shots!r}.") from None
    if args.folds < 2:
        raise ResNeXtError("--folds must be at least 2.")
    if args.out and not args.out.endswith((".json", ".csv")):
        raise ResNeXtError(f"--out names a .json or .csv file, not {args.out}.")
    for output in (args.out, args.save_head):
        if output and Path(output).exists() and not args.overwrite:
            raise ResNeXtError(f"{output} already exists; choose another name or pass --overwrite.")
    if args.head_model and args.head_model not in {v.id for v in variants}:
        raise ResNeXtError(f"--head-model {args.head_model} is not one of the --model backbones.")
    data = labelled_files(args.folder, args.workers)  # the folder checked before any model loads
    for name, why in data.skipped:
        print(f"resnext: {why.rstrip('.')} (left out).", file=sys.stderr)
    classifiers = _load(args, variants)
    embed = None
    if args.ray is not None:
        import functools

        from .transfer.features import extract_features_on_ray

        embed = functools.partial(extract_features_on_ray, address=args.ray or None, weights=args.weights)
    result = study(classifiers, data, args.folds, shots, args.seed, batch_size=args.batch_size,
                   progress=_stage_progress(), embed=embed)
    print("\n".join(comparison_lines(result.comparison)))
    for s in result.comparison.scores[:1]:
        dup = [d for d in result.duplicates[s.model] if d.across_classes]
        if result.suspects[s.model] or dup:
            print(f"Through {s.model}: {len(result.suspects[s.model])} suspect labels, {len(dup)} near-duplicates "
                  "across classes (listed in the JSON report).")
    if args.out:
        names = result.data.names
        text = (comparison_json(result.comparison, names, result.suspects, result.duplicates, result.data.skipped)
                if args.out.endswith(".json") else comparison_csv(result.comparison))
        _write(args.out, text)
    if args.save_head:
        chosen = args.head_model or result.comparison.scores[0].model
        clf = next(c for c in classifiers if c.variant.id == chosen)
        fitted = fit_probe(result.features[chosen], result.data.labels, args.seed)
        path = save_head(head_from_probe(fitted, result.data.classes, clf), args.save_head, args.overwrite)
        print(f"wrote {path} ({chosen} with a head of {len(result.data.classes)} classes; "
              f"use it with resnext predict --head {path})")
    return 2 if data.skipped or len(result.data.skipped) > len(data.skipped) else 0


def _features(args: argparse.Namespace) -> int:
    from .transfer.features import FeatureCache

    cache = FeatureCache()
    if args.clear:
        files, size = cache.clear()
        print(f"removed {files} feature vectors ({size / 1e6:.1f} MB) from {cache.root}")
    else:
        files, size = cache.usage()
        print(f"{files} feature vectors ({size / 1e6:.1f} MB of {cache.max_bytes / 1e6:.0f} MB) in {cache.root}")
    return 0


def _write(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ResNeXtError(f"Cannot write {path} ({exc.strerror or exc}); choose another path.") from None
    print(f"wrote {path}")


def _stage_progress() -> Callable[[str, float], None]:
    """A stderr line with the stage and the share of the work done; silent when stderr is not a terminal."""
    tty = sys.stderr.isatty()

    def progress(stage: str, fraction: float) -> None:
        if tty:
            sys.stderr.write(f"\r{fraction:4.0%} {stage[:70]:<70}")
            sys.stderr.flush()
            if fraction >= 1:
                sys.stderr.write("\n")

    return progress


def _file_progress(total: int | None) -> Callable:
    """A stderr line counting files done (and failed), with the rate; silent when stderr is not a terminal.

    Call it with each row, then with None to end the line.
    """
    tty = sys.stderr.isatty()
    start, done, failed = time.perf_counter(), 0, 0

    def progress(row) -> None:
        nonlocal done, failed
        if not tty:
            return
        if row is None:
            if done:
                sys.stderr.write("\n")
            return
        done += 1
        failed += not row.ok
        rate = done / max(time.perf_counter() - start, 1e-9)
        of = f"/{total}" if total else ""
        sys.stderr.write(f"\r{done}{of} files, {failed} failed, {rate:.1f} files/s")
        sys.stderr.flush()

    return progress


def _progress_bar(name: str) -> Callable[[int, "int | None"], None]:
    """A stderr progress bar for a download; silent when stderr is not a terminal."""
    tty = sys.stderr.isatty()

    def progress(done: int, total: int | None) -> None:
        if not tty:
            return
        if total:
            frac = done / total
            bar = "#" * int(frac * 30)
            sys.stderr.write(f"\r{name} [{bar:<30}] {frac:6.1%} {done / 1e6:8.1f} MB")
        else:
            sys.stderr.write(f"\r{name} {done / 1e6:8.1f} MB")
        if total and done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return progress


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
