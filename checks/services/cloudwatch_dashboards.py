"""CloudWatch dashboards and the metrics their widgets plot. Dashboards are global resources
(ListDashboards answers the same in every region): listed once, from the us-east-1 scan."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from checks.services.base import ServiceBase, cached
from checks.services.cloudwatch import MetricQuery, query
from checks.services.ec2 import utc

GLOBAL_REGION = "us-east-1"


@dataclass(frozen=True)
class Dashboard:
    name: str
    arn: str
    modified: datetime
    widgets: int
    # every metric the widgets plot; None when some widget shows what a metric list cannot
    # tell (math or search expressions, logs, alarms, custom widgets): not judged then
    metrics: tuple[MetricQuery, ...] | None


def widget_metrics(body: str) -> tuple[int, tuple[MetricQuery, ...] | None]:
    """(widget count, metrics plotted) of a dashboard body; "." repeats the value above it
    and a leading "..." the row above up to the values that follow."""
    widgets = json.loads(body).get("widgets") or []
    out: list[MetricQuery] = []
    for w in widgets:
        if w.get("type") == "text":
            continue
        rows = (w.get("properties") or {}).get("metrics")
        if w.get("type") != "metric" or not rows:
            return len(widgets), None
        prev: list[Any] = []
        for row in rows:
            values = [v for v in row if not isinstance(v, dict)]
            if values and values[0] == "...":
                values = prev[: len(prev) - (len(values) - 1)] + values[1:]
            values = [prev[i] if v == "." and i < len(prev) else v for i, v in enumerate(values)]
            if len(values) < 2 or len(values) % 2 or not all(isinstance(v, str) for v in values):
                return len(widgets), None  # an expression row, or malformed
            dims = dict(zip(values[2::2], values[3::2], strict=True))
            out.append(query(values[0], values[1], "SampleCount", **dims))
            prev = values
    return len(widgets), tuple(out)


class DashboardsService(ServiceBase):
    name = "cloudwatch"

    @cached
    def dashboards(self) -> list[Dashboard]:
        out = []
        for entry in self.paginate("ListDashboards", "DashboardEntries"):
            name = entry.get("DashboardName", "<unknown>")
            got = self.per_resource(name, partial(self.call, "GetDashboard", DashboardName=name))
            if got is None:
                continue
            try:
                widgets, metrics = widget_metrics(got.get("DashboardBody") or "{}")
                out.append(Dashboard(name, entry["DashboardArn"], utc(entry["LastModified"]),
                                     widgets, metrics))
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                self.record_malformed("GetDashboard", name, exc)
        return out
