"""Web metrics (docs/metrics.md): requests by route, method and status, request latency, and
open SSE streams per tenant (read from the broadcaster at scrape time)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, g, request
from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

REQUESTS = Counter("finops_web_requests", "HTTP requests answered", ["route", "method", "status"])
LATENCY = Histogram("finops_web_request_seconds", "Time to answer (for SSE: to start the stream)",
                    ["route"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))


class _SseClients(Collector):
    def __init__(self, app: Flask) -> None:
        self.broadcaster = app.extensions["finops"]["broadcaster"]

    def collect(self) -> Iterator[Any]:
        gauge = GaugeMetricFamily("finops_web_sse_clients", "Open server-sent-event streams",
                                  labels=["tenant"])
        for tenant, n in self.broadcaster.counts().items():
            gauge.add_metric([tenant], n)
        yield gauge


def install(app: Flask) -> None:
    """Count every request of `app` (route = the URL rule, so the label set stays bounded)."""

    @app.before_request
    def _started() -> None:
        g.metrics_t0 = time.perf_counter()

    @app.after_request
    def _answered(resp: Response) -> Response:
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        REQUESTS.labels(route, request.method, str(resp.status_code)).inc()
        t0 = g.get("metrics_t0")
        if t0 is not None:
            LATENCY.labels(route).observe(time.perf_counter() - t0)
        return resp

    REGISTRY.register(_SseClients(app))
