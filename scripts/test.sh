#!/usr/bin/env bash
# Set up and run the whole test suite (library, app, real browser).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test,docs
# The browser test drives Debian's Chromium; Playwright never downloads a browser of its own.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    echo "Install Chromium (Debian: sudo apt-get install chromium) for the browser test." >&2
  fi
fi
# The browser edition's own tests (Node's test runner, its modules type-checked by tsc).
# Then the site is built as the Space is (tests/web builds its own copy and opens it in Chromium).
(cd web && npm ci --no-audit --no-fund --loglevel=error && npm test --silent && npm run build --silent)
# The manual, as CI publishes it: a broken link, a missing page or a docstring naming a removed name fails.
NO_MKDOCS_2_WARNING=1 python3 -m mkdocs build --strict --quiet --site-dir site
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
exec python3 -m pytest "$@"
