"""``resnext features``: the probe's feature cache: its size, or clear it."""

from __future__ import annotations

import argparse



def add(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add the command to the ``resnext`` parser's subcommands."""
    p = sub.add_parser("features", help="the feature cache of resnext probe: its size, or --clear it")
    p.add_argument("--clear", action="store_true", help="remove every cached feature vector")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Report the feature cache's size, or clear it."""
    from ..transfer.features import FeatureCache

    cache = FeatureCache()
    if args.clear:
        files, size = cache.clear()
        print(f"removed {files} feature vectors ({size / 1e6:.1f} MB) from {cache.root}")
    else:
        files, size = cache.usage()
        print(f"{files} feature vectors ({size / 1e6:.1f} MB of {cache.max_bytes / 1e6:.0f} MB) in {cache.root}")
    return 0
