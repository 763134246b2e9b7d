"""``resnext probe``: which backbone transfers best to your classes; a classifier of them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import ResNeXtError
from .common import bulk_args, load, model_args, variants_of, write
from .progress import stage_progress


def add(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add the command to the ``resnext`` parser's subcommands."""
    p = sub.add_parser("probe", help="which backbone transfers best to your own classes; a classifier of them")
    p.add_argument("folder", metavar="FOLDER", help="one sub-folder per class, any names")
    model_args(p, many=True)
    p.add_argument("--folds", type=int, default=5, help="stratified folds of the probe (default 5)")
    p.add_argument("--shots", default="1,2,5,10,20", metavar="N,N,...",
                   help="images per class for the few-shot curve (default 1,2,5,10,20; 'all' is always added)")
    p.add_argument("--seed", type=int, default=0, help="seeds the folds and the few-shot draws")
    p.add_argument("--out", metavar="REPORT.json|.csv", help="write the comparison as JSON (everything) or CSV")
    p.add_argument("--save-head", metavar="FILE", help="refit the best probe on every image and save it")
    p.add_argument("--head-model", metavar="ID", help="save the head of this backbone instead of the best")
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    p.add_argument("--ray", nargs="?", const="", metavar="ADDRESS", help="extract the features on Ray Data")
    bulk_args(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Compare the backbones on a folder of classes; optionally save the best probe as a head."""
    from ..transfer import labelled_files, save_head, study
    from ..transfer.head import head_from_probe
    from ..transfer.probe import fit_probe
    from ..transfer.report import comparison_csv, comparison_json, comparison_lines

    variants = variants_of(args)
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
    classifiers = load(args, variants)
    embed = None
    if args.ray is not None:
        import functools

        from ..transfer.features import extract_features_on_ray

        embed = functools.partial(extract_features_on_ray, address=args.ray or None, weights=args.weights)
    result = study(classifiers, data, args.folds, shots, args.seed, batch_size=args.batch_size,
                   progress=stage_progress(), embed=embed)
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
        write(args.out, text)
    if args.save_head:
        chosen = args.head_model or result.comparison.scores[0].model
        clf = next(c for c in classifiers if c.variant.id == chosen)
        fitted = fit_probe(result.features[chosen], result.data.labels, args.seed)
        path = save_head(head_from_probe(fitted, result.data.classes, clf), args.save_head, args.overwrite)
        print(f"wrote {path} ({chosen} with a head of {len(result.data.classes)} classes; "
              f"use it with resnext predict --head {path})")
    return 2 if data.skipped or len(result.data.skipped) > len(data.skipped) else 0
