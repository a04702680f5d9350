#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh machine (idempotent; fast when already done).
# Each piece lives in scripts/setup.d/NN-name.sh and runs in order.
set -euo pipefail
cd "$(dirname "$0")/.."
for step in scripts/setup.d/*.sh; do
  echo "==> $step"
  bash "$step"
done
