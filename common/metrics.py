"""The `--metrics-port` of every long-running command: a Prometheus text endpoint (/metrics).

Each stage defines its own metrics next to its code (streams/metrics.py, producers/metrics.py,
jobs/metrics.py, web/metrics.py) in prometheus_client's default registry; this only serves it.
Names and labels: docs/metrics.md.
"""

from __future__ import annotations

import argparse
import logging

log = logging.getLogger(__name__)


def add_metrics_port(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--metrics-port", type=int, default=None,
                        help="serve Prometheus metrics on this port (/metrics; default: off)")


def serve_metrics(port: int | None, host: str = "0.0.0.0") -> None:
    """Start the endpoint in a daemon thread (no-op when `port` is None)."""
    if port is None:
        return
    from prometheus_client import start_http_server

    start_http_server(port, addr=host)
    log.info("metrics endpoint up", extra={"port": port, "path": "/metrics"})
