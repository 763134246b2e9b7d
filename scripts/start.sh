#!/usr/bin/env bash
# Start the app on port ${PORT:-8501}; extra arguments go to `streamlit run`. The same command
# starts it on a laptop and in the Docker image (Hugging Face Spaces).
# Outside the image, missing dependencies are installed first (scripts/setup.sh). The image sets
# RESNEXT_NO_INSTALL=1: everything was installed when it was built and its user cannot install,
# so a failed import is reported as it is and the script exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! failure=$(python3 -c "import resnext, streamlit, torch, torchvision, captum, plotly, openvino" 2>&1); then
  reason=$(printf '%s\n' "$failure" | tail -n 1)
  if [ "${RESNEXT_NO_INSTALL:-0}" = 1 ]; then
    echo "start.sh: the app cannot start, an import fails: $reason" >&2
    echo "start.sh: dependencies are installed when the image is built; rebuild it (see the Dockerfile)." >&2
    exit 1
  fi
  echo "start.sh: installing the app's dependencies ($reason)." >&2
  bash scripts/setup.sh
fi
exec python3 -m streamlit run app.py --server.port "${PORT:-8501}" "$@"
