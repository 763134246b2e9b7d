"""The ``resnext`` command: list, download, export, space, lock, predict, eval, stress, cam, probe, features.

One module per command, each with ``add(sub)``, which declares its arguments, and ``run(args)``,
which returns the exit status (0, or 2 when some inputs failed) and raises
[`ResNeXtError`][resnext.errors.ResNeXtError] for a user error; ``common`` and ``progress`` hold what several
share. A user error ends in one sentence on stderr and exit status 2; only bugs give tracebacks.

May import: the whole library. The command line is the front end of every part, and nothing in the
library imports it.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Sequence

from .. import environment
from ..errors import ChecksumError, DownloadError, ResNeXtError
from . import cam, download, evaluate, export, features, listing, lock, predict, probe, space, stress

__all__ = ["main"]

# In the order ``resnext --help`` lists them.
COMMANDS = (listing, download, export, space, lock, predict, evaluate, stress, cam, probe, features)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: Arguments without the program name (default: ``sys.argv[1:]``).

    Returns:
        The exit status: 0 on success, 2 on a user error.
    """
    args = parser().parse_args(argv)
    _log_warnings()
    if getattr(args, "source", None):
        # An environment variable rather than an argument threaded through: Ray actors inherit it too.
        os.environ[environment.WEIGHTS_SOURCE.name] = args.source
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
    if not any(isinstance(h, _Stderr) for h in logger.handlers):
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("resnext: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.WARNING)


class _Stderr(logging.StreamHandler):
    """A handler that writes to ``sys.stderr`` as it is when a record comes, not as it was when made
    (a caller that swaps stderr, as a test or an embedding program does, still gets the line)."""

    @property
    def stream(self):  # noqa: D102 - logging.StreamHandler's own attribute, read at each record
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def parser() -> argparse.ArgumentParser:
    """The ``resnext`` argument parser, every command's arguments included.

    Returns:
        The parser (the docs generate the command line's reference from it).
    """
    top = argparse.ArgumentParser(
        prog="resnext", description="Explore Facebook's SSL, SWSL and IG ResNeXt ImageNet classifiers."
    )
    sub = top.add_subparsers(required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add(sub)
    return top
