#!/usr/bin/env bash
# Set up and start the app on http://localhost:${PORT:-8501}
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec python3 -m streamlit run app.py --server.port "${PORT:-8501}" "$@"
