"""CloudWatch history for the estate: a few weeks of datapoints per resource, so utilisation
checks read real numbers through GetMetricStatistics instead of guessing.

Points are every `step_hours` over `days` (one a day over 14 days by default). The checks read
daily periods, and moto's GetMetricData scans every datapoint of the region once per query and
period, so scan time grows with (resources x datapoints): finer series would make scans of big
estates crawl without changing any daily figure a check computes.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from estate.clients import ClientFactory

BATCH = 1000  # PutMetricData accepts up to 1,000 metrics per call


class MetricWriter:
    def __init__(self, clients: ClientFactory, now: datetime, days: int = 14,
                 step_hours: int = 24) -> None:
        self._clients = clients
        self._now = now.replace(minute=0, second=0, microsecond=0)
        self._days = days
        self._step = step_hours
        self._pending: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
        self.datapoints = 0

    def series(
        self,
        account_id: str,
        region: str,
        namespace: str,
        metric: str,
        dimensions: dict[str, str],
        low: float,
        high: float,
        rng: random.Random,
        unit: str = "None",
    ) -> None:
        """Queue one series with values uniform in [low, high]."""
        dims = [{"Name": k, "Value": v} for k, v in dimensions.items()]
        points = self._pending[(account_id, region, namespace)]
        for i in range(self._days * 24 // self._step):
            ts = self._now - timedelta(hours=self._step * i + 1)
            points.append({"MetricName": metric, "Dimensions": dims, "Timestamp": ts,
                           "Value": round(rng.uniform(low, high), 3), "Unit": unit})
        if len(points) >= BATCH:
            self.flush_one((account_id, region, namespace))

    def flush_one(self, key: tuple[str, str, str]) -> None:
        account_id, region, namespace = key
        points = self._pending.pop(key, [])
        cw = self._clients.get("cloudwatch", region, account_id)
        for start in range(0, len(points), BATCH):
            cw.put_metric_data(Namespace=namespace, MetricData=points[start:start + BATCH])
        self.datapoints += len(points)

    def flush(self) -> None:
        for key in sorted(self._pending):
            self.flush_one(key)
