#!/usr/bin/env bash
# Browser tests of the dashboard: Debian's Chromium driven by the Playwright Python package.
# Never `playwright install` (it downloads a browser build); the tests use /usr/bin/chromium.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
if ! python -c "import playwright" >/dev/null 2>&1; then
  python -m pip install --quiet --disable-pip-version-check playwright
fi
/usr/bin/chromium --version
