"""``resnext download``: weights into the cache, verified; ``--prepare`` loads each once."""

from __future__ import annotations

import argparse

from ..catalog.index import get_variant
from .common import source_arg
from .progress import progress_bar


def add(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add the command to the ``resnext`` parser's subcommands."""
    p = sub.add_parser("download", help="download and verify weights into the cache")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.add_argument("--prepare", action="store_true",
                   help="also load each variant once, so the inference engine's conversion is cached too")
    source_arg(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Download and verify each variant's weights (and with --prepare, cache the engine's conversion)."""
    from ..weights.sources import ensure_weights

    variants = [get_variant(i) for i in args.ids]  # all ids checked before any download
    for v in variants:
        path = ensure_weights(v, progress=progress_bar(v.file_name))
        if args.prepare:
            from ..inference.classifier import load_classifier

            load_classifier(v.id)
        print(f"{v.id}: {path}")
    return 0
