"""The ``resnext`` command: list, download, predict, cam.

A user error ends in one sentence on stderr and exit status 2; only bugs give tracebacks.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Callable, Sequence

from . import catalog
from .catalog import format_optional as _num
from .errors import ChecksumError, DownloadError, ResNeXtError
from .methods import METHODS

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
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("resnext: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.WARNING)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="resnext", description="Explore Facebook's SSL, SWSL and IG ResNeXt ImageNet classifiers."
    )
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    p = sub.add_parser("list", help="list the variants and their metadata")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(run=_list)

    p = sub.add_parser("download", help="download and verify weights into the cache")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.add_argument("--prepare", action="store_true",
                   help="also load each variant once, so the inference engine's conversion is cached too")
    p.set_defaults(run=_download)

    p = sub.add_parser("predict", help="print the top classes of one or more images")
    p.add_argument("images", nargs="+", metavar="IMAGE")
    _model_args(p)
    p.add_argument("--topk", type=int, default=5, help="how many classes (default 5)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=_predict)

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
    return parser


def _model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", required=True, metavar="ID", help="variant id, e.g. swsl_resnext50_32x4d")
    p.add_argument("--weights", metavar="PATH", help="use this local checkpoint instead of downloading")
    p.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                   help="bf16 is faster but approximate")


def _list(args: argparse.Namespace) -> int:
    variants = catalog.list_variants()
    if args.json:
        rows = [{k: (str(v) if k in ("source", "labels_file") and v else v) for k, v in vars(x).items()} for x in variants]
        print(json.dumps(rows, indent=2))
        return 0
    header = ("id", "family", "top-1", "top-5", "params", "GFLOPs", "size", "licence", "timm name")
    rows = [
        (
            v.id, v.family, _num(v.top1, "{:.2f}"), _num(v.top5, "{:.2f}"),
            _num(v.parameters and v.parameters / 1e6, "{:.1f}M"), _num(v.flops and v.flops / 1e9, "{:.1f}"),
            v.size_label, v.license, v.timm_name or "",
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


def _predict(args: argparse.Namespace) -> int:
    from .classifier import load_classifier

    if args.topk < 1:
        raise ResNeXtError("--topk must be at least 1.")
    clf = load_classifier(args.model, weights=args.weights, progress=_progress_bar(args.model), precision=args.precision)
    results = {path: clf.predict(path, topk=args.topk) for path in args.images}
    if args.json:
        print(json.dumps({
            "model": clf.variant.id,
            "precision": clf.precision,
            "predictions": {p: [r._asdict() for r in preds] for p, preds in results.items()},
        }, indent=2))
        return 0
    note = " (bf16, approximate)" if clf.precision == "bf16" else ""
    for path, preds in results.items():
        print(f"{path} — {clf.variant.id}{note}")
        for r in preds:
            print(f"  {r.probability:8.4f}  {r.label} ({r.index})")
    return 0


def _cam(args: argparse.Namespace) -> int:
    from .classifier import load_classifier
    from .visualize import overlay

    clf = load_classifier(args.model, weights=args.weights, progress=_progress_bar(args.model), precision=args.precision)
    crop, x = clf.prepare(args.image)
    if args.class_index is None:
        args.class_index = clf.predict(x, topk=1)[0].index
    cam = clf.explain(x, args.method, class_index=args.class_index, layer=args.layer, contrast=args.contrast)
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
        from .fidelity import faithfulness

        score = faithfulness(clf, x, cam, args.class_index)
        print(f"faithfulness to {clf.labels[args.class_index]!r}: deletion AUC {score.deletion:.4f} "
              f"(lower is better; random map {score.random_deletion:.4f}), insertion AUC {score.insertion:.4f} "
              f"(higher is better; random map {score.random_insertion:.4f})")
    return 0


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
