#!/usr/bin/env bash
# The package itself, editable, with its test dependencies.
set -euo pipefail
python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
