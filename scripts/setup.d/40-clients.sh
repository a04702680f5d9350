#!/usr/bin/env bash
# Real coding clients for the end-to-end tests: Kilo CLI and Codex CLI from npm (their Linux
# binaries come inside the registry packages). Installed under BENCHROUTE_CLIENTS_DIR.
set -euo pipefail
dir="${BENCHROUTE_CLIENTS_DIR:-$HOME/.cache/benchroute-clients}"
mkdir -p "$dir"
if [ -x "$dir/node_modules/.bin/kilo" ] && [ -x "$dir/node_modules/.bin/codex" ]; then
  exit 0
fi
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error @kilocode/cli@7.7.7 @openai/codex@0.169.0
"$dir/node_modules/.bin/kilo" --version
"$dir/node_modules/.bin/codex" --version
