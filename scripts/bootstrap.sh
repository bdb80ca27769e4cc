#!/usr/bin/env bash
# Idempotent set-up of a checkout: virtualenv, editable install, Kafka broker jars.
#
# Re-running is cheap: pip runs only when pyproject.toml changed since the last successful install
# (a hash in .cache/bootstrap/pyproject.sha256) or the venv lacks the `finops` command, and the
# jars are fetched only when .cache/kafka/libs does not hold them yet.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV=.venv
STAMP=.cache/bootstrap/pyproject.sha256

pick_python() {
    # The project supports 3.11 and 3.12 (pyproject requires-python); prefer 3.11.
    local candidate
    for candidate in "${PYTHON:-}" python3.11 python3.12 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 13))' \
                >/dev/null 2>&1; then
            echo "$candidate"
            return 0
        fi
    done
    echo "bootstrap: no Python 3.11 or 3.12 found (set PYTHON=/path/to/python3.11)" >&2
    return 1
}

if [ ! -x "$VENV/bin/python" ]; then
    python=$(pick_python)
    echo "bootstrap: creating $VENV with $python"
    "$python" -m venv "$VENV"
fi

mkdir -p "$(dirname "$STAMP")"
want="$(sha256sum pyproject.toml | cut -d' ' -f1) $("$VENV/bin/python" -V 2>&1)"
have=$(cat "$STAMP" 2>/dev/null || true)
if [ "$want" != "$have" ] || [ ! -x "$VENV/bin/finops" ]; then
    echo "bootstrap: pip install -e .[test,iceberg] (pyproject.toml changed or first install)"
    "$VENV/bin/python" -m pip install --quiet -e ".[test,iceberg]"
    echo "$want" >"$STAMP"
else
    echo "bootstrap: python packages up to date"
fi

"$VENV/bin/finops" broker fetch
