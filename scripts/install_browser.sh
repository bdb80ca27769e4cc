#!/usr/bin/env bash
# Headless Chromium + chromedriver for the dashboard's browser tests (pytest -m browser).
# Idempotent: does nothing when /usr/bin/chromium and /usr/bin/chromedriver exist. Installs
# Debian's packages with apt-get only when they are missing and we are root; otherwise prints
# why and exits 0, and the browser tests skip with a message naming this script.
set -euo pipefail

CHROMIUM=${FINOPS_CHROMIUM:-/usr/bin/chromium}
CHROMEDRIVER=${FINOPS_CHROMEDRIVER:-/usr/bin/chromedriver}

if [[ -x "$CHROMIUM" && -x "$CHROMEDRIVER" ]]; then
    echo "install_browser: chromium present ($("$CHROMIUM" --version 2>/dev/null | head -n1))"
    exit 0
fi
if [[ "$(id -u)" != "0" ]]; then
    echo "install_browser: not root; skipping (browser tests will skip). As root run: $0" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_browser: apt-get unavailable; install chromium + chromedriver by hand" >&2
    exit 0
fi
echo "install_browser: installing chromium and chromium-driver with apt-get"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -qq || ! apt-get install -y -qq --no-install-recommends chromium chromium-driver; then
    echo "install_browser: apt-get failed; browser tests will skip" >&2
    exit 0
fi
echo "install_browser: $("$CHROMIUM" --version 2>/dev/null | head -n1)"
