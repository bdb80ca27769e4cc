#!/usr/bin/env bash
# Debian's docker-compose (v1), used only to validate docker-compose.yml (`docker-compose config`)
# in the tests: no Docker engine is needed for that. Idempotent; apt-get only when missing and root.
set -euo pipefail
if command -v docker-compose >/dev/null 2>&1; then
    echo "install_compose: $(docker-compose version --short 2>/dev/null || echo present)"
    exit 0
fi
if [[ "$(id -u)" != "0" ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install_compose: not root or no apt-get; the compose validation test will skip" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get install -y -qq --no-install-recommends docker-compose ||
       { apt-get update -qq && apt-get install -y -qq --no-install-recommends docker-compose; }; }; then
    echo "install_compose: apt-get failed; the compose validation test will skip" >&2
fi
exit 0
