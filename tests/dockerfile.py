"""Reading the Dockerfile as a builder does: its instructions, the environment it sets, its command."""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path

DOCKERFILE = Path(__file__).resolve().parent.parent / "Dockerfile"


def instructions(path: Path = DOCKERFILE) -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` in order, continuation lines joined, comments dropped."""
    result, pending = [], ""
    for line in path.read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.lstrip().startswith("#"):  # a comment inside a continued instruction
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        keyword, _, rest = pending.strip().partition(" ")
        result.append((keyword.upper(), rest.strip()))
        pending = ""
    return result


def image_env(path: Path = DOCKERFILE) -> dict[str, str]:
    """The variables its ``ENV`` lines set, with ``$VAR`` expanded as the builder does."""
    env: dict[str, str] = {}
    for keyword, rest in instructions(path):
        if keyword != "ENV":
            continue
        words = shlex.split(rest)
        pairs = [w.split("=", 1) for w in words] if "=" in words[0] else [[words[0], " ".join(words[1:])]]
        for name, value in pairs:
            env[name] = re.sub(r"\$\{?(\w+)\}?", lambda m: env.get(m.group(1), os.environ.get(m.group(1), "")), value)
    return env


def image_command(path: Path = DOCKERFILE) -> list[str]:
    """The ``CMD`` in its exec (JSON) form."""
    return json.loads(next(rest for keyword, rest in instructions(path) if keyword == "CMD"))
