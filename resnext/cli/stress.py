"""``resnext stress``: one image under every corruption and severity, through several models."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import ResNeXtError
from .common import corruptions, load, model_args, variants_of, write


def add(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add the command to the ``resnext`` parser's subcommands."""
    p = sub.add_parser("stress", help="one image under every corruption and severity, through several models")
    p.add_argument("image", metavar="IMAGE")
    model_args(p, many=True)
    p.add_argument("--corruption", action="append", metavar="NAME",
                   help="a corruption to sweep; repeat for several (default: all)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random corruptions (default 0)")
    p.add_argument("--out", metavar="FILE.json", help="write the sweep as JSON")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Sweep one image through every corruption and severity."""
    from ..stress.report import sweep_json, sweep_text
    from ..stress.sweep import sweep

    names = corruptions(args.corruption)
    if args.out and Path(args.out).exists() and not args.overwrite:
        raise ResNeXtError(f"{args.out} already exists; choose another name or pass --overwrite.")
    classifiers = load(args, variants_of(args))
    result = sweep(classifiers, args.image, names, seed=args.seed)
    print(sweep_text(result))
    if args.out:
        write(args.out, sweep_json(result))
    return 0
