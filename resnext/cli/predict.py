"""``resnext predict``: classify files, folders and globs, here or on Ray."""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from typing import Callable

from ..errors import ResNeXtError
from .common import bulk_args, load, model_args, variants_of
from .progress import file_progress


def add(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add the command to the ``resnext`` parser's subcommands."""
    p = sub.add_parser("predict", help="classify image files, folders (recursively) and globs")
    p.add_argument("images", nargs="+", metavar="PATH", help="image files, folders or glob patterns")
    model_args(p, many=True, required=False)
    p.add_argument("--head", metavar="FILE", help="a classifier of your own classes (resnext probe --save-head); "
                                                  "--model defaults to its backbone")
    p.add_argument("--topk", type=int, default=5, help="how many classes (default 5)")
    p.add_argument("--out", metavar="FILE", help="write one row per file to FILE.csv or FILE.jsonl as they come")
    p.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    p.add_argument("--json", action="store_true", help="print JSON lines instead of text")
    p.add_argument("--ray", nargs="?", const="", metavar="ADDRESS",
                   help="run on Ray Data (pip install .[ray]): a local instance, or the cluster at ADDRESS")
    bulk_args(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Classify every file; 2 when some could not be read (their rows say why)."""
    from ..bulk.predict import Row, predict_files, probe
    from ..bulk.inputs import expand
    from ..bulk.results import RowWriter, failure_summary

    if args.topk < 1:
        raise ResNeXtError("--topk must be at least 1.")
    variants = variants_of(args)
    paths = expand(args.images)
    refused = probe(paths, args.workers)  # every file checked before any model loads
    writer = RowWriter(args.out, [v.id for v in variants], args.topk, args.overwrite) if args.out else None
    unusable = (Row(str(path), reason) for path, reason in refused.items())
    if len(refused) == len(paths):
        rows = unusable  # no model loads for nothing
    elif args.ray is not None:
        from ..bulk.distributed import predict_with_ray

        usable = [p for p in paths if p not in refused]
        rows = itertools.chain(predict_with_ray(
            [v.id for v in variants], usable, args.topk, address=args.ray or None, precision=args.precision,
            batch_size=args.batch_size, fast=args.fast, weights=args.weights), unusable)
    else:
        rows = predict_files(load(args, variants), paths, args.topk, args.batch_size, args.workers, refused)
    failed = 0
    progress = file_progress(len(paths))
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
