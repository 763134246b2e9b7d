"""Moving a file into a cache safely: an HTTP download to a temporary file with progress, an exclusive
lock file that a killed process cannot leave held, and the cache's write errors as one sentence."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import http.client
import os
import secrets
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Iterator

from ..errors import CacheError, DownloadError

__all__ = ["ProgressCallback", "cache_errors", "fetch", "file_lock"]

ProgressCallback = Callable[[int, "int | None"], None]
"""Called as ``progress(bytes_done, bytes_total_or_None)`` while a file downloads."""

_CHUNK = 1 << 20


def fetch(url: str, folder: Path, file_name: str, what: str, remedy: str, progress: ProgressCallback | None,
          timeout: float) -> Path:
    """Download ``url`` into a new temporary file in ``folder``, reporting progress.

    Args:
        url: The address.
        folder: Where the temporary file goes (beside the final one, so a rename finishes it).
        file_name: The final file's name, which the temporary one starts with.
        what: How messages call the file, e.g. ``"x.pth (100.4 MB)"``.
        remedy: What to do when the server cannot be reached or refuses.
        progress: Called with (bytes done, total or None).
        timeout: Seconds to wait for the server.

    Returns:
        The temporary file, complete.

    Raises:
        DownloadError: The server refused, could not be reached, or the transfer stopped short.
    """
    tmp = folder / f".{file_name}.{secrets.token_hex(6)}.partial"
    # os.open with 0o666 lets the umask decide, so the finished file has the user's usual permissions.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            request = urllib.request.Request(url, headers={"User-Agent": "resnext"})
            with urllib.request.urlopen(request, timeout=timeout) as response:
                total = response.length
                done = 0
                if progress:
                    progress(0, total)
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
        if total is not None and done != total:
            raise DownloadError(
                f"The download of {what} from {url} stopped after {done} of {total} bytes", remedy="try again"
            )
        return tmp
    except urllib.error.HTTPError as exc:
        tmp.unlink(missing_ok=True)
        raise DownloadError(
            f"Could not download {what}: {url} answered {exc.code} {exc.reason}", remedy=remedy
        ) from None
    except (urllib.error.URLError, http.client.HTTPException, TimeoutError, ConnectionError, ValueError) as exc:
        tmp.unlink(missing_ok=True)
        reason = getattr(exc, "reason", exc)
        raise DownloadError(
            f"Could not download {what} from {url} ({reason or type(exc).__name__})",
            remedy=f"check the network, or {remedy}",
        ) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path``, which exists only while someone holds or awaits it.

    flock is released by the kernel when its holder dies, so a killed process leaves no stale
    lock (only an empty file, which the next holder removes). The holder removes the file
    before unlocking; a waiter that then finds the name gone or pointing at another file starts
    over, so two processes never hold locks on two files of one name.
    """
    while True:
        handle = open(path, "a+b")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                current = os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino
            except FileNotFoundError:
                current = False
        except BaseException:
            handle.close()
            raise
        if current:
            break
        handle.close()
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        handle.close()


@contextlib.contextmanager
def cache_errors(folder: Path, hint: str) -> Iterator[None]:
    """Turn the cache folder's write errors (no space, no permission, read-only) into one CacheError.

    Args:
        folder: The cache folder.
        hint: What else the user can do, e.g. point an environment variable at another folder.
    """
    try:
        yield
    except OSError as exc:
        if isinstance(exc, (TimeoutError, ConnectionError)) or exc.errno not in {
            errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.ENOTDIR, errno.EEXIST,
        }:
            raise
        raise CacheError(
            f"Cannot write to the weights cache {folder} ({os.strerror(exc.errno)}); "
            f"free space there or {hint}."
        ) from None
