"""``resnext space static``: a static Space folder ready to upload."""

from __future__ import annotations

import argparse
from pathlib import Path



def add(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add the command to the ``resnext`` parser's subcommands."""
    p = sub.add_parser("space", help="write a Space folder ready to upload: 'static' is the browser edition "
                                     "(free to host; build it first: cd web && npm ci && npm run build)")
    p.add_argument("kind", choices=["static"], help="the kind of Space")
    p.add_argument("out", metavar="FOLDER", help="a new or empty folder")
    p.add_argument("--site", metavar="FOLDER", default="web/dist", help="the built site (default: web/dist)")
    p.add_argument("--hub", metavar="URL", help="another Hub endpoint for the page (a mirror); default: huggingface.co")
    p.add_argument("--lock", metavar="FILE", help="a lock file from `resnext lock`: the page checks each download "
                                                  "against its SHA-256s (and Hub revisions) instead of the Hub's")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the static Space folder."""
    from ..export.space import write_static_space

    out = Path(args.out)
    files = write_static_space(Path(args.site), out, args.hub, Path(args.lock) if args.lock else None)
    size = sum(f.stat().st_size for f in files)
    pins = f", its downloads checked against the hashes of {args.lock}" if args.lock else ""
    print(f"{out}: a static Space{pins}, {len(files)} files, {size / 1e6:.1f} MB; upload it with: "
          f"hf upload --repo-type space YOU/resnext-explorer {out} .")
    return 0
