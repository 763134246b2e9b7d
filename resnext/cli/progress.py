"""Progress on stderr while a command works: a download's bar, files counted, a study's stage;
silent when stderr is not a terminal."""

from __future__ import annotations

import sys
import time
from typing import Callable



def stage_progress() -> Callable[[str, float], None]:
    """A stderr line with the stage and the share of the work done; silent when stderr is not a terminal."""
    tty = sys.stderr.isatty()

    def progress(stage: str, fraction: float) -> None:
        if tty:
            sys.stderr.write(f"\r{fraction:4.0%} {stage[:70]:<70}")
            sys.stderr.flush()
            if fraction >= 1:
                sys.stderr.write("\n")

    return progress


def file_progress(total: int | None) -> Callable:
    """A stderr line counting files done (and failed), with the rate; silent when stderr is not a terminal.

    Call it with each row, then with None to end the line.
    """
    tty = sys.stderr.isatty()
    start, done, failed = time.perf_counter(), 0, 0

    def progress(row) -> None:
        nonlocal done, failed
        if not tty:
            return
        if row is None:
            if done:
                sys.stderr.write("\n")
            return
        done += 1
        failed += not row.ok
        rate = done / max(time.perf_counter() - start, 1e-9)
        of = f"/{total}" if total else ""
        sys.stderr.write(f"\r{done}{of} files, {failed} failed, {rate:.1f} files/s")
        sys.stderr.flush()

    return progress


def progress_bar(name: str) -> Callable[[int, "int | None"], None]:
    """A stderr progress bar for a download; silent when stderr is not a terminal."""
    tty = sys.stderr.isatty()

    def progress(done: int, total: int | None) -> None:
        if not tty:
            return
        if total:
            frac = done / total
            bar = "#" * int(frac * 30)
            sys.stderr.write(f"\r{name} [{bar:<30}] {frac:6.1%} {done / 1e6:8.1f} MB")
        else:
            sys.stderr.write(f"\r{name} {done / 1e6:8.1f} MB")
        if total and done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return progress
