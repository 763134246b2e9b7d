"""``resnext space static``: a static Space folder ready to upload; ``resnext space push``: publish it."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path



def add(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add the command to the ``resnext`` parser's subcommands."""
    p = sub.add_parser("space", help="write a Space folder ready to upload: 'static' is the browser edition "
                                     "(free to host; build it first: cd web && npm ci && npm run build); "
                                     "'push' publishes it")
    p.add_argument("kind", choices=["static", "push"], help="static: write the folder; push: create the Space "
                                                                 "(sdk: static) and upload the folder to it")
    p.add_argument("out", metavar="FOLDER", help="static: a new or empty folder; push: the Space, OWNER/NAME")
    p.add_argument("--folder", metavar="FOLDER", help="push: the folder to upload (default: one written from --site)")
    p.add_argument("--site", metavar="FOLDER", default="web/dist", help="the built site (default: web/dist)")
    p.add_argument("--lock", metavar="FILE", help="a lock file from `resnext lock`: the page checks each download "
                                                  "against its SHA-256s (and Hub revisions) instead of the Hub's")
    p.add_argument("--hub", metavar="URL", help="another Hub endpoint: static: for the page (a mirror); "
                                                  "push: to publish to; default: huggingface.co")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the static Space folder, or publish one."""
    from ..export.space import push_space, write_static_space

    if args.kind == "push":
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(args.folder or tmp)
            if not args.folder:
                write_static_space(Path(args.site), folder)
            page, alone = push_space(folder, args.out, args.hub)
        print(f"{args.out}: published at {page}; the page alone (cross-origin isolated) is {alone}")
        return 0

    out = Path(args.out)
    files = write_static_space(Path(args.site), out, args.hub, Path(args.lock) if args.lock else None)
    size = sum(f.stat().st_size for f in files)
    pins = f", its downloads checked against the hashes of {args.lock}" if args.lock else ""
    print(f"{out}: a static Space{pins}, {len(files)} files, {size / 1e6:.1f} MB; upload it with: "
          f"resnext space push YOU/resnext-explorer --folder {out}")
    return 0
