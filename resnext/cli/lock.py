"""``resnext lock``: pin the SHA-256 of the weights on this machine."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..catalog.index import get_variant, list_variants
from ..errors import ResNeXtError
from .common import source_arg


def add(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add the command to the ``resnext`` parser's subcommands."""
    p = sub.add_parser("lock", help="pin the SHA-256 of the weights on this machine; every load is then checked "
                                    "against the lock file")
    p.add_argument("ids", nargs="*", metavar="ID", help="the variants to pin (default: every one whose weights are here)")
    p.add_argument("--out", metavar="FILE", help="the lock file (default: $RESNEXT_LOCK_FILE, else weights.lock in "
                                                 "the cache folder)")
    source_arg(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Pin the SHA-256 of the weights here in the lock file."""
    from ..weights.sources import lock, present

    if args.ids:
        variants = [get_variant(i) for i in dict.fromkeys(args.ids)]
    else:
        variants = [v for v in list_variants() if present(v) is not None]
        if not variants:
            raise ResNeXtError("No weights are on this machine to lock; download some first (`resnext download ID`).")
    path, entries = lock(variants, Path(args.out) if args.out else None)
    for e in entries:
        at = f" at {e.revision}" if e.revision else ""
        print(f"{e.variant}  {e.sha256}  {e.size:,} bytes  ({e.origin}{at})")
    from ..weights.lock import LOCK_ENV, lock_path
    from ..weights.sources import cache_dir

    read = "every load is checked against it while it exists" if path == lock_path(cache_dir()) else \
        f"loads are checked against it while {LOCK_ENV} names it"
    print(f"Locked {len(entries)} weights files in {path}: {read}.")
    return 0
