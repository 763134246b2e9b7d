"""``resnext eval``: accuracy on a labelled folder, optionally under corruptions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..catalog.index import get_variant
from ..errors import ResNeXtError
from .common import bulk_args, corruptions, load, model_args, severity_list, variants_of, write
from .progress import file_progress


def add(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add the command to the ``resnext`` parser's subcommands."""
    p = sub.add_parser("eval", help="accuracy on a labelled folder (one sub-folder per class)")
    p.add_argument("folder", metavar="FOLDER", help="sub-folders named by synset id, class index or class name")
    model_args(p, many=True)
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
    bulk_args(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Report accuracy on a labelled folder; with --corrupt or --calibration, robustness and calibration."""
    from ..bulk.evaluate import class_folders, evaluate
    from ..bulk.report import evaluation_json, per_class_csv, print_evaluation

    if args.corrupt or args.calibration:
        return _eval_stressed(args)
    variants = variants_of(args)
    for output in (args.out, args.per_class):
        if output and Path(output).exists() and not args.overwrite:
            raise ResNeXtError(f"{output} already exists; choose another name or pass --overwrite.")
    from ..catalog.labels import labels_for

    class_folders(Path(args.folder), labels_for(variants[0]))  # the layout checked before any model loads
    classifiers = load(args, variants)
    progress = file_progress(None)
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
        from ..bulk.results import failure_summary

        for row in evaluation.failures:
            print(f"resnext: {row.status}", file=sys.stderr)
        total = evaluation.scores[0].images + len(evaluation.failures)
        print(f"resnext: {failure_summary(len(evaluation.failures), total, 'they are not counted')}", file=sys.stderr)
        return 2
    return 0


def _eval_stressed(args: argparse.Namespace) -> int:
    from ..bulk.evaluate import class_folders
    from ..catalog.labels import labels_for
    from ..stress.report import report_json, report_text
    from ..stress.robustness import evaluate_corrupted

    names = corruptions(args.corrupt) if args.corrupt else []
    severities = severity_list(args.severity)
    baseline = (args.baseline or "tv_resnext50_32x4d") if names else None
    if baseline is not None:
        get_variant(baseline)
        if baseline not in args.model:
            args.model = [*args.model, baseline]
    if args.out and Path(args.out).exists() and not args.overwrite:
        raise ResNeXtError(f"{args.out} already exists; choose another name or pass --overwrite.")
    variants = variants_of(args)
    class_folders(Path(args.folder), labels_for(variants[0]))  # the layout checked before any model loads
    classifiers = load(args, variants)
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
        write(args.out, report_json(report))
    for skipped in report.skipped:
        print(f"resnext: skipped {skipped}", file=sys.stderr)
    return 0
