#!/usr/bin/env bash
# Regenerate requirements/space.txt: the pinned versions the Docker image (the Space) installs.
# Run it after changing the dependencies in pyproject.toml (pins that still fit are kept), or
# as `bash scripts/lock.sh --upgrade` to move the image to the newest releases; then rebuild.
# The pins are resolved for the image's platform: Linux x86_64 and the Python of its FROM line.
set -euo pipefail
cd "$(dirname "$0")/.."
python_version=$(sed -n 's/^FROM python:\([0-9]*\.[0-9]*\).*/\1/p' Dockerfile)
command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
exec uv pip compile pyproject.toml --python-version "$python_version" --python-platform x86_64-manylinux_2_28 \
  --no-annotate --custom-compile-command "bash scripts/lock.sh" --quiet -o requirements/space.txt "$@"
