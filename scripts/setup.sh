#!/usr/bin/env bash
# Install the project and its Python dependencies into the current Python environment.
# Usage: scripts/setup.sh [extra]   e.g. scripts/setup.sh test
set -euo pipefail
cd "$(dirname "$0")/.."
extra=${1:-}
# torch and torchvision must come as a matching pair from the package index: a locally
# cached CPU-only torch wheel cannot load the index's torchvision, so local wheel folders
# (PIP_FIND_LINKS) are ignored here.
export PIP_FIND_LINKS=
python3 -m pip install --quiet --disable-pip-version-check -e ".${extra:+[$extra]}"
