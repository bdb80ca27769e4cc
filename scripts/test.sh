#!/usr/bin/env bash
# The test command behind `make test` and CI: ruff, then the whole pytest suite against a real
# Kafka broker. Extra arguments go to pytest.
#
# Unless KAFKA_BOOTSTRAP_SERVERS is already set, a throwaway broker is started on free ports (never
# the dev broker's 39092, which may be in use) and stopped on exit, however the run ends.
# Exit code: pytest's when it failed (5, "no tests collected", counts as a failure), else ruff's.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BIN=.venv/bin
port=""
data_dir=""
passed=0

cleanup() {
    if [ -n "$port" ]; then
        "$BIN/finops" broker stop --port "$port" --data-dir "$data_dir" || true
        if [ "$passed" = 1 ]; then
            rm -rf "$data_dir"
        else
            echo "test: broker log kept at $data_dir/broker.log" >&2
        fi
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
    read -r port controller_port < <("$BIN/python" -c \
        'from finops.broker import free_ports; print(*free_ports(2))')
    data_dir=".cache/kafka/data-test-$port"
    rm -rf "$data_dir"
    "$BIN/finops" broker start --port "$port" --controller-port "$controller_port" \
        --data-dir "$data_dir" --wait 120
    export KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$port"
fi
echo "test: KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS"

# Headless Chromium for the dashboard's browser tests (apt-get, only when missing).
scripts/install_browser.sh
# docker-compose (v1) to validate docker-compose.yml without a Docker engine.
scripts/install_compose.sh

ruff_rc=0
"$BIN/ruff" check . || ruff_rc=$?
"$BIN/mypy" || ruff_rc=$?

# FINOPS_TEST_WORKERS pytest processes (pytest-xdist; 0 runs in this process). A test file, and
# the folders whose tests share an expensive session fixture, stay on one worker (tests/conftest.py).
workers="${FINOPS_TEST_WORKERS:-2}"
pytest_rc=0
"$BIN/pytest" -n "$workers" "$@" || pytest_rc=$?
if [ "$pytest_rc" = 5 ]; then
    echo "test: pytest collected no tests; that is a failure" >&2
fi

if [ "$pytest_rc" != 0 ]; then
    exit "$pytest_rc"
fi
if [ "$ruff_rc" != 0 ]; then
    echo "test: tests passed but ruff or mypy found problems" >&2
    exit "$ruff_rc"
fi
passed=1
