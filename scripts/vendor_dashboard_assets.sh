#!/usr/bin/env bash
# Vendors the dashboard's two browser libraries from npm into src/benchroute/dashboard/static/vendor/,
# with their licenses, and axe-core (the accessibility checker the browser tests run; test-only) into
# tests/dashboard/vendor/. The vendored files are committed, so installing benchroute needs no build step;
# run this only to change a version. Usage: bash scripts/vendor_dashboard_assets.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CHARTJS_VERSION="${CHARTJS_VERSION:-4.6.1}"
HTMX_VERSION="${HTMX_VERSION:-2.0.11}"
AXE_VERSION="${AXE_VERSION:-4.14.1}"
dest=src/benchroute/dashboard/static/vendor
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "chart.js@${CHARTJS_VERSION}" "htmx.org@${HTMX_VERSION}" \
  "axe-core@${AXE_VERSION}" >/dev/null)
mkdir -p "$work/chart" "$work/htmx" "$work/axe" "$dest" tests/dashboard/vendor
tar -xzf "$work/chart.js-${CHARTJS_VERSION}.tgz" -C "$work/chart"
tar -xzf "$work/htmx.org-${HTMX_VERSION}.tgz" -C "$work/htmx"
tar -xzf "$work/axe-core-${AXE_VERSION}.tgz" -C "$work/axe"
cp "$work/axe/package/axe.min.js" tests/dashboard/vendor/axe.min.js
cp "$work/axe/package/LICENSE" tests/dashboard/vendor/axe-core.LICENSE
echo "axe-core ${AXE_VERSION} (MPL-2.0) from npm: axe.min.js; test-only, rebuilt by scripts/vendor_dashboard_assets.sh" \
  > tests/dashboard/vendor/VERSIONS.txt
cp "$work/chart/package/dist/chart.umd.min.js" "$dest/chart.umd.min.js"
cp "$work/chart/package/LICENSE.md" "$dest/chart.js.LICENSE.md"
cp "$work/htmx/package/dist/htmx.min.js" "$dest/htmx.min.js"
cp "$work/htmx/package/LICENSE" "$dest/htmx.LICENSE"
cat > "$dest/VERSIONS.txt" <<TXT
chart.js ${CHARTJS_VERSION} (MIT) from npm: dist/chart.umd.min.js
htmx.org ${HTMX_VERSION} (0BSD) from npm: dist/htmx.min.js
Rebuilt by scripts/vendor_dashboard_assets.sh
TXT
ls -l "$dest"
