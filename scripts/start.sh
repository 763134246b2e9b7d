#!/usr/bin/env bash
# Set up (if needed) and start the app on port ${PORT:-8501}. Extra arguments go to `streamlit run`.
# The same command starts the app in the Docker image (Hugging Face Spaces) and on a laptop.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -c "import resnext, streamlit, torch, torchvision, captum, plotly" 2>/dev/null; then
  scripts/setup.sh
fi
exec python3 -m streamlit run app.py --server.port "${PORT:-8501}" "$@"
